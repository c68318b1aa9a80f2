"""The county supervision listing (挂牌督办, 000:71, R-V-05) as a report officials run: page, API, CSV and Excel.

The engine (`grading.rules.supervision.county_listings`) decides which counties are listed and cites the pack's
readings; this module feeds it the enterprises the official may see (their region, like every official page), on
the registry's current records (CEMS transmission rate and emission status per line: the registry keeps no monthly
series, so "一个月内" is the state on record), and turns the rows into labels: county names, enterprise names, the
reasons with their clauses. Exports neutralise text cells (registry/exchange/neutralise.py).
"""
from __future__ import annotations

import csv
import io
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

import xlsxwriter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grading.decisions import Reason
from grading.packs import Pack, get_pack, load_packs
from registry.core import codes
from registry.core.citations import cite
from registry.core.errors import Forbidden, NotFound, ValidationFailed
from registry.core.regions import region_label
from registry.exchange.neutralise import neutralise


def supervision_packs() -> list[dict[str, Any]]:
    """The packs that carry the county-supervision clause (their id and title), for the page's choice."""
    return [{"id": pack.id, "title": pack.summary().get("title") or pack.id}
            for pack in load_packs().values() if pack.section("county_supervision")]


@dataclass(frozen=True)
class ListingRow:
    county: str
    county_label: str
    listed: bool
    low_transmission: tuple[str, ...]  # enterprise names
    exceeding: tuple[str, ...]
    mean_rate: float | None
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"county": self.county, "county_label": self.county_label, "listed": self.listed,
                "low_transmission": list(self.low_transmission), "exceeding": list(self.exceeding),
                "mean_rate": self.mean_rate,
                "reasons": [r.as_dict() for r in self.reasons]}


# Issue 18 item 4 (pages at province scale): the page runs the engine over at most this many enterprises at once;
# a larger scope (a city of 5,000, the province's 60,000) first chooses a county (选择区县). The CSV and Excel
# exports and the API still cover the whole scope.
PAGE_LIMIT = 1000


def counties_in_scope(actor) -> list[dict[str, Any]]:
    """The counties of the official's scope with their number of enterprises (one aggregate query), for the page's
    county choice."""
    from sqlalchemy import func

    from registry.enterprises.models import Enterprise
    from registry.enterprises.queries import visible_enterprises
    from registry.extensions import db

    if not getattr(actor, "is_official", False):
        raise Forbidden(_("You do not have permission to do this."))
    stmt = (visible_enterprises(actor).with_only_columns(Enterprise.region_code, func.count())
            .group_by(Enterprise.region_code).order_by(Enterprise.region_code))
    return [{"code": code, "label": region_label(code), "enterprises": n} for code, n in db.session.execute(stmt)]


_LISTINGS: OrderedDict[tuple, list[ListingRow]] = OrderedDict()  # (county, pack, day, language, state) → rows


def _county_state(county: str) -> tuple:
    """What a county's listing is computed from, as it stands: its newest audit entry rooted in an enterprise (every
    change to an enterprise, its lines, emissions and permits — page, API or Excel import — is audited in the same
    transaction with the enterprise's region) and its enterprises' count and newest update (a registration moved
    away). Two indexed lookups (migration ld18a1e0c0de)."""
    from sqlalchemy import func, select

    from registry.core.models import AuditEntry
    from registry.enterprises.models import Enterprise
    from registry.extensions import db

    newest = db.session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.region_code == county,
                                                                   AuditEntry.root_type == "enterprise"))
    n, updated = db.session.execute(select(func.count(), func.max(Enterprise.updated_at))
                                    .where(Enterprise.region_code == county)).one()
    return newest, n, updated.isoformat() if updated else ""


def county_listing(actor, pack_id: str, on: date | None = None, county: str | None = None
                   ) -> tuple[Pack, date, list[ListingRow]]:
    """Counties of the official's scope, listed ones first (`county`: that county of the scope only). Officials
    only (county, city, province): the listing names enterprises; an enterprise user or an administrator (no
    business rights, issue 13) is refused."""
    from registry.accounts.scopes import scope_prefix

    if not getattr(actor, "is_official", False):
        raise Forbidden(_("You do not have permission to do this."))
    pack = get_pack(pack_id) if pack_id else None
    if pack is None:
        raise NotFound(_("Not found."))
    if not pack.section("county_supervision"):
        raise ValidationFailed(_("Some fields are invalid."),
                               {"pack": [_("The pack %(pack)s has no county supervision clause (000:71).", pack=pack.id)]})
    prefix = scope_prefix(actor)
    if county and prefix is not None and not county.startswith(prefix):
        raise NotFound(_("Not found."))  # a county outside the official's region (the remembered rows are per county)
    day = on or pack.period_start
    # Issue 18 item 4: one county's listing (the page's chosen county, a county official's region) is remembered per
    # process while the county's records stay the same (_county_state) — every official of the county, city and
    # province reading it sees the same rows (visible_enterprises: the county's submitted registrations).
    one = county or (actor.region_code if getattr(actor, "role", None) == "county" and actor.region_code else None)
    key = (one, pack.id, id(pack), day, codes.is_zh(), _county_state(one)) if one else None  # id: the pack as loaded
    if key is not None and key in _LISTINGS:
        _LISTINGS.move_to_end(key)
        return pack, day, _LISTINGS[key]
    rows = _compute(actor, pack, day, county)
    if key is not None:
        _LISTINGS[key] = rows
        while len(_LISTINGS) > 256:
            _LISTINGS.popitem(last=False)
    return pack, day, rows


def _compute(actor, pack: Pack, day: date, county: str | None) -> list[ListingRow]:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from grading.facts import enterprise_from_dict
    from grading.rules.supervision import county_listings
    from registry.enterprises.models import Enterprise, ProductionLine
    from registry.enterprises.queries import visible_enterprises
    from registry.extensions import db
    from registry.policy.facts import enterprise_facts

    facts, names = [], {}
    # Issue 16 (page speed at province scale): lines, their emissions and the permits come in a few IN-queries per
    # thousand enterprises (selectinload) instead of three lazy loads per enterprise — 60,000 of them for the province.
    scoped = visible_enterprises(actor).with_only_columns(Enterprise.id).order_by(Enterprise.id)
    if county is not None:
        scoped = scoped.where(Enterprise.region_code == county)
    ids = list(db.session.scalars(scoped))
    for start in range(0, len(ids), 1000):
        batch = db.session.scalars(
            select(Enterprise).where(Enterprise.id.in_(ids[start:start + 1000])).order_by(Enterprise.id)
            .options(selectinload(Enterprise.lines).selectinload(ProductionLine.emissions), selectinload(Enterprise.permits)))
        for ent in batch:
            if not ent.lines:
                continue
            ent_facts = enterprise_facts(ent, on=day)  # the one mapper, typed straight away (no document round trip)
            facts.append((ent.region_code, enterprise_from_dict(ent_facts)))
            names[ent_facts["enterprise_id"]] = ent.name
    rows = [ListingRow(c.county, region_label(c.county), c.listed, tuple(names.get(e, e) for e in c.low_transmission),
                       tuple(names.get(e, e) for e in c.exceeding), c.mean_rate, c.reasons)
            for c in county_listings(pack, facts)]
    return rows


# R-V-05's readings of "whose rate" (the pack setting county_rate_reading, 000:71)
RATE_READINGS = {"any_enterprise": _l("any enterprise below the rate"), "county_average": _l("the county's mean rate")}
# The listing's two declared readings (pack settings named by the pack's county_supervision section)
SETTING_LABELS = {"county_rate_reading": _l("whose transmission rate counts"),
                  "several_exceeding_enterprises": _l("how many enterprises make \"several\" (几家)")}
# The labels of the listing's note codes (grading/notes.py), in the reader's language.
NOTE_LABELS: dict[str, Any] = {
    "supervision.low_transmission": lambda p: _(
        "effective transmission below %(min_rate)s %% (%(reading)s: mean %(mean)s)", min_rate=p.get("min_rate"),
        reading=str(RATE_READINGS.get(p.get("reading"), p.get("reading"))),
        mean="—" if p.get("mean") is None else p.get("mean")),
    "supervision.exceeding": lambda p: _("%(count)s enterprises exceeding (≥%(several)s)", count=p.get("count"),
                                         several=p.get("several")),
    "supervision.reading": lambda p: _("local reading (a pack setting, not the sources' words): %(setting)s: %(value)s",
                                       setting=str(SETTING_LABELS.get(p.get("setting"), p.get("setting"))),
                                       value=str(RATE_READINGS.get(p.get("value"), p.get("value")))),
}


def _note_entry(render):
    return lambda **params: render(params)


# The listing's notes in the one label registry too (issue 16 item 1), for any page's 依据.
codes.register("engine.note", {code: _note_entry(render) for code, render in NOTE_LABELS.items()})


def note_text(reason: Reason) -> str:
    """A listing reason's note in the reader's language (rendered from its code; the note as it is otherwise)."""
    render = NOTE_LABELS.get(reason.code) if reason.code else None
    return render(dict(reason.params)) if render else reason.note


COLUMNS = (("county_label", "区县 (county)"), ("listed", "是否挂牌督办 (listed)"),
           ("mean_rate", "平均有效传输率% (mean transmission rate %)"),
           ("low_transmission", "传输率不足的企业 (enterprises below the rate)"),
           ("exceeding", "超标排放企业 (enterprises exceeding)"), ("reasons", "依据 (reasons, clause)"))


def _cells(row: ListingRow) -> list[Any]:
    return [neutralise(row.county_label), "是 (yes)" if row.listed else "否 (no)", row.mean_rate,
            neutralise("；".join(row.low_transmission)), neutralise("；".join(row.exceeding)),
            neutralise("；".join(f"{cite(r.source)}：{note_text(r)}（{r.rule}）" for r in row.reasons))]  # in words (issue 16)


def to_csv(rows: list[ListingRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([h for _k, h in COLUMNS])
    for row in rows:
        writer.writerow(["" if v is None else v for v in _cells(row)])
    return "\ufeff" + out.getvalue()  # BOM: Excel opens the UTF-8 file as such


def to_xlsx(pack: Pack, day: date, rows: list[ListingRow]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("挂牌督办")
    bold = wb.add_format({"bold": True})
    ws.write_string(0, 0, neutralise(f"{pack.id} · {day.isoformat()} · 000:71 R-V-05"), bold)
    for col, (_k, header) in enumerate(COLUMNS):
        ws.write_string(1, col, header, bold)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(_cells(row)):
            if value is None:
                ws.write_blank(r, col, None)
            elif isinstance(value, float):
                ws.write_number(r, col, value)
            else:
                ws.write_string(r, col, value)
    ws.set_column(0, 0, 24)
    ws.set_column(3, 5, 48)
    wb.close()
    return buf.getvalue()
