"""Issue 17 report pages through real HTTP (Flask test client): the episode report with its charts (labels, no codes
in legends or axes), its Excel (every cell a label, text formula-neutralised), the province's view of all its
cities, the monthly report with its due date (D-20, 001:121); a city never reaches another city's report."""
from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from registry.alerts import report
from registry.alerts.models import LEVELS
from registry.demo import DEMO_PASSWORD
from tests.builders.http import login
from tests.integration.alerts.test_alert_report import build_episode

pytestmark = pytest.mark.demo_city(per_city=6)

CODES = set(LEVELS) | {"so2", "nox", "pm", "vocs", "stop", "curtail", "issue", "raise", "lift", "active", "lifted"}


def _chart(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def _strings(obj) -> set[str]:
    if isinstance(obj, str):
        return {obj}
    if isinstance(obj, dict):
        return set().union(*(_strings(v) for v in obj.values())) if obj else set()
    if isinstance(obj, list):
        return set().union(*(_strings(v) for v in obj)) if obj else set()
    return set()


def test_episode_report_page_and_excel_are_labelled(demo_city, client):
    ep, _ = build_episode()
    login(client, "langfang", DEMO_PASSWORD)
    resp = client.get(f"/alerts/reports/episodes/{ep.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "橙色预警" in html and "红色预警" in html and "report-capacity" in html and "chart-timeline" in html
    chart = _chart(html)
    assert not (_strings(chart) & CODES), _strings(chart) & CODES
    assert "二氧化硫" in _strings(chart)
    xlsx = client.get(f"/alerts/reports/episodes/{ep.id}.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheets = pd.read_excel(io.BytesIO(xlsx.data), sheet_name=None, engine="calamine", header=None)
    cells = {str(v) for frame in sheets.values() for v in frame.to_numpy().ravel() if isinstance(v, str)}
    assert not (cells & CODES), cells & CODES
    assert {"橙色预警", "红色预警", "二氧化硫"} <= cells
    total = report.episode_report(ep)["orders"]["total"]
    orders = next(f for name, f in sheets.items() if name in ("Orders and receipts", "命令与回执") or "回执" in name)
    assert int(orders.iloc[-1, 1]) == total["issued"] and int(orders.iloc[-1, 4]) == total["acknowledged"]


def test_excel_neutralises_formula_text(demo_city):
    """A county or document number beginning with '=' is written as text, never a formula."""
    from registry.alerts.report_export import episode_xlsx

    ep, _ = build_episode(with_list=False)
    r = report.episode_report(ep)
    r["orders"]["counties"][0]["region_name"] = "=HYPERLINK(\"http://x\")"
    data = episode_xlsx(r)
    frame = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine", header=None)
    cells = {str(v) for f in frame.values() for v in f.to_numpy().ravel() if isinstance(v, str)}
    assert "'=HYPERLINK(\"http://x\")" in cells


def test_other_city_gets_not_found_and_province_sees_all(demo_city, client):
    lf, _ = build_episode("131000", "langfang", with_list=False)
    sjz, _ = build_episode("130100", "shijiazhuang", first="yellow", then="orange", with_list=False)
    login(client, "shijiazhuang", DEMO_PASSWORD)
    assert client.get(f"/alerts/reports/episodes/{lf.id}").status_code == 404
    assert client.get(f"/alerts/reports/episodes/{lf.id}.xlsx").status_code == 404
    html = client.get("/alerts/reports/").get_data(as_text=True)
    assert 'data-region="130100"' in html and 'data-region="131000"' not in html
    client.post("/logout")
    login(client, "hebei", DEMO_PASSWORD)
    html = client.get("/alerts/reports/").get_data(as_text=True)
    assert 'data-region="130100"' in html and 'data-region="131000"' in html
    assert client.get(f"/alerts/reports/episodes/{lf.id}").status_code == 200
    assert not (_strings(_chart(html)) & CODES)


def test_monthly_page_shows_due_date_and_excel(demo_city, client):
    ep, t0 = build_episode(with_list=False)
    bj = t0.astimezone(report.BEIJING)
    month = f"{bj.year:04d}-{bj.month:02d}"
    login(client, "langfang", DEMO_PASSWORD)
    html = client.get(f"/alerts/reports/monthly?month={month}").get_data(as_text=True)
    due = report.due_date(bj.year, bj.month).isoformat()
    assert due in html and 'data-region="131000"' in html
    assert client.get("/alerts/reports/monthly?month=2026-13").status_code == 400
    xlsx = client.get(f"/alerts/reports/monthly.xlsx?month={month}")
    assert xlsx.status_code == 200
    sheets = pd.read_excel(io.BytesIO(xlsx.data), sheet_name=None, engine="calamine", header=None)
    cells = {str(v) for f in sheets.values() for v in f.to_numpy().ravel()}
    assert due in cells and month in cells


def test_enterprise_cannot_open_reports(demo_city, client):
    ep, _ = build_episode(with_list=False)
    login(client, "qiye", DEMO_PASSWORD)
    assert client.get("/alerts/reports/").status_code == 403
    assert client.get(f"/alerts/reports/episodes/{ep.id}").status_code == 404
    assert client.get("/alerts/reports/monthly").status_code == 403



def test_cli_report(demo_city, tmp_path):
    """`flask alert report --episode ID | --month YYYY-MM [-o FILE.xlsx]`."""
    ep, t0 = build_episode(with_list=False)
    run = demo_city.test_cli_runner().invoke
    out = run(args=["alert", "report", "--episode", str(ep.id), "--as-user", "langfang"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["orders"]["total"]["issued"] == report.episode_report(ep)["orders"]["total"]["issued"]
    denied = run(args=["alert", "report", "--episode", str(ep.id), "--as-user", "shijiazhuang"])
    assert denied.exit_code == 2
    bj = t0.astimezone(report.BEIJING)
    target = tmp_path / "m.xlsx"
    out = run(args=["alert", "report", "--month", f"{bj.year:04d}-{bj.month:02d}", "--as-user", "hebei", "-o", str(target)])
    assert out.exit_code == 0, out.output
    sheets = pd.read_excel(target, sheet_name=None, engine="calamine", header=None)
    assert report.due_date(bj.year, bj.month).isoformat() in {str(v) for f in sheets.values() for v in f.to_numpy().ravel()}
    assert run(args=["alert", "report", "--as-user", "langfang"]).exit_code != 0


def test_episode_report_pdf(demo_city, client):
    """The report as PDF through registry/notices' render_pdf (present once the notices branch is merged)."""
    pytest.importorskip("registry.notices.pdf")
    ep, _ = build_episode(with_list=False)
    login(client, "langfang", DEMO_PASSWORD)
    assert 'id="report-pdf"' in client.get(f"/alerts/reports/episodes/{ep.id}").get_data(as_text=True)
    pdf = client.get(f"/alerts/reports/episodes/{ep.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    client.post("/logout")
    login(client, "shijiazhuang", DEMO_PASSWORD)
    assert client.get(f"/alerts/reports/episodes/{ep.id}.pdf").status_code == 404
