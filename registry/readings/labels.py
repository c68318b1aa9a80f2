"""The readings domain's vocabularies in the label registry (registry/core/codes.py): kinds of readings, how a
batch came in, meter roles and intervals, the HJ 212 data flags of CEMS values, gate directions, emission
standards and fuels of trucks at the gate, the baseline methods and the audit actions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from registry.core import codes

KIND = {"electricity": _l("Electricity sub-meter readings"), "cems": _l("CEMS hourly values"),
        "gate": _l("Truck gate entries")}
SOURCE = {"upload": _l("File upload"), "api": _l("API batch"), "stream": _l("Streaming endpoint"),
          "cli": _l("Command line"), "demo": _l("Demo data")}
ROLE = {"production": _l("Production facility"), "control": _l("Pollution-control facility")}
INTERVAL = {"15": _l("Every 15 minutes"), "60": _l("Hourly")}
# HJ 212-2017 data flags (数据标记)
FLAG = {"N": _l("Normal"), "F": _l("Stopped (shut down)"), "M": _l("Maintenance"), "S": _l("Set manually"),
        "D": _l("Fault"), "C": _l("Calibration"), "T": _l("Over range"), "B": _l("Transmission failure")}
DIRECTION = {"in": lazy_pgettext("gate", "Entering"), "out": lazy_pgettext("gate", "Leaving")}
STANDARD = {"国0": _l("China 0"), "国1": _l("China I"), "国2": _l("China II"), "国3": _l("China III"),
            "国4": _l("China IV"), "国5": _l("China V"), "国6": _l("China VI"), "电动": _l("Electric")}
FUEL = {"柴油": _l("Diesel"), "汽油": _l("Petrol"), "天然气": _l("Natural gas"), "电": _l("Electricity"),
        "氢": _l("Hydrogen"), "混合动力": _l("Hybrid")}
POLLUTANT = {"so2": _l("SO₂"), "nox": _l("NOx"), "pm": _l("Particulate matter"), "o2": _l("Oxygen"),
             "flow": _l("Flue gas flow"), "kwh": _l("Electricity (kWh)")}
BASELINE = {
    "median_same_hour_working_days": _l(
        "Median of the same hour of day over the previous %(days)s working days before the window"),
}
AUDIT = {
    "readings.import": _l("Readings loaded"),
    "readings.meter.create": _l("Meter registered"),
    "readings.meter.update": _l("Meter changed"),
    "readings.stack.create": _l("Stack registered"),
    "readings.stack.update": _l("Stack changed"),
}
OBJECTS = {"reading_meter": _l("Meter"), "reading_stack": _l("Stack"), "reading_batch": _l("Readings load")}
# the fields of a meter or stack as an enterprise's history shows them (registry/core/labels.py history views)
FIELDS = {"code": _l("Meter code"), "facility": _l("Facility"), "role": _l("Role"),
          "interval_minutes": _l("Reading interval"), "line_id": _l("Production line"), "active": _l("In use"),
          "name": _l("Stack name"), "mn": _l("MN code (HJ 212)")}


def history_view(entry: dict) -> dict | None:
    """A meter's or stack's registration and changes in its enterprise's history: labelled fields and values."""
    action = str(entry.get("action", ""))
    if not action.startswith("readings."):
        return None
    from registry.core.templating import yes_no

    def show(key: str, value) -> str | None:
        if value is None or value == "":
            return None
        if key == "role":
            return str(codes.label("readings.role", value))
        if key == "interval_minutes":
            return str(codes.label("readings.interval", str(value)))
        if key == "active":
            return yes_no(bool(value))
        if key == "line_id":
            from registry.enterprises.models import ProductionLine
            from registry.extensions import db

            line = db.session.get(ProductionLine, value)
            return line.name if line else None
        return str(value)

    before, after = entry.get("before") or {}, entry.get("after") or {}
    rows = []
    for key in dict.fromkeys([*before, *after]):
        b, a = show(key, before.get(key)), show(key, after.get(key))
        if b == a and "update" in action or (b is None and a is None):
            continue
        rows.append({"field": str(FIELDS.get(key, key)), "before": b, "after": a})
    return {"action_label": str(codes.label("audit.action", action)), "diff": rows}


def register() -> None:
    codes.register("readings.kind", KIND)
    codes.register("readings.source", SOURCE)
    codes.register("readings.role", ROLE)
    codes.register("readings.interval", INTERVAL)
    codes.register("readings.flag", FLAG)
    codes.register("readings.direction", DIRECTION)
    codes.register("readings.standard", STANDARD)
    codes.register("readings.fuel", FUEL)
    codes.register("readings.pollutant", POLLUTANT)
    codes.register("readings.baseline", BASELINE)
    codes.register("audit.action", AUDIT)
    codes.register("audit.object", OBJECTS)


register()
