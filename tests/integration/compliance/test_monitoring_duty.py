"""Issue 19, R-CK-04 (001:107, 003:55 数据传输有效率达到90%; R-V-07 正常生产…均应保证…联网传输数据): an enterprise with no
order in the period is still checked for the duties that hold at all times — here a stack transmitting half the
day's hours — as a 'monitoring' window; a rerun adds nothing."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pyarrow as pa
import pytest
from sqlalchemy import select

from registry.compliance import operations as ops
from registry.compliance.models import Anomaly
from registry.core.timeutil import beijing_today
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.readings.models import Stack
from registry.readings.store import ReadingsStore

from .helpers import user

pytestmark = pytest.mark.demo_city(per_city=4)


def test_stack_below_rate_without_any_order(demo_city, tmp_path):
    ent = db.session.scalars(select(Enterprise).where(Enterprise.region_code.startswith("1310")).order_by(Enterprise.id)).first()
    stack = Stack(enterprise_id=ent.id, name="1号排气筒", mn="MNMONITOR0000000000001")
    db.session.add(stack)
    db.session.commit()
    day = beijing_today() - timedelta(days=2)
    hours = [datetime.combine(day, time(h)) for h in range(0, 24, 2)]  # 12 of 24 hours
    store = ReadingsStore(tmp_path / "readings")
    store.append("cems", pa.table({"city_code": ["131000"] * 12, "enterprise_id": [ent.id] * 12,
                                   "stack_id": [stack.id] * 12, "ts": hours, "so2": [10.0] * 12, "nox": [30.0] * 12,
                                   "pm": [5.0] * 12, "o2": [8.0] * 12, "flow": [1e5] * 12, "status": ["N"] * 12}))
    ops.run_checks(user("langfang"), day, day, store=store)
    db.session.commit()
    rows = db.session.scalars(select(Anomaly).where(Anomaly.enterprise_id == ent.id)).all()
    assert len(rows) == 1 and rows[0].source_kind == "monitoring" and rows[0].check_code == "cems_transmission"
    assert rows[0].evidence["rate"] == 50.0 and rows[0].severity == "medium"
    ops.run_checks(user("langfang"), day, day, store=store)
    db.session.commit()
    assert len(db.session.scalars(select(Anomaly).where(Anomaly.enterprise_id == ent.id)).all()) == 1
