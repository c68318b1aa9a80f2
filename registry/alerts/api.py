"""Alerts API: episodes (issue, change level, lift, re-send, per-enterprise status), orders and receipts, the inbox.

Thin resources: parse → one operation → the request's unit of work commits → dump. Out of scope → 404, in scope
without permission → 403, a state that forbids the action (lifted, an area already under an alert,
acknowledged twice) → 409.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.alerts import auth, queries
from registry.alerts import operations as ops
from registry.alerts.schemas import (
    AlertAckInput,
    AlertEpisodeOut,
    AlertIssueInput,
    AlertLevelInput,
    AlertLiftInput,
    AlertOrderOut,
    AlertResendInput,
    AlertStatusOut,
    InboxMessageOut,
    ReceiptOut,
)
from registry.core import codes, unit_of_work
from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import body, errors, json_body
from registry.core.errors import NotFound
from registry.core.validation import load

DESCRIPTION = """Heavy-pollution alerts (重污染天气预警, issue 17): a city issues, raises, lowers and lifts an alert over
the whole city or listed counties; the province a regional alert over several cities (003:48). The episode rules
apply and are cited (R-W-02 lifting, R-W-03 one episode on the strict side, 000:147; R-W-06 advance notice,
004:381). Each step issues an order for every covered enterprise (its filed plan, else the pack's minimum, plus
transport restrictions), delivered in-app at once, by e-mail where SMTP is configured and by SMS; the enterprise
acknowledges (回执)."""

blp = Blueprint("alerts_api", __name__, url_prefix="/api/v1", description=DESCRIPTION)
guard(blp)


class EpisodeListOut(Schema):
    items = fields.List(fields.Nested(AlertEpisodeOut))


class StatusListOut(Schema):
    items = fields.List(fields.Nested(AlertStatusOut))


class OrderListOut(Schema):
    items = fields.List(fields.Nested(AlertOrderOut))


class InboxListOut(Schema):
    items = fields.List(fields.Nested(InboxMessageOut))
    unread = fields.Integer()


class ResendOut(Schema):
    orders = fields.Integer()
    counts = fields.Dict()


class EpisodeQuery(Schema):
    status = fields.String(load_default=None, metadata={"description": "active or lifted"})


class StatusQuery(Schema):
    unacknowledged = fields.Boolean(load_default=False)


def _episode(ep) -> dict:
    out = {c.key: getattr(ep, c.key) for c in ep.__table__.columns}
    out.update(area_codes=ep.area_codes, changes=queries.changes(ep), counts=queries.counts(ep),
               level_label=codes.label("AlertLevel", ep.level))
    return out


@blp.route("/alert-episodes")
class Episodes(MethodView):
    @login_required
    @blp.arguments(EpisodeQuery, location="query")
    @blp.response(200, EpisodeListOut)
    @errors(blp, 401)
    def get(self, args):
        """The episodes you may see (officials whose scope touches the area), newest first."""
        return {"items": [_episode(ep) for ep in queries.episodes(actor(), args.get("status"))]}

    @login_required
    @body(AlertIssueInput)
    @blp.response(201, AlertEpisodeOut)
    @errors(blp, 401, 403, 409)
    def post(self):
        """Issue an alert (the city; the province for a regional alert) and deliver the orders."""
        data = load(AlertIssueInput(), json_body())
        return _episode(unit_of_work.run(ops.issue, actor(), data))


@blp.route("/alert-episodes/<int:episode_id>")
class Episode(MethodView):
    @login_required
    @blp.response(200, AlertEpisodeOut)
    @errors(blp, 401, 404)
    def get(self, episode_id: int):
        """One episode with its history of levels and times and the acknowledgement counts."""
        return _episode(ops.get_episode(actor(), episode_id))


@blp.route("/alert-episodes/<int:episode_id>/level")
class EpisodeLevel(MethodView):
    @login_required
    @body(AlertLevelInput)
    @blp.response(200, AlertEpisodeOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, episode_id: int):
        """Raise or lower: the open orders end and new orders replace them (the old are kept)."""
        return _episode(unit_of_work.run(ops.change_level, actor(), episode_id, load(AlertLevelInput(), json_body())))


@blp.route("/alert-episodes/<int:episode_id>/lift")
class EpisodeLift(MethodView):
    @login_required
    @body(AlertLiftInput)
    @blp.response(200, AlertEpisodeOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, episode_id: int):
        """Lift (R-W-02): every open order ends."""
        return _episode(unit_of_work.run(ops.lift, actor(), episode_id, load(AlertLiftInput(), json_body())))


@blp.route("/alert-episodes/<int:episode_id>/resend")
class EpisodeResend(MethodView):
    @login_required
    @body(AlertResendInput)
    @blp.response(200, ResendOut)
    @errors(blp, 401, 403, 404)
    def post(self, episode_id: int):
        """Deliver the open orders again (by default only to the enterprises that have not acknowledged)."""
        out = unit_of_work.run(ops.resend, actor(), episode_id, load(AlertResendInput(), json_body()))
        return {"orders": out.pop("orders"), "counts": out}


@blp.route("/alert-episodes/<int:episode_id>/status")
class EpisodeStatus(MethodView):
    @login_required
    @blp.arguments(StatusQuery, location="query")
    @blp.response(200, StatusListOut)
    @errors(blp, 401, 404)
    def get(self, args, episode_id: int):
        """Per enterprise: its latest order, delivered (channels), read, acknowledged (with the receipt's note)."""
        ep = ops.get_episode(actor(), episode_id)
        return {"items": queries.status_rows(ep, unacknowledged=args["unacknowledged"])}


@blp.route("/alert-orders")
class Orders(MethodView):
    @login_required
    @blp.response(200, OrderListOut)
    @errors(blp, 401)
    def get(self):
        """Your enterprise's orders, newest first (enterprise users)."""
        me = actor()
        if not getattr(me, "enterprise_id", None):
            return {"items": []}
        return {"items": queries.enterprise_orders(me.enterprise_id)}


@blp.route("/alert-orders/<int:order_id>")
class Order(MethodView):
    @login_required
    @blp.response(200, AlertOrderOut)
    @errors(blp, 401, 404)
    def get(self, order_id: int):
        """One order as issued (opening it as the enterprise marks it read)."""
        return unit_of_work.run(ops.open_order, actor(), order_id)


@blp.route("/alert-orders/<int:order_id>/receipt")
class OrderReceipt(MethodView):
    @login_required
    @body(AlertAckInput)
    @blp.response(201, ReceiptOut)
    @errors(blp, 401, 403, 404, 409)
    def post(self, order_id: int):
        """Acknowledge receipt (回执): the enterprise's user, now, with an optional note; once per order."""
        return unit_of_work.run(ops.acknowledge, actor(), order_id, load(AlertAckInput(), json_body()))


@blp.route("/inbox")
class Inbox(MethodView):
    @login_required
    @blp.response(200, InboxListOut)
    @errors(blp, 401, 404)
    def get(self):
        """Your enterprise's inbox, newest first."""
        me = actor()
        if not getattr(me, "enterprise_id", None) or not auth.is_recipient(me, me.enterprise_id):
            raise NotFound("")
        return {"items": queries.inbox(me.enterprise_id), "unread": queries.unread_count(me.enterprise_id)}
