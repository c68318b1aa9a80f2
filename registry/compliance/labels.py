"""The compliance domain's vocabularies in the label registry (registry/core/codes.py): checks, severities,
statuses, outcomes, task statuses, the evidence sentence of each check, the check settings (shown beside each
result as 地方设定 or with their clause) and the audit actions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from registry.core import codes

CHECK = {
    "stopped_line_power": _l("Stopped line still drawing production power"),
    "curtailment_shortfall": _l("Curtailment short of its percentage"),
    "control_off": _l("Pollution-control facility off while production runs"),
    "cems_transmission": _l("Online monitoring transmission below the required rate"),
    "banned_vehicle": _l("Banned vehicle entering during the transport ban"),
}
# The evidence in one sentence per check (params from the check's result).
DETAIL = {
    "stopped_line_power": _l("Production electricity %(actual_kwh)s kWh is %(share)s %% of the baseline "
                             "%(baseline_kwh)s kWh; a stopped line may draw at most %(max_share)s %%"),
    "curtailment_shortfall": _l("Electricity fell by %(reduction)s %% against the baseline; the order is a "
                                "%(percentage)s %% curtailment (tolerance %(tolerance)s points)"),
    "control_off": _l("The control facility was off in %(off_hours)s of %(running_hours)s producing hours "
                      "(anomaly from %(min_hours)s hours)"),
    "cems_transmission": _l("Effective transmission %(rate)s %% (%(valid)s of %(expected)s hourly values); "
                            "required at least %(min_rate)s %%"),
    "banned_vehicle": _l("%(banned)s entries of banned vehicles during the alert: %(plates)s"),
}
SEVERITY = {"low": lazy_pgettext("severity", "Low"), "medium": lazy_pgettext("severity", "Medium"),
            "high": lazy_pgettext("severity", "High")}
STATUS = {"open": lazy_pgettext("anomaly", "Open"), "explained": lazy_pgettext("anomaly", "Explained"),
          "inspecting": lazy_pgettext("anomaly", "Under inspection"), "cleared": lazy_pgettext("anomaly", "Cleared"),
          "violation": lazy_pgettext("anomaly", "Violation found"),
          "falsified": lazy_pgettext("anomaly", "Falsified data found")}
OUTCOME = {"cleared": _l("Cleared: no violation"), "violation": _l("Violation: grade one step down"),
           "falsified": _l("Falsified data: grade C")}
TASK = {"open": lazy_pgettext("inspection task", "To do"), "done": lazy_pgettext("inspection task", "Done")}
SOURCE = {"order": _l("Alert order"), "schedule": _l("Staggered-production schedule"),
          "monitoring": _l("Continuous monitoring duty")}
SETTING = {
    "compliance_stop_max_share": _l("Share of the baseline a stopped line may draw (%)"),
    "compliance_curtail_tolerance": _l("Tolerance on a curtailment's reduction (percentage points)"),
    "compliance_min_baseline_kwh": _l("Smallest baseline that can be checked (kWh)"),
    "compliance_production_running_share": _l("Share of the baseline at which production counts as running (%)"),
    "compliance_control_off_share": _l("Share of its baseline below which a control facility counts as off (%)"),
    "compliance_control_off_min_hours": _l("Producing hours with the control facility off that make an anomaly"),
    "compliance_cems_min_rate": _l("Required effective transmission rate (%)"),
    "compliance_cems_valid_flags": _l("Data flags that count as transmitted"),
    "compliance_gate_high_count": _l("Banned entries that make a high-severity anomaly"),
}
SETTING_REASON = {
    "compliance_stop_max_share": _l("A stopped line keeps only standby load; fully stopped enterprises' electricity "
                                    "fell by more than three quarters in a studied control period"),
    "compliance_curtail_tolerance": _l("Electricity falls roughly, not exactly, in proportion to a curtailment"),
    "compliance_min_baseline_kwh": _l("A smaller baseline cannot tell production from standby"),
    "compliance_production_running_share": _l("An hour counts as producing above the share a stopped line may draw: "
                                              "a curtailed line still runs"),
    "compliance_control_off_share": _l("A control facility drawing less than a fifth of its usual power is off"),
    "compliance_control_off_min_hours": _l("One hour may be a meter gap or a short stop"),
    "compliance_cems_valid_flags": _l("Normal, stopped, maintenance, set, over-range and calibration values count; "
                                      "faults and communication failures do not"),
    "compliance_gate_high_count": _l("Fewer entries may be permitted exceptions the enterprise can explain"),
}
AUDIT = {
    "compliance.check": _l("Compliance checks run"),
    "compliance.ask": _l("Enterprise asked to explain an anomaly"),
    "compliance.explain": _l("Anomaly explained"),
    "compliance.task": _l("Inspection task assigned"),
    "compliance.record": _l("Inspection recorded"),
}
# object_type of audit entries (a table's name) → what the audit page calls it
OBJECTS = {"compliance_anomaly": _l("Anomaly"), "compliance_explanation": _l("Explanation"),
           "compliance_inspection_task": _l("Inspection task"), "compliance_inspection_record": _l("Inspection record"),
           "compliance_inspection_photo": _l("Photo of the visit")}


def register() -> None:
    codes.register("compliance.check", CHECK)
    codes.register("compliance.detail", DETAIL)
    codes.register("compliance.severity", SEVERITY)
    codes.register("compliance.status", STATUS)
    codes.register("compliance.outcome", OUTCOME)
    codes.register("compliance.task", TASK)
    codes.register("compliance.source", SOURCE)
    codes.register("engine.setting", SETTING)
    codes.register("engine.setting_reason", SETTING_REASON)
    codes.register("audit.action", AUDIT)
    codes.register("audit.object", OBJECTS)


register()


def detail(check: str, evidence: dict) -> str:
    """The check's evidence in one sentence in the reader's language."""
    params = {k: v for k, v in (evidence or {}).items() if not isinstance(v, (list, dict)) or k == "plates"}
    if isinstance(params.get("plates"), list):
        params["plates"] = "、".join(str(p) for p in params["plates"]) or "—"
    for k in ("share", "reduction", "rate", "actual_kwh", "baseline_kwh", "max_share", "percentage", "tolerance",
              "off_hours", "running_hours", "min_hours", "valid", "expected", "min_rate", "banned"):
        params.setdefault(k, "—")
        if params[k] is None:
            params[k] = "—"
    try:
        return codes.label("compliance.detail", check, **params)
    except (KeyError, ValueError, TypeError):
        return codes.label("compliance.check", check)
