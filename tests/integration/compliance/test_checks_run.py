"""Issue 19: the checks run for every alert order of a period (registry/compliance/operations.run_checks), over
readings in the store, idempotently; anomalies are scoped; the enterprise explains in its inbox; the county
inspects; a violation finding lowers the grade (R-G-02 one step down; falsified → C, R-G-09 003:17)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.alerts.models import InboxMessage
from registry.compliance import operations as ops
from registry.compliance.models import Anomaly
from registry.core.errors import Forbidden, NotFound, ValidationFailed
from registry.extensions import db
from registry.readings.store import ReadingsStore

from .helpers import issue, meters_for, stopped_order, user, window_start, write_power

pytestmark = pytest.mark.demo_city(per_city=8)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture()
def setup(demo_city, tmp_path):
    demo_city.config["COMPLIANCE_CLIP_TO_NOW"] = False
    ep = issue("orange")
    order, line = stopped_order(ep, "stop")
    prod, ctl = meters_for(order, line)
    store = ReadingsStore(tmp_path / "readings")
    start = window_start(order)
    write_power(store, prod.id, order.enterprise_id, start, 100.0, 0.9)  # the stopped line still at 90 %
    write_power(store, ctl.id, order.enterprise_id, start, 30.0, 0.9)
    yield ep, order, line, store, start
    demo_city.config.pop("COMPLIANCE_CLIP_TO_NOW", None)


def _run(store, start):
    counts = ops.run_checks(user("langfang"), start.date(), start.date() + timedelta(days=1), store=store)
    db.session.commit()
    return counts


def test_stopped_line_still_drawing_power_is_an_anomaly_and_reruns_add_nothing(setup):
    """R-CK-01 (000:129 采用企业实际用电量核实): the stopped line at 90 % of its baseline is one anomaly; running the
    checks again replaces it, never duplicates it."""
    ep, order, line, store, start = setup
    first = _run(store, start)
    rows = db.session.scalars(select(Anomaly).where(Anomaly.check_code == "stopped_line_power")).all()
    assert first["anomalies"] >= 1 and len(rows) == 1
    a = rows[0]
    assert a.enterprise_id == order.enterprise_id and a.line_id == line["line_id"] and a.severity == "high"
    assert a.evidence["share"] > 50 and a.evidence["series"] and a.rule == "R-CK-01"
    assert {s["name"] for s in a.settings} >= {"compliance_stop_max_share"}
    again = _run(store, start)
    assert again["new"] == 0 and again["replaced"] == first["anomalies"]
    assert db.session.scalar(select(func.count()).select_from(Anomaly)) == first["anomalies"]


def test_scope_other_city_sees_nothing(setup):
    """Anomalies are read in the official's region only; another city's official gets NotFound."""
    ep, order, line, store, start = setup
    _run(store, start)
    a = db.session.scalars(select(Anomaly)).first()
    with pytest.raises(NotFound):
        ops.get_anomaly(user("shijiazhuang"), a.id)
    with pytest.raises(Forbidden):
        ops.run_checks(user("qiye"), start.date(), start.date())


def test_explain_inspect_violation_lowers_the_grade(setup):
    """The enterprise is asked in its inbox, explains; the county records a violation; the finding goes into the
    grades' workflow (registry.grades.operations.record_finding) with the anomaly linked."""
    ep, order, line, store, start = setup
    _run(store, start)
    a = db.session.scalars(select(Anomaly).where(Anomaly.check_code == "stopped_line_power")).first()
    official = user("langfang")
    ops.ask_explanation(official, a.id, hours=24)
    db.session.commit()
    msg = db.session.scalars(select(InboxMessage).where(InboxMessage.enterprise_id == a.enterprise_id,
                                                        InboxMessage.kind == "reminder")).all()
    assert msg and f"/compliance/anomalies/{a.id}" in msg[-1].link
    from registry.accounts.models import User

    owner = db.session.scalar(select(User).where(User.enterprise_id == a.enterprise_id))
    if owner is not None:
        ops.explain(owner, a.id, "设备检修用电")
        db.session.commit()
        assert a.status == "explained"
    task = ops.assign_inspection(official, a.id, days=3)
    db.session.commit()
    assert a.status == "inspecting" and task.region_code == a.region_code
    with pytest.raises(ValidationFailed) as err:
        ops.record_inspection(official, task.id, {"inspectors": "张三", "found": "x", "outcome": "violation",
                                                  "visited_at": "2026-12-01 10:00", "signatures": "张三"},
                              photos=[("a.gif", b"GIF89a....")])
    assert "photos" in err.value.errors and "found" in err.value.errors
    rec = ops.record_inspection(official, task.id, {"inspectors": "张三、李四", "found": "停产线仍在生产", "outcome": "violation",
                                                    "visited_at": "2026-12-01 10:00", "signatures": "张三，李四"},
                                photos=[("site.png", PNG)])
    db.session.commit()
    assert a.status == "violation" and rec.photos[0].content_type == "image/png" and len(rec.signatures) == 2
    from registry.grades.models import GradeDecision

    for did in a.finding_decision_ids:
        d = db.session.get(GradeDecision, did)
        assert d.kind == "violation" and str(a.id) in d.reason
