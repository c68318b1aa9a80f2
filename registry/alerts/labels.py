"""The alerts domain's vocabularies in the label registry (registry/core/codes.py): episode status and scope,
level-change kinds, delivery channels and statuses, inbox kinds, the episode rules' grounds and the audit actions.
Alert levels themselves are the engine's `AlertLevel` (known to the registry without registering)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from registry.core import codes

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
    """A ground's sentence in the reader's language, with its rule and clause."""
    params = {k: v for k, v in g.items() if k not in ("code", "rule", "source", "setting")}
    if isinstance(params.get("value"), list):
        params["value"] = "–".join(str(v) for v in params["value"])
    text = codes.label("alerts.ground", g.get("code"), **params)
    return f"{text} ({g.get('rule')}, {g.get('source')})"


def transport_text(t: dict) -> str:
    """A transport restriction in plain words, with its exceptions and clause."""
    standard = t.get("minimum_standard") or ""
    text = codes.label("alerts.transport", t.get("restriction"), standard=codes.label("VehicleStandard", standard) if standard else "")
    if t.get("exceptions"):
        text += " (" + str(_l("except")) + " " + "、".join(codes.label("alerts.exception", e) for e in t["exceptions"]) + ")"
    if t.get("in_principle"):
        text += " — " + str(_l("in principle"))
    return f"{text} ({t.get('rule')}, {t.get('source')})"
