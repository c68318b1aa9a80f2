"""Registry records → the evaluate contract's enterprise facts (docs/evaluate.md).

The registry keeps what enterprises and officials record (per-pollutant status with dates,
fleet counts, permit rows); the engine reads glossary facts. This is the one place that
translates, so schedules, emergency lists and the grade preview all feed the engine the same way.

Schedules and emergency lists decide on reviewed facts only (issue 14 point 10): they take their records
from `reviewed_enterprises` — each enterprise as an official last approved it (registry/enterprises/approved.py)
— and map those here exactly as live records; a reopened registration keeps its last approved facts until
the amendment is approved, a never-approved one is absent.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from grading.vocab import EmissionStatus, PermitStatus
from registry.enterprises import approved
from registry.enterprises.models import Enterprise, ProductionLine

_LOCATION_FLAGS = (
    ("in_built_up_area", "built_up_area"),
    ("in_main_urban_area", "main_urban_area"),
    ("in_key_area", "key_area"),
    ("in_urban_planning_area", "urban_planning_area"),
    ("in_coal_ban_zone", "coal_ban_zone"),
)

# Best permit first: an enterprise holding any valid permit is judged by it.
_PERMIT_ORDER = (PermitStatus.ISSUED, PermitStatus.RECTIFY_AFTER, PermitStatus.EXPIRED, PermitStatus.REVOKED)


def reviewed_enterprises(enterprise_ids: list[int] | None = None, *, region_prefix: str | None = None) -> list[Enterprise]:
    """The enterprises as last approved (detached records, enterprise id order) — what schedules and lists read."""
    return approved.reviewed(enterprise_ids, region_prefix=region_prefix)


def _num(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Leave unknown facts out, so the engine applies its documented default instead of a guess."""
    if value is not None and value != "":
        out[key] = value


def line_facts(line: ProductionLine, enterprise: Enterprise) -> dict[str, Any]:
    """A line's facts. Its emission status is its worst pollutant's (the short-board reading),
    reached on the date the last pollutant got there — an exemption earned 'by end October'
    needs every pollutant there by then."""
    out: dict[str, Any] = {"line_id": line.code or str(line.id), "kind": line.kind, "fuel": line.fuel}
    _put(out, "name", line.name)
    _put(out, "sector", line.sector)
    _put(out, "sub_type", line.sub_type)
    _put(out, "capacity", _num(line.capacity))
    _put(out, "capacity_unit", line.capacity_unit)
    rated = [e for e in line.emissions if e.status]
    if rated:
        worst = min(rated, key=lambda e: EmissionStatus(e.status).rank)
        out["emission_status"] = worst.status
        dates = [e.reached_on for e in rated if e.reached_on]
        if dates and len(dates) == len(rated):
            out["status_reached_on"] = max(dates).isoformat()
    concentrations = {e.pollutant: float(e.concentration) for e in line.emissions if e.concentration is not None}
    if concentrations:
        out["concentrations"] = concentrations
    percent = {
        e.pollutant: round(float(e.concentration) / float(e.limit_value) * 100, 2)
        for e in line.emissions
        if e.concentration is not None and e.limit_value
    }
    if percent:
        out["percent_of_limit"] = percent
    _put(out, "stack_height_m", _num(line.stack_height_m))
    out["has_cems"] = bool(line.has_cems)
    _put(out, "cems_transmission_rate", _num(line.cems_transmission_rate))
    out["on_furnace_list"] = bool(line.on_furnace_list)
    if not line.on_furnace_list and line.furnace_found_on:
        out["found_unlisted_on"] = line.furnace_found_on.isoformat()
    out["firing_process"] = bool(line.has_firing_process)
    out["enclosed"] = bool(line.enclosed)
    # The registry records the livelihood task per enterprise (000:133 names the enterprise's load).
    _put(out, "livelihood_task", enterprise.livelihood_task)
    _put(out, "livelihood_max_load", _num(enterprise.livelihood_max_load))
    if enterprise.livelihood_filed_on:
        out["livelihood_filed_on"] = enterprise.livelihood_filed_on.isoformat()
    return out


def measure_line_facts(line: ProductionLine, enterprise: Enterprise) -> dict[str, Any]:
    """What the pack's emergency measure rules match a line on (grading/rules/measures.py's MeasureFacts
    fields): industry, sub-type, process kind, fuel, whether it may be interrupted, and whether the enterprise
    carries a livelihood task (000:133). The one mapping, for the plan form's first step and the optimizer."""
    return {"sector": line.sector or "", "sub_type": line.sub_type or "none", "kind": line.kind or "",
            "fuel": line.fuel or "", "interruptible": bool(line.interruptible),
            "livelihood": enterprise.livelihood_task not in (None, "", "none")}


def _permit_status(permit, on: date) -> str:
    """A permit shown as issued whose validity ended before `on` is an expired permit to the rules (issue 14
    point 9: the registration page warns about it; the engine must not count it as held)."""
    if permit.status == PermitStatus.ISSUED.value and permit.valid_until is not None and permit.valid_until < on:
        return PermitStatus.EXPIRED.value
    return permit.status


def _permit_facts(enterprise: Enterprise, on: date) -> dict[str, Any]:
    permits = list(enterprise.permits)
    if not permits:
        return {"permit_status": PermitStatus.NONE.value}
    statuses = [(p, _permit_status(p, on)) for p in permits]
    best, status = min(statuses, key=lambda ps: _PERMIT_ORDER.index(PermitStatus(ps[1])) if ps[1] in _PERMIT_ORDER else 99)
    return {"permit_status": status, "permit_kind": best.kind}


def _vehicles(enterprise: Enterprise) -> list[dict[str, str]]:
    fleet = (("china_3", enterprise.fleet_china3), ("china_4", enterprise.fleet_china4),
             ("china_5", enterprise.fleet_china5), ("china_6", enterprise.fleet_china6))
    return [{"vehicle_id": f"{standard}-{i + 1}", "standard": standard}
            for standard, count in fleet for i in range(count or 0)]


def _daily_emissions(enterprise: Enterprise) -> dict[str, float]:
    totals: dict[str, float] = {}
    for line in enterprise.lines:
        for pollutant in ("so2", "nox", "pm", "vocs"):
            value = getattr(line, f"daily_emission_{pollutant}_kg")
            if value is not None:
                totals[pollutant] = totals.get(pollutant, 0.0) + float(value)
    return totals


def enterprise_facts(
    enterprise: Enterprise,
    *,
    on: date,
    emergency_grades: list[dict[str, Any]] | None = None,
    unfiled_ratio_changes: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `enterprise` object of an evaluate document for this registration on date `on`.

    `emergency_grades` and `extra` carry what other domains decide (effective grades, tiers,
    benchmark designation, filing state); they are passed in, never looked up here.
    `unfiled_ratio_changes` (registry.schedules.queries.unfiled_ratio_changes) are the staggering ratios changed
    since the list was last filed: any one is `staggering_list_changed_without_filing` (F-15 / D-09, 001:101).
    """
    out: dict[str, Any] = {
        "enterprise_id": str(enterprise.id),
        "name": enterprise.name,
        "sector": enterprise.sector,
        "sub_type": enterprise.sub_type,
        "meets_permit_requirements": bool(enterprise.meets_permit_requirements)
        and all(p.discharging_per_permit for p in enterprise.permits),
        "stably_compliant": bool(enterprise.stably_compliant),
        "autumn_winter_tasks_completed": bool(enterprise.autumn_winter_tasks_done),
        "cems_data_valid": bool(enterprise.cems_data_valid),
        "conforms_to_industrial_policy": bool(enterprise.conforms_to_industrial_policy),
        "restricted_category": bool(enterprise.restricted_category),
        "scattered_class": enterprise.scattered_class,
        "coal_project_without_replacement": bool(enterprise.coal_project_without_replacement),
        "relocation_overdue": bool(enterprise.relocation_deadline and enterprise.relocation_deadline < on),
        "location_flags": [flag for attr, flag in _LOCATION_FLAGS if getattr(enterprise, attr)],
        "key_vehicle_user": bool(enterprise.key_vehicle_user),
        "city_logistics": bool(enterprise.city_logistics),
        "heavy_diesel_vehicles": int(enterprise.heavy_diesel_vehicles or 0),
        "lines": [line_facts(line, enterprise) for line in enterprise.lines],
    }
    out.update(_permit_facts(enterprise, on))
    _put(out, "capacity_utilisation_2018", _num(enterprise.capacity_utilisation_2018))
    _put(out, "technology_level", enterprise.technology_level)
    _put(out, "transport_structure", enterprise.transport_structure)
    _put(out, "product_level", enterprise.product_level)
    vehicles = _vehicles(enterprise)
    if vehicles:
        out["vehicles"] = vehicles
    emissions = _daily_emissions(enterprise)
    if emissions:
        out["normal_daily_emissions"] = emissions
        out["baseline_class"] = "industrial"  # 002:582: industrial enterprises × 330 days
    if emergency_grades:
        out["emergency_grades"] = emergency_grades
    if unfiled_ratio_changes:
        out["staggering_list_changed_without_filing"] = True
    out.update(extra or {})
    return out


def evaluate_document(enterprise: Enterprise, *, pack: str, on: date, alert_level: str = "none", **kwargs) -> dict[str, Any]:
    """A whole evaluate document (the public contract's input, the schedules' stored inputs, the batch path)."""
    return {
        "pack": pack,
        "date": on.isoformat(),
        "alert_level": alert_level,
        "enterprise": enterprise_facts(enterprise, on=on, **kwargs),
    }
