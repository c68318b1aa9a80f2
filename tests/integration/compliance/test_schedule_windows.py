"""Issue 19: the checks run for staggered-production schedule windows too — the newest published version's stop and
curtail entries (ScheduleEntry windows, R-CK-02, 000:129 采暖季钢铁产能限产50%…采用企业实际用电量核实) — with the same idempotence."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from registry.compliance import operations as ops
from registry.compliance.models import Anomaly
from registry.enterprises.models import ProductionLine
from registry.extensions import db
from registry.readings.models import Meter
from registry.readings.store import ReadingsStore
from registry.schedules.models import ScheduleEntry, ScheduleVersion

from .helpers import user, write_power

pytestmark = pytest.mark.demo_city(per_city=4)


def test_published_schedule_stop_window_is_checked(demo_city, tmp_path):
    from registry.schedules.demo import build_schedule_demo

    build_schedule_demo()
    db.session.commit()
    entry = db.session.scalars(select(ScheduleEntry).join(ScheduleVersion).where(
        ScheduleVersion.status == "published", ScheduleEntry.measure == "curtail",
        ScheduleEntry.region_code.startswith("1310")).order_by(ScheduleEntry.id)).first()
    assert entry is not None, "the Langfang demo schedule curtails a line"
    line = db.session.scalar(select(ProductionLine).where(ProductionLine.enterprise_id == entry.enterprise_id,
                                                          ProductionLine.code == entry.line_ref))
    meter = Meter(enterprise_id=entry.enterprise_id, line_id=line.id, code="SCH-1", facility=line.name,
                  role="production", interval_minutes=15)
    db.session.add(meter)
    db.session.commit()
    span = (entry.windows or [{"start": entry.phase_start.isoformat()}])[0]
    start = datetime.fromisoformat(str(span["start"])) + timedelta(days=2)
    store = ReadingsStore(tmp_path / "readings")
    write_power(store, meter.id, entry.enterprise_id, start, 80.0, 1.0)  # no reduction at all on a curtailed line
    counts = ops.run_checks(user("langfang"), start.date(), start.date(), store=store)
    db.session.commit()
    a = db.session.scalars(select(Anomaly).where(Anomaly.source_kind == "schedule",
                                                 Anomaly.check_code == "curtailment_shortfall")).all()
    assert len(a) == 1 and a[0].schedule_entry_id == entry.id and a[0].evidence["reduction"] == 0.0, counts
    assert a[0].severity == "high" and a[0].percentage == float(entry.percentage_max or entry.percentage_min)
    again = ops.run_checks(user("langfang"), start.date(), start.date(), store=store)
    assert again["new"] == 0 and len(db.session.scalars(select(Anomaly).where(Anomaly.source_kind == "schedule")).all()) == counts["anomalies"]
