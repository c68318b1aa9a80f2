"""Issue 19: `flask readings check` runs the checks (idempotent: a second run adds nothing), `flask inspections list`
shows the county's tasks with labels and `flask inspections record` records the visit, the violation going into the
grades' findings."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from registry.compliance import operations as ops
from registry.compliance.models import Anomaly
from registry.extensions import db

from .helpers import issue, meters_for, stopped_order, user, window_start, write_power

pytestmark = pytest.mark.demo_city(per_city=6)


def test_check_list_record(demo_city, tmp_path):
    demo_city.config.update(COMPLIANCE_CLIP_TO_NOW=False, READINGS_DIR=str(tmp_path / "readings"))
    try:
        ep = issue("orange")
        order, line = stopped_order(ep, "stop")
        prod, _ctl = meters_for(order, line, control=False)
        from registry.readings.store import current_store

        start = window_start(order)
        write_power(current_store(), prod.id, order.enterprise_id, start, 100.0, 0.9)
        runner = demo_city.test_cli_runner()
        day = start.date().isoformat()
        first = runner.invoke(args=["readings", "check", "--first", day, "--last", day, "--as-user", "langfang"])
        assert first.exit_code == 0, first.output
        counts = json.loads(first.output.strip().splitlines()[-1])
        assert counts["anomalies"] >= 1
        again = runner.invoke(args=["readings", "check", "--first", day, "--last", day, "--as-user", "langfang"])
        assert json.loads(again.output.strip().splitlines()[-1])["new"] == 0
        assert db.session.scalar(select(func.count()).select_from(Anomaly)) == counts["anomalies"]
        a = db.session.scalars(select(Anomaly).where(Anomaly.check_code == "stopped_line_power")).first()
        task = ops.assign_inspection(user("langfang"), a.id, days=2)
        db.session.commit()
        listed = runner.invoke(args=["inspections", "list", "--as-user", "langfang"])
        rows = [json.loads(x) for x in listed.output.strip().splitlines()]
        assert any(r["task_id"] == task.id and r["check_label"] for r in rows)
        refused = runner.invoke(args=["inspections", "list", "--as-user", "shijiazhuang"])
        assert str(task.id) not in [str(json.loads(x)["task_id"]) for x in refused.output.strip().splitlines() if x]
        rec = runner.invoke(args=["inspections", "record", str(task.id), "--inspectors", "王五", "--visited-at",
                                  "2026-12-01T09:00", "--found", "停产线未停", "--outcome", "violation",
                                  "--signature", "王五", "--signature", "企业负责人赵六", "--as-user", "langfang"])
        assert rec.exit_code == 0, rec.output
        out = json.loads(rec.output.strip().splitlines()[-1])
        assert out["outcome"] == "violation"
        db.session.expire_all()
        assert db.session.get(Anomaly, a.id).status == "violation"
    finally:
        demo_city.config.pop("COMPLIANCE_CLIP_TO_NOW", None)
        demo_city.config.pop("READINGS_DIR", None)
