"""Issue 17: an alert episode on the demo city — issue, orders for every covered enterprise, delivery, receipts,
level change replacing orders (old ones kept), lift ending them, R-W-02/R-W-03 applied, scopes enforced."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.accounts.models import User
from registry.alerts import operations as ops
from registry.alerts import queries
from registry.alerts.models import AlertOrder, Delivery, InboxMessage, LevelChange, Receipt
from registry.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.core.models import AuditEntry
from registry.core.timeutil import utcnow
from registry.emergency.queries import covered_enterprises
from registry.extensions import db

pytestmark = pytest.mark.demo_city(per_city=8)


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def _issue(level="orange", **over):
    data = {"scope": "city", "region_code": "131000", "level": level, "doc_number": "廊气领办〔2026〕1号",
            "issuing_body": "廊坊市重污染天气应急指挥部", "reason": "预测未来72小时AQI日均值>200",
            "starts_at": utcnow(), "expected_end_at": utcnow() + timedelta(hours=72), **over}
    ep = ops.issue(_user("langfang"), data)
    db.session.commit()
    return ep


def test_issue_gives_every_covered_enterprise_an_order_and_inbox_entry(demo_city):
    """Issue 17: an order for every enterprise in the area the pack covers, delivered in-app at once."""
    ep = _issue()
    covered = {e.id for e in covered_enterprises("131000")}
    orders = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id)).all()
    assert covered and {o.enterprise_id for o in orders} == covered
    assert all(o.level == "orange" and o.window_end is None for o in orders)
    inbox = db.session.scalar(select(func.count()).select_from(InboxMessage).where(InboxMessage.kind == "alert_order"))
    assert inbox == len(orders)
    sent = db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.channel == "inapp"))
    assert sent == len(orders)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"alert.issue", "alert.orders"} <= actions


def test_foundry_without_plan_gets_the_pack_measures(demo_city):
    """000:131 stops electric/gas foundries at yellow and above: the order has measures without any filed plan."""
    ep = _issue("yellow")
    with_measures = [o for o in db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id))
                     if o.content["lines"]]
    assert with_measures, "no covered enterprise got a line measure at yellow"


def test_acknowledge_read_and_status(demo_city):
    ep = _issue()
    order = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id)).first()
    owner = db.session.scalar(select(User).where(User.enterprise_id == order.enterprise_id))
    other = db.session.scalar(select(User).where(User.enterprise_id != order.enterprise_id, User.enterprise_id.is_not(None)))
    with pytest.raises(NotFound):
        ops.get_order(other, order.id)
    with pytest.raises(Forbidden):
        ops.acknowledge(_user("langfang"), order.id, {})
    ops.open_order(owner, order.id)
    ops.acknowledge(owner, order.id, {"note": "已安排停产"})
    db.session.commit()
    with pytest.raises(Conflict):
        ops.acknowledge(owner, order.id, {})
    rows = {r["enterprise_id"]: r for r in queries.status_rows(ep)}
    row = rows[order.enterprise_id]
    assert row["read_at"] and row["acknowledged_at"] and row["receipt_note"] == "已安排停产" and "inapp" in row["delivered"]
    unack = queries.status_rows(ep, unacknowledged=True)
    assert order.enterprise_id not in {r["enterprise_id"] for r in unack}
    assert len(unack) == len(rows) - 1


def test_level_change_replaces_orders_and_lift_ends_them(demo_city):
    """A level change creates new orders and ends the old (kept, not edited); lifting ends them (issue 17)."""
    ep = _issue()
    first = {o.id: o.enterprise_id for o in db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id))}
    ops.change_level(_user("langfang"), ep.id, {"level": "red", "note": "升级"})
    db.session.commit()
    db.session.expire_all()
    orders = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id)).all()
    old = [o for o in orders if o.id in first]
    new = [o for o in orders if o.id not in first]
    assert len(new) == len(old) and all(o.level == "red" and o.window_end is None for o in new)
    assert all(o.window_end is not None and o.superseded_by_id for o in old)
    assert all(o.level == "orange" for o in old)
    with pytest.raises(RuntimeError):  # immutable once issued
        old[0].level = "red"
        db.session.flush()
    db.session.rollback()
    with pytest.raises(ValidationFailed):  # R-W-02: less than 36 h of light pollution forecast
        ops.lift(_user("langfang"), ep.id, {"clear_hours": 12})
    ops.lift(_user("langfang"), ep.id, {"clear_hours": 36})
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AlertOrder).where(
        AlertOrder.episode_id == ep.id, AlertOrder.window_end.is_(None))) == 0
    kinds = [c.kind for c in db.session.scalars(select(LevelChange).where(LevelChange.episode_id == ep.id).order_by(LevelChange.seq))]
    assert kinds == ["issue", "raise", "lift"]


def test_new_alert_within_the_lifting_gap_continues_the_episode(demo_city):
    """R-W-03 (000:147): an alert less than 36 h after the lift is the same episode, on the strict side."""
    ep = _issue("red")
    ops.lift(_user("langfang"), ep.id, {"clear_hours": 36})
    db.session.commit()
    again = _issue("orange", starts_at=utcnow() + timedelta(hours=10))
    assert again.id == ep.id and again.level == "red" and again.status == "active"
    change = db.session.scalars(select(LevelChange).where(LevelChange.episode_id == ep.id).order_by(LevelChange.seq.desc())).first()
    assert change.kind == "merge" and any(g["rule"] == "R-W-03" for g in change.grounds)
    ops.lift(_user("langfang"), ep.id, {})
    db.session.commit()
    third = _issue("orange", starts_at=utcnow() + timedelta(hours=10 + 36))  # lifted at +10 h (its last step)
    assert third.id != ep.id


def test_scope_only_the_city_issues_and_only_one_episode_per_area(demo_city):
    with pytest.raises(Forbidden):
        ops.issue(_user("shijiazhuang"), {"scope": "city", "region_code": "131000", "level": "orange"})
    with pytest.raises(Forbidden):
        ops.issue(_user("qiye"), {"scope": "city", "region_code": "131000", "level": "orange"})
    _issue()
    with pytest.raises(Conflict):
        _issue()
    with pytest.raises(ValidationFailed):  # jjj-2019-20 / langfang: an unknown level
        ops.issue(_user("shijiazhuang"), {"scope": "city", "region_code": "130100", "level": "blue"})


def test_province_issues_a_regional_alert(demo_city):
    """R-W-05 (003:48): the province's regional alert over several cities gives orders in each."""
    ep = ops.issue(_user("hebei"), {"scope": "regional", "region_code": "130000", "area_codes": ["131000", "130100"],
                                    "level": "orange", "pack_id": "jjj-2019-20"})
    db.session.commit()
    regions = {o.region_code[:4] for o in db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id))}
    assert regions == {"1310", "1301"}
    with pytest.raises(Forbidden):
        ops.lift(_user("langfang"), ep.id, {})
    assert ep.id in {e.id for e in queries.episodes(_user("langfang"))}
    assert ep.id not in {e.id for e in queries.episodes(_user("jizhou"))} if _user("jizhou") else True


def test_receipts_are_append_only(demo_city):
    ep = _issue()
    order = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id)).first()
    owner = db.session.scalar(select(User).where(User.enterprise_id == order.enterprise_id))
    r = ops.acknowledge(owner, order.id, {})
    db.session.commit()
    with pytest.raises(RuntimeError):
        r.note = "changed"
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1


def test_an_enterprise_with_a_filed_plan_gets_its_plan(demo_city):
    """Issue 17: the enterprise's filed 一厂一策 where it exists (at least the pack's minimum), stored as issued."""
    from registry.emergency import operations as eops

    ent = next(e for e in covered_enterprises("131000") if e.lines)
    owner = db.session.scalar(select(User).where(User.enterprise_id == ent.id))
    entries = eops.prefill(owner, ent.id, "langfang-2017-18")
    for e in entries:
        if e["level"] == "orange" and e["measure"] == "none":
            e.update(measure="curtail", percent=40.0, key_indicators="电量下降40%", responsible_person="张三")
    plan = eops.save_plan(owner, ent.id, {"pack_id": "langfang-2017-18", "entries": entries})
    eops.file_plan(owner, plan.id)
    db.session.commit()
    ep = _issue("orange")
    order = db.session.scalar(select(AlertOrder).where(AlertOrder.episode_id == ep.id, AlertOrder.enterprise_id == ent.id))
    db.session.expire_all()
    sources = {ln["source"] for ln in order.content["lines"]}
    assert "plan" in sources  # a line whose plan entry is weaker than the day's decision takes the pack's (R-O-03)
    assert all(ln["reasons"] for ln in order.content["lines"])
    assert order.content["decided_on"] == "2017-11-15"  # outside the pack's period: its first heating-season day


def test_dashboard_panels_and_history_labels(demo_city):
    """Issue 17 item 4: the enterprise's panel lists its orders in force (unacknowledged urgent); the official's
    the active episodes with acknowledgement counts; the enterprise history labels the receipt."""
    from registry.alerts.panels import enterprise_panel, history_view, official_panel
    from registry.core.dashboard import dashboard_panels

    ep = _issue()
    order = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id)).first()
    owner = db.session.scalar(select(User).where(User.enterprise_id == order.enterprise_id))
    mine = enterprise_panel(owner)
    assert [i["tone"] for i in mine["items"]] == ["urgent"]
    ops.acknowledge(owner, order.id, {})
    db.session.commit()
    assert [i["tone"] for i in enterprise_panel(owner)["items"]] == ["done"]
    theirs = official_panel(_user("langfang"))
    assert len(theirs["items"]) == 1 and theirs["items"][0]["count"] == queries.counts(ep)["enterprises"] - 1
    assert official_panel(owner) is None and enterprise_panel(_user("langfang")) is None
    assert any(p["title"] == mine["title"] for p in dashboard_panels(owner))
    assert history_view({"action": "alert.acknowledge"})["action_label"] != "alert.acknowledge"


def test_listed_counties_only_and_county_scope(demo_city, make_user):
    """Issue 17: an alert over listed counties orders only their enterprises; a county outside it does not see it."""
    ep = _issue(scope="counties", area_codes=["131002"])
    regions = {o.region_code for o in db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id))}
    assert regions <= {"131002"}
    assert ep.id in {e.id for e in queries.episodes(_user("anci"))}  # 131002's own official
    other = make_user("county", "131003")
    assert ep.id not in {e.id for e in queries.episodes(other)}
    with pytest.raises(ValidationFailed):
        _issue(scope="counties", area_codes=["130102"])  # not a county of Langfang


def test_short_notice_is_flagged_where_the_pack_asks_for_it(demo_city):
    """R-W-06 (004:381): Shijiazhuang publishes alerts 1-2 days ahead; an alert starting now is issued and flagged."""
    now = ops.issue(_user("shijiazhuang"), {"scope": "city", "region_code": "130100", "level": "yellow"})
    db.session.commit()
    first = db.session.scalars(select(LevelChange).where(LevelChange.episode_id == now.id)).first()
    assert any(g["code"] == "episode.short_notice" and g["source"] == "004:381" for g in first.grounds)
    ops.lift(_user("shijiazhuang"), now.id, {})
    db.session.commit()
    ahead = ops.issue(_user("shijiazhuang"), {"scope": "city", "region_code": "130100", "level": "yellow",
                                              "starts_at": utcnow() + timedelta(hours=200)})
    db.session.commit()
    change = db.session.scalars(select(LevelChange).where(LevelChange.episode_id == ahead.id)).first()
    assert not any(g["code"] == "episode.short_notice" for g in change.grounds)
