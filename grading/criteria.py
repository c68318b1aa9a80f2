"""Load the grading criteria packs (绩效分级指标): one YAML per graded industry, strictly checked.

003:51 (R-G-01/R-G-02) fixes the 15 industries and the A/B/C meaning but leaves the indicators to a
"detailed grading method" set locally. So every threshold is data: a value from the sources cites
`source` + `rule`; anything else is `local_setting: true` with `why` (like policy packs, R-T-05).
Loading reuses grading.packs' strict YAML loader: duplicate keys, unknown keys, missing citations and
bad citation formats are load errors naming file and key. A pack carries its `version` and the
SHA-256 of its file, which every grade decision stores so it can be explained years later.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from grading.errors import PackError
from grading.packs import _check_citation_format, _is_cited, _Report, _UniqueKeyLoader
from grading.vocab import EmergencyGrade, Sector

CRITERIA_DIR = Path(__file__).parent / "criteria"


class _CitationFormat(_Report):
    """The packs' citation-format check, raising at once; a criteria file cites the grading rules (R-V-04, …), which
    are not pack rules, so the packs' unknown-rule check does not apply here."""

    def add(self, err: PackError) -> None:
        if err.code != "unknown_rule":
            super().add(err)

# R-G-01 (003:51): exactly these 15 industries have grading indicators.
GRADED_INDUSTRIES: tuple[Sector, ...] = (
    Sector.STEEL, Sector.COKING, Sector.ALUMINA, Sector.ELECTROLYTIC_ALUMINIUM, Sector.CARBON,
    Sector.COPPER_SMELTING, Sector.CERAMICS, Sector.GLASS, Sector.LIME_KILN, Sector.FOUNDRY,
    Sector.REFINING_PETROCHEMICAL, Sector.PHARMACEUTICALS, Sector.PESTICIDES, Sector.COATINGS, Sector.INKS,
)

# The indicator dimensions of issue #5; each pack covers every one of them.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "equipment_level": ("装备水平", "Equipment level"),
    "control_technology": ("污染治理技术", "Pollution-control technology"),
    "emission_limits": ("排放限值", "Emission limits"),
    "fugitive_control": ("无组织排放控制", "Fugitive-emission control"),
    "monitoring": ("监测监控水平", "Monitoring"),
    "environmental_management": ("环境管理水平", "Environmental management"),
    "transport": ("运输方式", "Transport"),
}

KINDS = {"choice", "bool", "min", "max"}
TOP_KEYS = {"id", "industry", "title", "title_en", "version", "scope", "indicators", "note"}
CITE = {"source", "rule", "note", "why", "local_setting"}
INDICATOR_KEYS = {"key", "dimension", "label", "label_en", "kind", "unit", "options", "a", "b", "help", "help_en"}
THRESHOLD_KEYS = CITE | {"value"}


@dataclass(frozen=True)
class Threshold:
    """What an answer must be for a grade: options (choice), True/None (bool), a bound (min/max)."""

    value: Any
    source: str  # "003:51" or "local setting"
    rule: str
    local_setting: bool
    why: str = ""

    def cite(self) -> str:
        return f"{self.rule} ({self.source})" if not self.local_setting else f"{self.rule} (local setting)"


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    label: str
    label_en: str
    kind: str
    a: Threshold
    b: Threshold
    unit: str = ""
    options: tuple[tuple[str, str, str], ...] = ()  # (code, 中文, English)
    help: str = ""

    def passes(self, t: Threshold, answer: Any) -> bool:
        if answer is None or answer == "":
            return False
        if self.kind == "choice":
            return answer in t.value
        if self.kind == "bool":
            return t.value is None or bool(answer) == bool(t.value)
        number = float(answer)
        return number >= float(t.value) if self.kind == "min" else number <= float(t.value)

    def grade(self, answer: Any) -> tuple[EmergencyGrade, Threshold | None]:
        """The short-board input: A if it meets A, else B if it meets B, else C (no answer → C)."""
        if self.passes(self.a, answer):
            return EmergencyGrade.A, self.a
        if self.passes(self.b, answer):
            return EmergencyGrade.B, self.b
        return EmergencyGrade.C, None


@dataclass(frozen=True)
class Criteria:
    """One industry's indicators, with the identity a decision stores (id, version, file hash)."""

    id: str
    industry: Sector
    title: str
    title_en: str
    version: str
    sha256: str
    indicators: tuple[Indicator, ...]
    data: dict = field(repr=False, compare=False, hash=False)

    def indicator(self, key: str) -> Optional[Indicator]:
        return next((i for i in self.indicators if i.key == key), None)

    def identity(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


def _cited_threshold(file: str, path: str, node: Any) -> Threshold:
    if not isinstance(node, dict):
        raise PackError(file, path, "a threshold is a mapping with value and citation")
    for k in node:
        if k not in THRESHOLD_KEYS:
            raise PackError(file, f"{path}.{k}", "unknown key")
    if "value" not in node:
        raise PackError(file, f"{path}.value", "required key missing")
    _check_citation_format(_CitationFormat(file), path, node)
    if not _is_cited(node):
        raise PackError(file, path, "missing citation (source file:line and rule id, or local_setting with why)")
    local = node.get("local_setting") is True
    return Threshold(value=node["value"], source=node.get("source", "local setting"), rule=str(node["rule"]),
                     local_setting=local, why=str(node.get("why", node.get("note", ""))))


def _indicator(file: str, i: int, node: Any) -> Indicator:
    path = f"indicators[{i}]"
    if not isinstance(node, dict):
        raise PackError(file, path, "an indicator is a mapping")
    for k in node:
        if k not in INDICATOR_KEYS:
            raise PackError(file, f"{path}.{k}", "unknown key")
    for k in ("key", "dimension", "label", "label_en", "kind", "a", "b"):
        if k not in node:
            raise PackError(file, f"{path}.{k}", "required key missing")
    if node["dimension"] not in DIMENSIONS:
        raise PackError(file, f"{path}.dimension", f"unknown dimension {node['dimension']!r}")
    kind = node["kind"]
    if kind not in KINDS:
        raise PackError(file, f"{path}.kind", f"unknown kind {kind!r} (want one of {sorted(KINDS)})")
    options: tuple[tuple[str, str, str], ...] = ()
    if kind == "choice":
        raw = node.get("options")
        if not isinstance(raw, list) or not raw:
            raise PackError(file, f"{path}.options", "a choice indicator lists its options")
        try:
            options = tuple((str(o["code"]), str(o["label"]), str(o["label_en"])) for o in raw)
        except (KeyError, TypeError):
            raise PackError(file, f"{path}.options", "each option has code, label and label_en") from None
    a, b = (_cited_threshold(file, f"{path}.{g}", node[g]) for g in ("a", "b"))
    codes = {o[0] for o in options}
    for g, t in (("a", a), ("b", b)):
        if kind == "choice" and (not isinstance(t.value, list) or not set(t.value) <= codes):
            raise PackError(file, f"{path}.{g}.value", f"must be a list of option codes {sorted(codes)}")
        if kind in ("min", "max") and not isinstance(t.value, (int, float)):
            raise PackError(file, f"{path}.{g}.value", "must be a number")
        if kind == "bool" and t.value not in (True, False, None):
            raise PackError(file, f"{path}.{g}.value", "must be true, false or null (any)")
    return Indicator(key=str(node["key"]), dimension=node["dimension"], label=str(node["label"]),
                     label_en=str(node["label_en"]), kind=kind, a=a, b=b, unit=str(node.get("unit", "")),
                     options=options, help=str(node.get("help", "")))


def parse_criteria(text: str, file: str = "<criteria>", sha256: str = "") -> Criteria:
    """Validate one criteria YAML; raises PackError naming file and key."""
    loader = _UniqueKeyLoader(text)
    loader.name = file
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise PackError(file, "<yaml>", str(exc)) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise PackError(file, "<root>", "a criteria pack is a mapping")
    for k in data:
        if k not in TOP_KEYS:
            raise PackError(file, k, "unknown key")
    for k in sorted(TOP_KEYS - {"note", "title_en"} - set(data)):
        raise PackError(file, k, "required key missing")
    try:
        industry = Sector(data["industry"])
    except ValueError:
        raise PackError(file, "industry", f"unknown sector {data['industry']!r}") from None
    if industry not in GRADED_INDUSTRIES:
        raise PackError(file, "industry", f"{industry.value} is not one of the 15 graded industries (R-G-01, 003:51)")
    scope = data["scope"]
    if not isinstance(scope, dict) or not _is_cited(scope):
        raise PackError(file, "scope", "missing citation (source file:line and rule id)")
    _check_citation_format(_CitationFormat(file), "scope", scope)
    if not isinstance(data["indicators"], list) or not data["indicators"]:
        raise PackError(file, "indicators", "at least one indicator")
    indicators = tuple(_indicator(file, i, n) for i, n in enumerate(data["indicators"]))
    keys = [i.key for i in indicators]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise PackError(file, "indicators", f"duplicate indicator key(s) {dup}")
    missing = sorted(set(DIMENSIONS) - {i.dimension for i in indicators})
    if missing:
        raise PackError(file, "indicators", f"dimension(s) without an indicator: {missing}")
    return Criteria(id=str(data["id"]), industry=industry, title=str(data["title"]),
                    title_en=str(data.get("title_en", data["title"])), version=str(data["version"]),
                    sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    indicators=indicators, data=data)


def load_criteria_file(path: Path) -> Criteria:
    raw = Path(path).read_bytes()
    crit = parse_criteria(raw.decode("utf-8"), Path(path).name, hashlib.sha256(raw).hexdigest())
    if crit.id != Path(path).stem or crit.industry.value != crit.id:
        raise PackError(Path(path).name, "id", f"id {crit.id!r} must equal the file name and the industry")
    return crit


@lru_cache(maxsize=None)
def load_all_criteria(directory: str = str(CRITERIA_DIR)) -> dict[str, Criteria]:
    """Every criteria pack, keyed by industry code (cached: packs ship with the code)."""
    return {p.stem: load_criteria_file(p) for p in sorted(Path(directory).glob("*.yaml"))}


def get_criteria(industry: str) -> Optional[Criteria]:
    return load_all_criteria().get(industry)
