"""Shared by the compliance tests: an alert issued in the demo city, an order with a stopped or curtailed line,
meters on it and a day of readings in a store under tmp_path (issue 19)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
from sqlalchemy import select

from registry.accounts.models import User
from registry.alerts import operations as alert_ops
from registry.alerts.models import AlertOrder
from registry.compliance.checks import to_beijing
from registry.core.timeutil import utcnow
from registry.extensions import db
from registry.readings.models import Meter, Stack


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def issue(level: str = "orange"):
    data = {"scope": "city", "region_code": "131000", "level": level, "doc_number": "廊气领办〔2026〕9号",
            "issuing_body": "廊坊市重污染天气应急指挥部", "reason": "预测未来72小时AQI日均值>200",
            "starts_at": utcnow(), "expected_end_at": utcnow() + timedelta(hours=72)}
    ep = alert_ops.issue(user("langfang"), data)
    db.session.commit()
    return ep


def stopped_order(ep, measure: str = "stop") -> tuple[AlertOrder, dict]:
    """An order of the episode with a line under `measure` (the first found), and that line's dict."""
    for o in db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id).order_by(AlertOrder.id)):
        for line in o.content.get("lines", []):
            if line.get("measure") == measure:
                return o, line
    raise AssertionError(f"no order with a {measure} line")


def meters_for(order: AlertOrder, line: dict, control: bool = True) -> tuple[Meter, Meter | None]:
    prod = Meter(enterprise_id=order.enterprise_id, line_id=line["line_id"], code=f"P{line['line_id']}",
                 facility=line.get("name") or "生产线", role="production", interval_minutes=15)
    db.session.add(prod)
    ctl = None
    if control:
        ctl = Meter(enterprise_id=order.enterprise_id, line_id=line["line_id"], code=f"C{line['line_id']}",
                    facility="除尘设施", role="control", interval_minutes=15)
        db.session.add(ctl)
    db.session.commit()
    return prod, ctl


def stack_for(order: AlertOrder, line: dict) -> Stack:
    s = Stack(enterprise_id=order.enterprise_id, line_id=line["line_id"], name="1号排气筒", mn=f"MN{order.id:020d}"[:24])
    db.session.add(s)
    db.session.commit()
    return s


def window_start(order: AlertOrder) -> datetime:
    return to_beijing(order.window_start).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def write_power(store, meter_id: int, enterprise_id: int, start: datetime, kw: float, factor: float,
                hours: int = 24, baseline_days: int = 15) -> None:
    """`baseline_days` of `kw` before `start`, then `hours` at kw × factor (15-minute energy, ts starting it)."""
    rows = {"city_code": [], "enterprise_id": [], "meter_id": [], "ts": [], "kwh": []}
    t = start - timedelta(days=baseline_days)
    end = start + timedelta(hours=hours)
    while t < end:
        f = factor if t >= start else 1.0
        rows["city_code"].append("131000")
        rows["enterprise_id"].append(enterprise_id)
        rows["meter_id"].append(meter_id)
        rows["ts"].append(t)
        rows["kwh"].append(kw / 4 * f)
        t += timedelta(minutes=15)
    store.append("electricity", pa.table(rows))
