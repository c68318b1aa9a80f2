"""Issue 19 item 4, in headless Chromium: the city uploads a day of electricity readings of a graded enterprise under
an alert order → runs the checks and the anomaly appears (R-CK-03, 004:335 分表计电: the dust collector's meter off
all day while production runs), with its evidence chart drawn → asks the enterprise to explain → the enterprise opens the message in its
inbox and explains → the county is given the inspection and records it (photo, signatures) as a violation → the
finding lowers the enterprise's emergency grade one step (R-G-02, the existing findings workflow). Each person has
their own browser context."""
from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
import pytest
from sqlalchemy import select

from registry.demo import DEMO_PASSWORD
from tests.builders.browser import log_in

pytestmark = [pytest.mark.web, pytest.mark.demo_city(per_city=6)]  # demo_city: tests/conftest.py

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _world(app, tmp_path):
    """An orange alert that began 30 hours ago; the order of a graded enterprise with a stopped (or curtailed) line;
    a production meter on that line with 16 days of normal readings stored; the day to upload as CSV."""
    from registry.accounts.models import User
    from registry.alerts import operations as alert_ops
    from registry.alerts.models import AlertOrder
    from registry.compliance.checks import to_beijing
    from registry.core.timeutil import utcnow
    from registry.enterprises.models import Enterprise
    from registry.extensions import db
    from registry.grades.current import emergency_standing
    from registry.readings.models import Meter
    from registry.readings.store import current_store

    with app.app_context():
        city = db.session.scalar(select(User).where(User.username == "langfang"))
        start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=30)
        ep = alert_ops.issue(city, {"scope": "city", "region_code": "131000", "level": "orange",
                                    "doc_number": "廊重污染应急〔2026〕19号", "issuing_body": "廊坊市重污染天气应急指挥部",
                                    "reason": "重度污染过程", "starts_at": start,
                                    "expected_end_at": start + timedelta(hours=96)})
        db.session.commit()
        orders = db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id)).all()
        standing = emergency_standing([o.enterprise_id for o in orders], to_beijing(start).date())
        owners = {u.enterprise_id: u.username for u in db.session.scalars(select(User).where(User.enterprise_id.is_not(None)))}
        best = None
        for o in orders:  # a graded enterprise first (the finding must lower a grade), in 安次区 if possible
            for line in o.content.get("lines", []):
                if o.enterprise_id in owners and line.get("line_id"):
                    graded = o.enterprise_id in standing and bool(standing[o.enterprise_id].worst())
                    key = (graded, o.region_code == "131002")
                    if best is None or key > best[0]:
                        best = (key, o, line)
        assert best is not None, "no order with a line"
        _key, order, line = best
        ent = db.session.get(Enterprise, order.enterprise_id)
        if not _key[0]:  # the demo city at this size has no effective grade: the city records one (a re-grade)
            from registry.grades.operations import GRADED, record_grade

            industry = next((ln.sector for ln in ent.lines if ln.sector in GRADED), None) or sorted(GRADED)[0]
            record_grade(city, ent.id, {"system": "emergency", "industry": industry, "grade": "A",
                                        "reason": "年度复核：各项指标达到A级"})
            db.session.commit()
            _key = (True, _key[1])
        prod = Meter(enterprise_id=ent.id, line_id=line["line_id"], code="DB-19-01", facility=line.get("name") or "生产线",
                     role="production", interval_minutes=15)
        ctl = Meter(enterprise_id=ent.id, line_id=line["line_id"], code="DB-19-02", facility="除尘设施",
                    role="control", interval_minutes=15)
        db.session.add_all([prod, ctl])
        db.session.commit()
        # production draws what the order allows (so the power checks pass), the control facility is off
        share = {"stop": 0.02, "curtail": 0.3}.get(line.get("measure"), 1.0)
        first = to_beijing(order.window_start).replace(minute=0) + timedelta(hours=1)
        history = {"city_code": [], "enterprise_id": [], "meter_id": [], "ts": [], "kwh": []}
        t = first - timedelta(days=16)
        while t < first:
            for meter, kwh in ((prod, 25.0), (ctl, 5.0)):
                for k, v in (("city_code", "131000"), ("enterprise_id", ent.id), ("meter_id", meter.id), ("ts", t),
                             ("kwh", kwh)):
                    history[k].append(v)
            t += timedelta(minutes=15)
        current_store().append("electricity", pa.table(history))
        csv = ["统一社会信用代码,电表编号,时间,电量（千瓦时）"]
        t = first
        while t < first + timedelta(hours=24):
            csv.append(f"{ent.uscc},DB-19-01,{t:%Y-%m-%d %H:%M},{25.0 * share:.2f}")
            csv.append(f"{ent.uscc},DB-19-02,{t:%Y-%m-%d %H:%M},0.05")  # the dust collector off all day
            t += timedelta(minutes=15)
        path = tmp_path / "电量-一天.csv"
        path.write_text("\n".join(csv) + "\n", encoding="utf-8")
        county = {"131002": "anci"}.get(ent.region_code, "langfang")
        return {"enterprise_id": ent.id, "owner": owners[ent.id], "csv": path, "first": first, "county": county,
                "graded": _key[0], "measure": line.get("measure")}


def _anomaly_id(app, enterprise_id) -> int:
    from registry.compliance.models import Anomaly
    from registry.extensions import db

    with app.app_context():
        a = db.session.scalars(select(Anomaly).where(Anomaly.enterprise_id == enterprise_id, Anomaly.check_code == "control_off")).first()
        assert a is not None, "the anomaly did not appear"
        return a.id


def _emergency_grades(app, enterprise_id):
    from registry.core.timeutil import beijing_today
    from registry.extensions import db
    from registry.grades.current import emergency_standing

    with app.app_context():
        db.session.expire_all()
        held = emergency_standing([enterprise_id], beijing_today() + timedelta(days=1)).get(enterprise_id)
        return held.worst() if held else None


def test_upload_check_explain_inspect_violation_lowers_grade(demo_city, new_page, app, tmp_path):
    app.config["READINGS_DIR"] = str(tmp_path / "readings")
    try:
        w = _world(app, tmp_path)
        before = _emergency_grades(app, w["enterprise_id"])

        city = new_page()
        log_in(city, "langfang", DEMO_PASSWORD)
        city.goto("/readings/")
        city.select_option("#kind", "electricity")
        city.set_input_files("#file", str(w["csv"]))
        city.click("#upload-button")
        city.wait_for_load_state()
        assert "192" in city.inner_text("main")  # 2 meters × 96 quarter hours accepted (the validation report)

        city.goto("/compliance/")
        city.fill("#run-first", w["first"].date().isoformat())
        city.click("#run-button")
        city.wait_for_selector("#anomalies")
        anomaly_id = _anomaly_id(app, w["enterprise_id"])
        city.locator(f"#anomalies tr[data-anomaly='{anomaly_id}'] a").first.click()
        city.wait_for_selector("#chart-evidence[data-rendered='1']")
        assert city.locator("#settings tr").count() >= 1
        anomaly_url = city.url
        city.fill("#ask-hours", "24")
        city.click("#ask-button")
        city.wait_for_selector("[data-explanation]")

        ent = new_page()
        log_in(ent, w["owner"], DEMO_PASSWORD)
        ent.goto("/alerts/inbox")
        ent.locator("#inbox button.link").first.click()
        ent.wait_for_selector("#explain-form")
        ent.fill("#explain-text", "当日设备检修，已安排停产，用电为检修负荷")
        ent.click("#explain-button")
        ent.wait_for_selector("#explanation-text")

        city.goto(anomaly_url)
        assert "检修负荷" in city.inner_text("#explanation-text")
        city.fill("#task-days", "3")
        city.click("#task-button")
        city.wait_for_selector("#record-form")

        county = new_page()
        log_in(county, w["county"], DEMO_PASSWORD)
        county.goto("/compliance/inspections")
        county.locator("#tasks a[href$='/record']").first.click()
        county.wait_for_selector("#record-form")
        county.fill("#inspectors", "张三、李四")
        county.fill("#found", "停产线主电机运行，现场有生产")
        county.check("#outcome-violation")
        county.set_input_files("#photos", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}])
        county.fill("#signatures", "张三，李四，企业负责人王五")
        county.check("#confirmed")
        county.click("#record-button")
        county.wait_for_selector("#finding")
        assert county.locator("[data-record] img").count() == 1

        after = _emergency_grades(app, w["enterprise_id"])
        assert w["graded"], "the demo has an enterprise with an emergency grade and a stopped or curtailed line"
        assert before and after and after > before, (before, after)  # 'A' < 'B' < 'C': one step down
        ent.goto(anomaly_url)
        assert ent.locator("#status").inner_text() in ("发现违法", "Violation found")
    finally:
        app.config.pop("READINGS_DIR", None)
