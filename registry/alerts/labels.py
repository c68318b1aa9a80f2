"""The alerts domain's vocabularies in the label registry (registry/core/codes.py): episode status and scope,
level-change kinds, delivery channels and statuses, inbox kinds, the episode rules' grounds and the audit actions.
Alert levels themselves are the engine's `AlertLevel` (known to the registry without registering)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from registry.core import codes
from registry.core.citations import LOCAL_SOURCES

STATUS = {"active": lazy_pgettext("alert episode", "In force"), "lifted": lazy_pgettext("alert episode", "Lifted")}
SCOPE = {"city": _l("Whole city"), "counties": _l("Listed counties"), "regional": _l("Regional alert (several cities)")}
CHANGE = {"issue": _l("Issued"), "raise": _l("Raised"), "lower": _l("Lowered"), "lift": _l("Lifted"),
          "merge": _l("Continued (one episode)")}
CHANNEL = {"inapp": _l("In-app inbox"), "email": _l("E-mail"), "sms": _l("SMS")}
DELIVERY = {"sent": _l("Sent"), "failed": _l("Failed"), "skipped": _l("Not configured")}
INBOX = {"alert_order": _l("Alert order"), "alert_ended": _l("Alert ended"), "reminder": _l("Reminder")}
STATE = {"delivered": _l("Delivered"), "read": _l("Read"), "acknowledged": _l("Acknowledged"),
         "undelivered": _l("Not delivered")}
GROUNDS = {
    "episode.lift_condition": _l("Lifted when air quality is light pollution or better for at least %(value)s hours"),
    "episode.merge": _l("Less than %(value)s hours after the lift: the same episode, on the strict side"),
    "episode.advance_notice": _l("The alert is published %(value)s hours before it starts"),
    "episode.short_notice": _l("Published %(hours)s hours ahead; the pack asks for %(min_hours)s–%(max_hours)s hours"),
    "episode.regional_by_province": _l("Regional alert issued by the province; the cities start the same level"),
}
AUDIT = {
    "alert.issue": _l("Alert issued"),
    "alert.change": _l("Alert level changed"),
    "alert.lift": _l("Alert lifted"),
    "alert.merge": _l("Alert continued as one episode"),
    "alert.orders": _l("Alert orders issued"),
    "alert.resend": _l("Alert orders re-sent"),
    "alert.acknowledge": _l("Alert order acknowledged"),
    "alert.read": _l("Alert order read"),
    "alert.remind_plans": _l("Plan reminders sent"),  # registry/alerts/reminders.py
}
MEASURE = {"none": _l("No measure"), "stop": _l("Stop production"), "curtail": _l("Curtail production"),
           "max_load": _l("Run at most at the filed load"), "extend_coking": _l("Extend the coking time")}

TRANSPORT = {
    "heating_season_minimum_standard": _l("In the heating season every transport vehicle must meet at least %(standard)s"),
    "no_heavy_goods_vehicles_in_or_out": _l("No heavy goods vehicles may enter or leave the site during the alert"),
    "no_all_transport_vehicles_in_or_out": _l("No transport vehicle may enter or leave the site during the alert"),
    "no_diesel_trucks_in_or_out": _l("No diesel trucks may enter or leave the site during the alert"),
}
EXCEPTION = {"safe_production": _l("safe production"), "livelihood_goods": _l("livelihood goods"),
             "special_demand": _l("special demand products"), "port_service": _l("port collection and distribution")}


def register() -> None:
    codes.register("alerts.status", STATUS)
    codes.register("alerts.scope", SCOPE)
    codes.register("alerts.change", CHANGE)
    codes.register("alerts.channel", CHANNEL)
    codes.register("alerts.delivery", DELIVERY)
    codes.register("alerts.inbox", INBOX)
    codes.register("alerts.state", STATE)
    codes.register("alerts.ground", GROUNDS)
    codes.register("alerts.measure", MEASURE)
    codes.register("alerts.transport", TRANSPORT)
    codes.register("alerts.exception", EXCEPTION)
    codes.register("audit.action", AUDIT)


register()


def ground_text(g: dict) -> str:
    """A ground's sentence in the reader's language (its rule and clause go into the 依据 detail: ground_reasons)."""
    params = {k: v for k, v in g.items() if k not in ("code", "rule", "source", "setting")}
    if isinstance(params.get("value"), list):
        params["value"] = "–".join(str(v) for v in params["value"])
    return codes.label("alerts.ground", g.get("code"), **params)


def ground_reasons(g: dict) -> list[dict]:
    """A ground as the 依据 detail's reasons (templates/macros/basis.html): its clause in words, a local setting as
    地方设定：… (the pack setting it reads, coded `setting.reading`), the rule id on hover."""
    source = str(g.get("source") or "").strip()
    if g.get("setting") and source in LOCAL_SOURCES:
        return [{"rule": g.get("rule"), "source": source, "code": "setting.reading",
                 "params": {"setting": g["setting"], "value": g.get("value")}}]
    return [{"rule": g.get("rule"), "source": source}] if source else []


def transport_text(t: dict) -> str:
    """A transport restriction in plain words, with its exceptions (its clause goes into the 依据 detail)."""
    standard = t.get("minimum_standard") or ""
    text = codes.label("alerts.transport", t.get("restriction"), standard=codes.label("VehicleStandard", standard) if standard else "")
    if t.get("exceptions"):
        text += " (" + str(_l("except")) + " " + "、".join(codes.label("alerts.exception", e) for e in t["exceptions"]) + ")"
    if t.get("in_principle"):
        text += " — " + str(_l("in principle"))
    return text


# ---- the audit log's summary of an alert step, from the entry's action and its before/after (no English) ----

def _level(code) -> str:
    return codes.label("AlertLevel", code) if code else "—"


def _areas(codes_: list | None) -> str:
    from registry.core.regions import region_label

    return "、".join(region_label(c).split(" ")[-1] for c in codes_ or []) or "—"


def _count(value) -> int:
    return len(value) if isinstance(value, (list, tuple)) else int(value or 0)


SUMMARIES = {
    "alert.merge": lambda before, after: _("Continued as one episode at %(level)s", level=_level(after.get("level"))),
    "alert.issue": lambda before, after: _("%(level)s alert over %(areas)s", level=_level(after.get("level")),
                                           areas=_areas(after.get("areas"))),
    "alert.orders": lambda before, after: (
        _("%(n)s orders at %(level)s", n=_count(after.get("orders")), level=_level(after.get("level")))
        if after.get("level") else _("%(n)s orders issued", n=_count(after.get("orders")))),
    "alert.change": lambda before, after: _("Alert level %(old)s → %(new)s", old=_level(before.get("level")),
                                            new=_level(after.get("level"))),
    "alert.lift": lambda before, after: _("Alert lifted, %(n)s orders ended", n=_count(after.get("orders_ended"))),
    "alert.resend": lambda before, after: _("%(n)s orders re-sent", n=_count(after.get("count", after.get("orders")))),
    # the action's label says it all; the receipt's note is the enterprise's own words
    "alert.acknowledge": lambda before, after: str(after.get("note") or ""),
    "alert.read": lambda before, after: "",
}


def summary_text(entry: dict) -> str | None:
    """An alert step's audit summary in the reader's language (the audit page, the enterprise history); None for an
    entry that is not an alert step. The stored summary stays as written (the log is not rewritten)."""
    shown = SUMMARIES.get(str(entry.get("action") or ""))
    if shown is None:
        return None
    before, after = entry.get("before"), entry.get("after")
    try:
        return shown(before if isinstance(before, dict) else {}, after if isinstance(after, dict) else {})
    except (TypeError, ValueError):
        return codes.label("audit.action", entry.get("action"))
