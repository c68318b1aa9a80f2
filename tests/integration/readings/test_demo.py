"""The readings demo (issue 19 "Done when: a demo episode's violators are found from a fresh clone"): meters and
stacks for the Langfang demo enterprises, readings around the finished demo alert, one planted violator of each
kind that applies, and the truth kept beside the store; building twice changes nothing."""
from __future__ import annotations

import pytest


@pytest.mark.demo_city(per_city=6)
def test_demo_readings_around_the_demo_alert(demo_city, readings_store):
    from sqlalchemy import func, select

    from registry.alerts.demo import build_alert_demo
    from registry.extensions import db
    from registry.readings.demo import build_readings_demo, demo_truth
    from registry.readings.models import Meter

    build_alert_demo()
    made = build_readings_demo(readings_store)
    db.session.commit()
    assert made["meters"] >= 2 and made["readings"] > 0
    truth = demo_truth(readings_store)
    kinds = {v["kind"] for v in truth["violations"]}
    assert {"stopped_drawing_power", "curtailment_short", "control_off"} & kinds
    assert len(truth["violations"]) == made["violations"] == len({v["enterprise_id"] for v in truth["violations"]})
    # the readings cover the window and the days before it
    days = {d for _c, d, _p in readings_store.partitions("electricity")}
    assert len(days) >= 14
    before = db.session.scalar(select(func.count()).select_from(Meter))
    assert build_readings_demo(readings_store)["meters"] == 0
    assert db.session.scalar(select(func.count()).select_from(Meter)) == before


@pytest.mark.demo_city(per_city=6)
def test_the_demo_episodes_violators_are_found_exactly(demo_city, readings_store):
    """Issue 19 "Done when": the checks run over the demo episode find the planted violators, no more, no less —
    the meter sits on the line the order names (a curtailed second line is what the check compares), and under
    Langfang's ban of every transport vehicle (000:139) a compliant enterprise moves no truck."""
    from registry.alerts.demo import build_alert_demo
    from registry.compliance.demo import build_compliance_demo, found_vs_truth
    from registry.extensions import db
    from registry.readings.demo import build_readings_demo

    build_alert_demo()
    build_readings_demo(readings_store)
    db.session.commit()
    build_compliance_demo()
    db.session.commit()
    found, planted = found_vs_truth()
    assert planted and found == planted
    # the anomalies' windows are the episode's, the same instant in Beijing time whatever the database keeps
    from datetime import datetime

    from sqlalchemy import select

    from registry.compliance.models import Anomaly
    from registry.core.timeutil import BEIJING
    from registry.readings.demo import demo_truth

    starts = [a.window_start for a in db.session.scalars(select(Anomaly).where(Anomaly.check_code.in_(
        ["stopped_line_power", "curtailment_shortfall"])))]
    assert min(starts).astimezone(BEIJING).replace(tzinfo=None) == \
        datetime.fromisoformat(demo_truth(readings_store)["window_start"])
