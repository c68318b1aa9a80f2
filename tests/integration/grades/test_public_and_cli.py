"""Public list filters, the objection rate limit, and `flask grades …`."""
from __future__ import annotations

from tests.builders import ANCI, csrf_from
from tests.builders.grades import build_application, person_client


def _effective(make_user, make_enterprise, region=ANCI):
    from registry.extensions import db

    county, city = make_user("county", region), make_user("city", region[:4] + "00")
    ent, owner = make_enterprise(region, approved_by=county)
    app = build_application(owner, ent, "publicity", county=county, city=city)
    db.session.commit()
    return ent, app, county, city


def test_public_list_filters_by_grade_region_and_industry(db_app, make_user, make_enterprise):
    from registry.grades import queries

    ent, _app, *_ = _effective(make_user, make_enterprise)
    assert [r["enterprise_name"] for r in queries.public_grades(region="131000")] == [ent.name]
    assert queries.public_grades(region="131100") == []  # Hengshui, a prefix of 131 but another city
    assert queries.public_grades(grade="A") == [] and len(queries.public_grades(grade="B", industry="steel")) == 1


def test_objections_are_rate_limited_per_address(db_app, make_user, make_enterprise):
    _ent, app, *_ = _effective(make_user, make_enterprise)
    db_app.config["GRADE_OBJECTION_RATE_LIMIT"] = "2 per minute"
    try:
        anon = person_client(db_app)
        url = f"/public/grades/{app.id}/objection"
        statuses = []
        for _ in range(3):
            token = csrf_from(anon.get(url).get_data(as_text=True))
            statuses.append(anon.post(url, data={"text": "请核查该企业的运输方式。", "csrf_token": token}).status_code)
        assert statuses == [303, 409, 429]  # the second is the same objection again: refused (issue 13 M10)
        assert anon.post(url, data={"text": "没有令牌的异议"}).status_code in (400, 429)  # CSRF required
    finally:
        db_app.config.pop("GRADE_OBJECTION_RATE_LIMIT")


def test_cli_lists_criteria_public_grades_and_records_a_finding(db_app, make_user, make_enterprise, tmp_path):
    ent, _app, county, _city = _effective(make_user, make_enterprise)
    runner = db_app.test_cli_runner()
    out = runner.invoke(args=["grades", "criteria"])
    assert out.exit_code == 0 and len(out.output.strip().splitlines()) == 15
    out = runner.invoke(args=["grades", "public", "--xlsx", str(tmp_path / "public.xlsx")])
    assert out.exit_code == 0 and (tmp_path / "public.xlsx").read_bytes()[:2] == b"PK"
    out = runner.invoke(args=["grades", "finding", str(ent.id), "--kind", "fraud", "--reason", "造假", "--as-user", county.username])
    assert out.exit_code == 0 and "→ C" in out.output, out.output


def test_exports_neutralise_formulas_and_write_real_dates(db_app):
    import io
    from datetime import date

    import pandas as pd

    from registry.grades import export

    data = export.to_xlsx("public", [{"enterprise_name": "=HYPERLINK(\"http://x\")", "uscc": "1", "region": "r",
                                      "industry": "steel", "grade": "A", "status": "effective",
                                      "effective_from": date(2026, 12, 1), "valid_until": date(2027, 11, 30)}])
    frame = pd.read_excel(io.BytesIO(data), engine="calamine")
    assert frame.iloc[0, 0] == "'=HYPERLINK(\"http://x\")"
    assert pd.Timestamp(frame.iloc[0]["生效日期"]).date() == date(2026, 12, 1)
