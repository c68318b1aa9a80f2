"""Plausibility of registered facts: the one place that registration (pages, API) and import ask.

Two kinds of finding (issue 14 point 9):
- a **warning** where facts contradict each other in a way that would misapply a rule but may still be
  true (emissions out of proportion to capacity, a permit past its validity still shown as issued, a
  permit number not in the national format or naming another holder, a permit's industry unlike the
  sector): saved, and shown in the reader's language naming the field;
- a **refusal** where a rule would otherwise decide on nonsense: a line kind and a fuel that cannot go
  together (an electric furnace burning coke would lose the clean-energy relief of 000:143 and 001:99 it
  is owed; a cupola "on electricity" would be granted it), a permit number whose embedded credit code
  fails its GB 32100 check, a registration-management (登记管理, 003:14) permit kind with another
  management class.

The row checks (`line_findings`, `permit_findings`) are plain functions of a dict, so forms, the API
(through registry/enterprises/operations.py) and the importer (registry/exchange/plan.py) run the very
same code. The permit model records the permit's catalogue industry but no permitted capacity, so
"capacity vs permit" is checked as: a line that has a capacity belongs to an enterprise holding a
permit (or registration) in force. The industry check compares the permit's industry text with the
enterprise's sector by the sector's usual words in the permit catalogue.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

import pandas as pd
from flask_babel import gettext as _
from stdnum.cn import uscc as stdnum_uscc

from registry.core import dictionary as dd
from registry.core.templating import is_zh, vocab_label

# Words that a permit catalogue industry (排污许可分类管理名录) uses for each sector.
SECTOR_KEYWORDS: dict[str, tuple[str, ...]] = {
    "steel": ("钢", "铁", "烧结", "球团", "轧"),
    "coking": ("焦",),
    "foundry": ("铸", "锻"),
    "cement": ("水泥", "熟料"),
    "brick_tile": ("砖", "瓦"),
    "ceramics": ("陶", "瓷"),
    "glass": ("玻璃",),
    "glass_wool": ("玻璃棉", "玻璃纤维", "矿物棉"),
    "rock_wool": ("岩棉", "矿物棉"),
    "gypsum_board": ("石膏",),
    "refractory": ("耐火",),
    "building_materials_other": ("建材", "建筑材料", "非金属矿物"),
    "carbon": ("炭", "碳", "石墨"),
    "recycled_nonferrous": ("再生", "有色"),
    "nonferrous_other": ("有色", "冶炼"),
    "alumina": ("氧化铝", "铝"),
    "electrolytic_aluminium": ("电解铝", "铝"),
    "copper_smelting": ("铜",),
    "lime_kiln": ("石灰",),
    "ferroalloy": ("铁合金",),
    "chemicals": ("化工", "化学", "化肥", "树脂", "烧碱", "硫酸"),
    "refining_petrochemical": ("炼油", "石油", "石化"),
    "pharmaceuticals": ("制药", "药"),
    "pesticides": ("农药",),
    "coatings": ("涂料",),
    "inks": ("油墨",),
    "thermal_power": ("火电", "热电", "电力", "发电", "锅炉"),
    "board_processing": ("板材", "木材"),
    "packaging_printing": ("印刷", "包装"),
    "furniture": ("家具",),
    "wood_panels": ("人造板", "木材"),
}

IN_FORCE = ("issued", "rectify_after")


def industry_mismatch(industry: pd.Series, sector: pd.Series) -> pd.Series:
    """True where a non-blank permit industry shares no usual word with the holder's sector."""
    out = pd.Series(False, index=industry.index)
    text = industry.fillna("").astype(str)
    for code, words in SECTOR_KEYWORDS.items():
        rows = sector.eq(code) & text.ne("")
        if rows.any():
            hit = pd.Series(False, index=text.index)
            for w in words:
                hit |= text.str.contains(w, regex=False)
            out |= rows & ~hit
    return out


def permit_in_force(status: pd.Series, valid_until: pd.Series, today: pd.Timestamp) -> pd.Series:
    return status.isin(IN_FORCE) & (valid_until.isna() | (valid_until >= today))


# ---- row checks shared by the forms, the API and the import ---------------------------------------

@dataclass(frozen=True)
class Finding:
    """One contradiction: the field it is about (form/API/import key), the message naming that field, and
    whether it refuses the row (`blocking`) or only warns."""

    field: str
    message: str
    blocking: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "blocking": self.blocking}


# Line kinds and the fuels they cannot run on. A kind named after its energy (电炉, 天然气炉) takes no other;
# a cupola (冲天炉) is coke-fired by definition; a combustion or coking unit needs a fuel.
FUEL_CANNOT: dict[str, frozenset[str]] = {
    "electric_furnace": frozenset({"coal", "coke", "natural_gas", "piped_coal_gas", "coke_oven_gas", "biomass", "oil",
                                   "alcohol_fuel", "none"}),
    "cupola": frozenset({"electricity", "none"}),
    "gas_furnace": frozenset({"coal", "coke", "biomass", "electricity", "oil", "none"}),
    "blast_furnace": frozenset({"electricity", "none"}),
    "coke_oven": frozenset({"electricity", "none"}),
    "generating_unit": frozenset({"electricity", "none"}),
    "coal_gas_producer": frozenset({"electricity", "natural_gas", "none"}),
}

# Output per year in tonnes, from the capacity units that are masses.
_TONNES_PER_YEAR = {"t/a": 1.0, "10kt/a": 10_000.0, "t/d": 330.0}
# A pollutant mass above this share of the product mass is out of proportion for any sector in the sources
# (even sinter SO2 or brick-kiln PM stay around 0.1-0.5 % of output); the check warns, it never refuses.
EMISSION_SHARE_MAX = 0.02
POLLUTANT_FIELDS = ("daily_emission_so2_kg", "daily_emission_nox_kg", "daily_emission_pm_kg", "daily_emission_vocs_kg")

# National permit numbers (排污许可证编号): the holder's unified social credit code, a 3-digit sequence, a letter.
PERMIT_NUMBER = re.compile(r"^([0-9A-HJ-NPQRTUWXY]{18})(\d{3})([A-Z])$")


LINE_KEYS = ("kind", "fuel", "capacity", "capacity_unit", *POLLUTANT_FIELDS)
PERMIT_KEYS = ("number", "uscc", "kind", "management_class", "status", "valid_until")


def _label(sheet: str, key: str) -> str:
    try:
        return dd.sheet(sheet).field(key).header("zh" if is_zh() else "en")
    except KeyError:
        return key


def _vocab(code: Any, vocabulary: str) -> str:
    return vocab_label(code, vocabulary)


def _float(value: Any) -> float | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def line_findings(line: Mapping[str, Any]) -> list[Finding]:
    """Contradictions within one production line's facts (its form, API body or import row)."""
    out: list[Finding] = []
    kind, fuel = line.get("kind"), line.get("fuel")
    if kind in FUEL_CANNOT and fuel in FUEL_CANNOT[kind]:
        out.append(Finding("fuel", _("%(field)s: a line of kind “%(kind)s” cannot run on “%(fuel)s”; correct the kind or the "
                                     "fuel (the clean-energy rules would otherwise decide on it).",
                                     field=_label("lines", "fuel"), kind=_vocab(kind, "LineKind"), fuel=_vocab(fuel, "Fuel")),
                           blocking=True))
    capacity = _float(line.get("capacity"))
    per_year = _TONNES_PER_YEAR.get(line.get("capacity_unit") or "t/a")
    daily = {f: _float(line.get(f)) for f in POLLUTANT_FIELDS}
    emitted = {f: v for f, v in daily.items() if v}
    if emitted and capacity is not None and capacity == 0:
        field = max(emitted, key=lambda f: emitted[f])
        out.append(Finding(field, _("%(field)s: the line emits but its capacity is 0; check the capacity and the emissions.",
                                    field=_label("lines", field))))
    elif emitted and capacity and per_year:
        output_t = capacity * per_year
        field = max(emitted, key=lambda f: emitted[f])
        annual_t = emitted[field] * 330 / 1000.0
        if annual_t > EMISSION_SHARE_MAX * output_t:
            out.append(Finding(field, _("%(field)s: %(tonnes)s t a year is more than %(share)s %% of the line's output "
                                        "(%(output)s t a year); check the unit (kg per day) and the capacity.",
                                        field=_label("lines", field), tonnes=f"{annual_t:,.1f}",
                                        share=f"{EMISSION_SHARE_MAX * 100:g}", output=f"{output_t:,.0f}")))
    return out


def permit_findings(permit: Mapping[str, Any], holder_uscc: str | None, today: date) -> list[Finding]:
    """Contradictions of one permit: its number's format and check character, its kind against its
    management class, its status against its validity."""
    out: list[Finding] = []
    number = (permit.get("number") or "").strip()
    match = PERMIT_NUMBER.match(number.upper()) if number else None
    if number and match is None:
        out.append(Finding("number", _("%(field)s: “%(number)s” is not in the national format (18-character credit code, "
                                       "3-digit sequence, one letter, e.g. 91110000XXXXXXXXXX001P).",
                                       field=_label("permits", "number"), number=number)))
    elif match is not None:
        code = match.group(1)
        try:
            stdnum_uscc.validate(code)
        except Exception:  # stdnum raises InvalidChecksum / InvalidFormat / InvalidLength
            out.append(Finding("number", _("%(field)s: the credit code it begins with (%(code)s) fails its check character "
                                           "(GB 32100); the number is mistyped.",
                                           field=_label("permits", "number"), code=code), blocking=True))
        else:
            if holder_uscc and code != holder_uscc:
                out.append(Finding("number", _("%(field)s: it begins with the credit code %(code)s, not the holder's "
                                               "(%(uscc)s).", field=_label("permits", "number"), code=code, uscc=holder_uscc)))
    kind, management = permit.get("kind") or "full", permit.get("management_class")
    if isinstance(management, float) and management != management:  # a blank cell in the import's frame (NaN)
        management = None
    if management and (kind == "registration") != (management == "registration"):
        out.append(Finding("management_class", _("%(field)s: “%(value)s” contradicts the permit kind “%(kind)s” "
                                                 "(登记管理 is the registration kind, 003:14).",
                                                 field=_label("permits", "management_class"),
                                                 value=_vocab(management, "PermitManagementClass"),
                                                 kind=_vocab(kind, "PermitKind")), blocking=True))
    valid_until = permit.get("valid_until")
    if valid_until is pd.NaT:  # an unreadable date, reported by the validator (NaT is no Timestamp, yet a date)
        valid_until = None
    elif isinstance(valid_until, pd.Timestamp):
        valid_until = valid_until.date()
    if (permit.get("status") or "issued") == "issued" and isinstance(valid_until, date) and valid_until < today:
        out.append(Finding("valid_until", _("%(field)s: the permit ended on %(day)s but is shown as issued; it is treated as "
                                            "expired until its status or validity is corrected.",
                                            field=_label("permits", "valid_until"), day=valid_until.isoformat())))
    return out

