"""Demo alerts (issue 17 item 5): per demo jurisdiction one finished episode (issued, raised, lifted) and one
active episode, with some enterprises' receipts and some left unacknowledged — built through the operations, as
the officials and enterprises would, so orders, inbox entries, deliveries and the audit log are all real."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from registry.accounts.models import User
from registry.alerts import operations as ops
from registry.alerts.models import AlertEpisode, AlertOrder
from registry.core.timeutil import utcnow
from registry.extensions import db

# (issuing official, region, first level, raised to, document prefix, issuing body)
DEMO = (
    ("langfang", "131000", "orange", "red", "廊重污染应急", "廊坊市重污染天气应急指挥部办公室"),
    ("shijiazhuang", "130100", "yellow", "orange", "石重污染应急", "石家庄市重污染天气应急指挥部办公室"),
    ("jiyuan", "419001", "yellow", "orange", "济重污染应急", "济源市重污染天气应急指挥部办公室"),
    ("jizhou", "120119", "yellow", "orange", "蓟重污染应急", "蓟州区重污染天气应急指挥部办公室"),
)


def build_alert_demo(seed: int = 2017) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # reproducible demo data, not security
    made = {"episodes": 0, "orders": 0, "receipts": 0}
    if db.session.scalar(select(func.count()).select_from(AlertEpisode)):
        return made
    now = utcnow().replace(second=0, microsecond=0)
    for username, region, first, raised, prefix, body in DEMO:
        official = db.session.scalar(select(User).where(User.username == username))
        if official is None:
            continue
        start = now - timedelta(days=12)
        done = ops.issue(official, {"scope": "city", "region_code": region, "level": first, "starts_at": start,
                                    "expected_end_at": start + timedelta(days=3), "doc_number": f"{prefix}〔2026〕1号",
                                    "issuing_body": body, "reason": "预测未来72小时将出现重度及以上污染过程（演示数据）"})
        ops.change_level(official, done.id, {"level": raised, "at": start + timedelta(hours=20),
                                             "doc_number": f"{prefix}〔2026〕2号", "note": "污染加重，升级预警（演示数据）"})
        _acknowledge(done, rng, 1.0)
        ops.lift(official, done.id, {"at": start + timedelta(days=3, hours=6), "clear_hours": 48,
                                     "doc_number": f"{prefix}〔2026〕3号", "note": "预测空气质量持续改善（演示数据）"})
        active = ops.issue(official, {"scope": "city", "region_code": region, "level": first,
                                      "starts_at": now - timedelta(hours=6), "expected_end_at": now + timedelta(days=2),
                                      "doc_number": f"{prefix}〔2026〕4号", "issuing_body": body,
                                      "reason": "预测未来48小时将出现重度污染过程（演示数据）"})
        made["receipts"] += _acknowledge(active, rng, 0.5)  # about half acknowledge; the rest are "unacknowledged"
        made["episodes"] += 2
        made["orders"] += db.session.scalar(select(func.count()).select_from(AlertOrder).where(
            AlertOrder.episode_id.in_([done.id, active.id]))) or 0
    db.session.flush()
    return made


def _acknowledge(ep: AlertEpisode, rng: random.Random, share: float) -> int:
    n = 0
    orders = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id, AlertOrder.window_end.is_(None))
                                .order_by(AlertOrder.id)).all()
    for order in orders:
        if rng.random() > share:
            continue
        user = db.session.scalar(select(User).where(User.enterprise_id == order.enterprise_id).order_by(User.id).limit(1))
        if user is None:
            continue
        ops.open_order(user, order.id)
        ops.acknowledge(user, order.id, {"note": rng.choice(["已按指令落实", "已安排停限产", "收到，立即执行", ""])})
        n += 1
    return n
