"""Input facts the engine reads (事实): frozen dataclasses built from an evaluate document.

Names are DOMAIN.md's English glossary terms. The engine never reads anything else: no clock,
no database. `from_dict` assumes the document already passed the input JSON Schema
(grading/schemas/evaluate-input.schema.json); grading.contract does that validation.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Optional

from grading.vocab import (
    AlertLevel,
    ApprovalKind,
    EmergencyGrade,
    EmissionStatus,
    Fuel,
    LineKind,
    LivelihoodTask,
    LocationFlag,
    PermitKind,
    PermitStatus,
    Pollutant,
    ProductLevel,
    RetrofitProgress,
    ScatteredClass,
    Sector,
    StaggeringTier,
    SubType,
    TechnologyLevel,
    TransportStructure,
    VehiclePurpose,
    VehicleStandard,
    VocClass,
)

# Fields that identify or describe but are never read by a rule; the batch path leaves them out
# of the fact profile (DESIGN.md §3).
IDENTITY_FIELDS = frozenset({"enterprise_id", "name", "line_id", "capacity", "capacity_unit"})


@dataclass(frozen=True)
class IndustryGrade:
    """Emergency performance grade in one of the 15 graded industries (绩效分级, 003:51).

    `indicators` maps an indicator name (工艺、治理、排放强度…) to its grade; the short-board
    principle makes the industry grade the worst indicator (DESIGN.md §3).
    """

    industry: Sector
    grade: Optional[EmergencyGrade] = None
    indicators: tuple[tuple[str, EmergencyGrade], ...] = ()


@dataclass(frozen=True)
class Vehicle:
    """A transport vehicle of a key vehicle-using enterprise (重点用车企业, 000:137, 004:178)."""

    vehicle_id: str
    standard: VehicleStandard
    purpose: VehiclePurpose = VehiclePurpose.BULK_MATERIALS
    heavy_diesel: bool = True


@dataclass(frozen=True)
class Approval:
    """An approval or filing on record (市政府批准, 报省大气办备案 …), optionally for one line."""

    kind: ApprovalKind
    on: Optional[date] = None
    line: Optional[str] = None
    by: str = ""


@dataclass(frozen=True)
class OfficialDecision:
    """An official's recorded choice resolving a flag (可/原则上 clauses): who, which flag, why."""

    flag: str
    choice: str
    by: str
    reason: str = ""
    line: Optional[str] = None
    on: Optional[date] = None


@dataclass(frozen=True)
class LineFacts:
    """A production line / process / equipment (生产线/工序/设备)."""

    line_id: str
    kind: LineKind
    fuel: Fuel = Fuel.NONE
    name: str = ""
    sector: Optional[Sector] = None  # None: the enterprise's sector
    sub_type: SubType = SubType.NONE
    capacity: Optional[float] = None
    capacity_unit: str = ""
    emission_status: EmissionStatus = EmissionStatus.COMPLIANT
    status_reached_on: Optional[date] = None
    concentrations: tuple[tuple[Pollutant, float], ...] = ()  # mg/m³ at reference O₂
    percent_of_limit: tuple[tuple[Pollutant, float], ...] = ()  # % of the current standard limit
    stack_height_m: Optional[float] = None
    has_cems: bool = False
    cems_transmission_rate: Optional[float] = None  # % per month
    on_furnace_list: Optional[bool] = None
    found_unlisted_on: Optional[date] = None
    firing_process: bool = True
    enclosed: bool = False  # 入棚入仓
    livelihood_task: Optional[LivelihoodTask] = None
    livelihood_max_load: Optional[float] = None  # % of capacity
    livelihood_filed_on: Optional[date] = None

    def concentration(self, pollutant: Pollutant) -> Optional[float]:
        return dict(self.concentrations).get(pollutant)


@dataclass(frozen=True)
class EnterpriseFacts:
    """An enterprise (企业) and its lines; enterprise-level facts of DOMAIN.md §4.3."""

    enterprise_id: str
    sector: Sector
    lines: tuple[LineFacts, ...] = ()
    name: str = ""
    sub_type: SubType = SubType.NONE
    permit_status: PermitStatus = PermitStatus.ISSUED
    permit_kind: PermitKind = PermitKind.FULL
    meets_permit_requirements: bool = True
    stably_compliant: bool = True
    autumn_winter_tasks_completed: bool = True
    cems_data_valid: bool = True
    conforms_to_industrial_policy: bool = True
    restricted_category: bool = False  # 《产业结构调整指导目录》限制类
    capacity_utilisation_2018: Optional[float] = None  # %
    ultra_low_evaluation_fraud: bool = False
    emergency_grades: tuple[IndustryGrade, ...] = ()
    ultra_low_retrofit: RetrofitProgress = RetrofitProgress.NONE
    technology_level: Optional[TechnologyLevel] = None
    transport_structure: Optional[TransportStructure] = None
    product_level: Optional[ProductLevel] = None
    staggering_tier: Optional[StaggeringTier] = None  # a tier already decided, if any
    benchmark_enterprise: Optional[bool] = None  # 环保标杆企业 as designated
    voc_class: Optional[VocClass] = None
    scattered_class: ScatteredClass = ScatteredClass.NONE
    location_flags: tuple[LocationFlag, ...] = ()
    key_vehicle_user: Optional[bool] = None
    city_logistics: bool = False  # 城市物流配送企业 (004:394): in scope of the bans that name them
    heavy_diesel_vehicles: int = 0
    vehicles: tuple[Vehicle, ...] = ()
    coal_project_without_replacement: bool = False
    fugitive_controls_done: bool = True
    voc_remediation_done: bool = True
    relocation_overdue: bool = False
    staggering_list_filed: Optional[bool] = None
    staggering_list_changed_without_filing: bool = False
    approvals: tuple[Approval, ...] = ()
    normal_daily_emissions: tuple[tuple[Pollutant, float], ...] = ()  # kg/day (002:582)
    baseline_class: Optional[str] = None  # industrial / heating_boiler / residential_coal / mobile / dust


@dataclass(frozen=True)
class Query:
    """Everything but the enterprise: which pack, which day, which alert level, which choices."""

    pack_id: str
    on: date
    alert_level: AlertLevel
    official_decisions: tuple[OfficialDecision, ...] = ()
    emergency_resplit: tuple[tuple[Pollutant, float], ...] = ()  # R-A-01 SO₂/NOx re-split, %


# ---------------------------------------------------------------- construction from documents


def _date(v: Any) -> Optional[date]:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _pairs(d: Optional[dict], key_type) -> tuple:
    if not d:
        return ()
    return tuple(sorted((key_type(k), float(v)) for k, v in d.items()))


def _f(v: Any) -> Optional[float]:
    """Numbers are floats whatever the input type, so JSON 40 and a DataFrame's 40.0 decide alike."""
    return None if v is None else float(v)


def _opt(enum, v):
    return None if v is None else enum(v)


def line_from_dict(d: dict) -> LineFacts:
    return LineFacts(
        line_id=str(d["line_id"]),
        kind=LineKind(d["kind"]),
        fuel=Fuel(d.get("fuel", "none")),
        name=d.get("name", ""),
        sector=_opt(Sector, d.get("sector")),
        sub_type=SubType(d.get("sub_type", "none")),
        capacity=_f(d.get("capacity")),
        capacity_unit=d.get("capacity_unit", ""),
        emission_status=EmissionStatus(d.get("emission_status", "compliant")),
        status_reached_on=_date(d.get("status_reached_on")),
        concentrations=_pairs(d.get("concentrations"), Pollutant),
        percent_of_limit=_pairs(d.get("percent_of_limit"), Pollutant),
        stack_height_m=_f(d.get("stack_height_m")),
        has_cems=bool(d.get("has_cems", False)),
        cems_transmission_rate=_f(d.get("cems_transmission_rate")),
        on_furnace_list=d.get("on_furnace_list"),
        found_unlisted_on=_date(d.get("found_unlisted_on")),
        firing_process=bool(d.get("firing_process", True)),
        enclosed=bool(d.get("enclosed", False)),
        livelihood_task=_opt(LivelihoodTask, d.get("livelihood_task")),
        livelihood_max_load=_f(d.get("livelihood_max_load")),
        livelihood_filed_on=_date(d.get("livelihood_filed_on")),
    )


def _grade(d: dict) -> IndustryGrade:
    return IndustryGrade(
        industry=Sector(d["industry"]),
        grade=_opt(EmergencyGrade, d.get("grade")),
        indicators=tuple(sorted((str(k), EmergencyGrade(v)) for k, v in (d.get("indicators") or {}).items())),
    )


def enterprise_from_dict(d: dict) -> EnterpriseFacts:
    simple = {}
    enums = {
        "sector": Sector, "sub_type": SubType, "permit_status": PermitStatus, "permit_kind": PermitKind,
        "ultra_low_retrofit": RetrofitProgress, "technology_level": TechnologyLevel,
        "transport_structure": TransportStructure, "product_level": ProductLevel,
        "staggering_tier": StaggeringTier, "voc_class": VocClass, "scattered_class": ScatteredClass,
    }
    for name in _SIMPLE_ENTERPRISE_FIELDS:
        if name not in d:
            continue
        v = d[name]
        simple[name] = _opt(enums[name], v) if name in enums else (_f(v) if name == "capacity_utilisation_2018" else v)
    return EnterpriseFacts(
        **simple,
        lines=tuple(line_from_dict(x) for x in d.get("lines", [])),
        emergency_grades=tuple(_grade(g) for g in d.get("emergency_grades", [])),
        location_flags=tuple(sorted(LocationFlag(x) for x in d.get("location_flags", []))),
        vehicles=tuple(
            Vehicle(str(v["vehicle_id"]), VehicleStandard(v["standard"]),
                    VehiclePurpose(v.get("purpose", "bulk_materials")), bool(v.get("heavy_diesel", True)))
            for v in d.get("vehicles", [])
        ),
        approvals=tuple(
            Approval(ApprovalKind(a["kind"]), _date(a.get("date")), a.get("line"), a.get("by", ""))
            for a in d.get("approvals", [])
        ),
        normal_daily_emissions=_pairs(d.get("normal_daily_emissions"), Pollutant),
    )


_SIMPLE_ENTERPRISE_FIELDS = tuple(
    f.name for f in fields(EnterpriseFacts)
    if f.name not in {"lines", "emergency_grades", "location_flags", "vehicles", "approvals", "normal_daily_emissions"})


def decisions_from_list(items: list) -> tuple[OfficialDecision, ...]:
    return tuple(
        OfficialDecision(flag=x["flag"], choice=x["choice"], by=x["by"], reason=x.get("reason", ""),
                         line=x.get("line"), on=_date(x.get("date")))
        for x in items or []
    )
