"""Issue 16 — the emergency-list pages and the Excel export in the reader's language, on the demo data (zh).

Checks the points of the issue's "Emergency list" finding: chart legend and axis from the label registry (also in
the chart's option data), the page title in words (pack title and period; id, hash and contract only in the 依据
detail), Chinese labels in the export's cells, the pack selector opening on the official's own region's pack with
titles, and times in Beijing time.
"""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.core import timeutil
from registry.demo import DEMO_PASSWORD
from registry.emergency import operations as ops
from registry.emergency.models import EmergencyList
from registry.extensions import db
from tests.builders import login

pytestmark = pytest.mark.demo_city(per_city=8)

CODE_CELLS = {"so2", "nox", "pm", "vocs", "blue", "yellow", "orange", "red", "steel", "coking", "cement", "foundry",
              "industrial", "heating_boiler", "society_wide", "curtail", "stop", "none", "True", "False"}
CODES = re.compile(r"\b(so2|nox|vocs|blue|yellow|orange|red|steel|industrial|society_wide|curtail|stop|none)\b")


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def _compile(username: str, region: str, pack_id: str) -> EmergencyList:
    lst = ops.compile_list(_user(username), {"region_code": region, "pack_id": pack_id})
    db.session.commit()
    return lst


def _visible(html: str) -> str:
    """The page's text outside attributes, scripts, <code> and the 依据 details (where ids may stay)."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r"<details class=\"basis.*?</details>", " ", html, flags=re.S)
    html = re.sub(r"<code>.*?</code>", " ", html, flags=re.S)
    html = re.sub(r"<option[^>]*>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_index_opens_on_the_officials_own_pack_with_titles_and_beijing_times(demo_city, client):
    """Shijiazhuang's official starts on the Shijiazhuang pack (not the first pack in the list, another city's);
    options and the list table show pack titles; created times are Beijing time (issue 16: UTC before)."""
    lst = _compile("shijiazhuang", "130100", "shijiazhuang-2018-20")
    login(client, "shijiazhuang", DEMO_PASSWORD)
    html = client.get("/emergency/").get_data(as_text=True)
    selected = re.search(r'<option value="([^"]+)" selected>([^<]*)</option>', html)
    assert selected and selected.group(1) == "shijiazhuang-2018-20"
    assert "石家庄市打赢蓝天保卫战三年行动计划" in selected.group(2) and "shijiazhuang-2018-20" not in selected.group(2)
    options = re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]*)</option>", html)
    assert options and not any(re.search(r"\d{4}-\d{2}\b", o) and "-" in o.split()[0] and o.isascii() for o in options)
    table = html.split('id="lists"', 1)[1]
    assert "shijiazhuang-2018-20" not in table and "石家庄市打赢蓝天保卫战三年行动计划" in table
    assert not re.search(r"\b\d{3}:\d+", _visible(html))  # sources in words, in the 依据 detail
    area = client.get("/emergency/area-sources?region=130100").get_data(as_text=True)
    assert not re.search(r"\b\d{3}:\d+", _visible(area)) and "《" in area
    beijing = lst.created_at.astimezone(timeutil.BEIJING).strftime("%Y-%m-%d %H:%M")
    utc = lst.created_at.astimezone(timeutil.BEIJING).replace(tzinfo=None) - timedelta(hours=8)
    assert beijing in table and utc.strftime("%Y-%m-%d %H:%M") not in table


def test_detail_title_chart_and_totals_in_words(demo_city, client):
    """Langfang: the heading names the pack by its title and period; id, hash and contract version only in the
    依据 detail; the chart's categories and series are labels (蓝色预警, 二氧化硫, … 目标), its option data holds no
    code; pollutants and levels in the tables are labels."""
    lst = _compile("langfang", "131000", "langfang-2017-18")
    login(client, "langfang", DEMO_PASSWORD)
    html = client.get(f"/emergency/lists/{lst.id}").get_data(as_text=True)
    h1 = re.search(r"<h1>(.*?)</h1>", html, flags=re.S).group(1)
    assert "廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案" in h1
    assert "langfang-2017-18" not in h1 and "contract-" not in h1 and lst.pack_sha256[:16] not in h1
    meta = re.search(r'id="list-meta">(.*?)</p>', html, flags=re.S).group(1)
    assert "2017年" in meta and "2018年" in meta  # the period in words
    basis = re.search(r'id="list-basis">(.*?)</details>', html, flags=re.S).group(1)
    assert "langfang-2017-18" in basis and lst.pack_sha256[:16] in basis and "contract-" in basis
    assert "contract-" not in _visible(html) and lst.pack_sha256[:16] not in _visible(html)

    chart = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, flags=re.S).group(1))
    assert chart["categories"] == ["蓝色预警", "黄色预警", "橙色预警", "红色预警"]
    names = [s["name"] for s in chart["series"]]
    assert "二氧化硫" in names and any(n.startswith("氮氧化物") and n != "氮氧化物" for n in names)
    assert not CODES.search(json.dumps(chart, ensure_ascii=False))

    text = _visible(html)
    assert "二氧化硫" in text and "蓝色预警" in text
    assert not CODES.search(text), CODES.search(text)
    assert not re.search(r"\bR-[A-Z]+-\d+", text)  # rule ids only on hover in the 依据 detail
    assert "society_wide" not in text and "industrial" not in text


def test_export_cells_are_labels(demo_city, client):
    """The workbook a city files upward: levels, pollutants, industries, measures, baseline classes and the target
    base as Chinese labels; 是/否 for met; no code column (no importer reads this file back)."""
    lst = _compile("langfang", "131000", "langfang-2017-18")
    login(client, "langfang", DEMO_PASSWORD)
    r = client.get(f"/emergency/lists/{lst.id}/export.xlsx")
    assert r.status_code == 200
    sheets = pd.read_excel(io.BytesIO(r.data), sheet_name=None, engine="calamine", dtype=str)
    summary = sheets["城市汇总"]
    assert set(summary["预警级别 (level)"]) == {"蓝色预警", "黄色预警", "橙色预警", "红色预警"}
    assert set(summary["污染物 (pollutant)"]) == {"二氧化硫", "氮氧化物", "颗粒物", "挥发性有机物"}
    assert set(summary["是否达标 (met)"]) <= {"是", "否", "—"}
    red = sheets["红色预警"]
    assert len(red) and set(red["减排措施 (measure)"]) <= {"无措施", "限产", "停产"}
    from grading.vocab import Sector

    assert set(red["行业 (industry)"]) <= {s.label_zh for s in Sector}
    for frame in sheets.values():
        for column in frame.columns:
            if column.startswith(("企业名称", "统一社会信用代码", "生产线编号", "生产线/工序", "关键指标", "责任人", "联系方式")):
                continue  # the registry's own data
            codes = {str(x) for x in frame[column].dropna()} & CODE_CELLS
            assert not codes, (column, codes)


def test_alert_day_orders_file_in_words(demo_city, client):
    """The day's orders workbook: the level as its label, transport restrictions by their source document."""
    lst = _compile("langfang", "131000", "langfang-2017-18")
    login(client, "langfang", DEMO_PASSWORD)
    r = client.get(f"/emergency/lists/{lst.id}/orders.xlsx?date=2018-01-10&level=red")
    assert r.status_code == 200
    frame = pd.read_excel(io.BytesIO(r.data), engine="calamine", dtype=str)
    assert set(frame["预警级别 (level)"]) == {"红色预警"}
    transport = " ".join(frame["运输管控 (transport)"].dropna())
    assert not re.search(r"\bR-[A-Z]+-\d+|\b\d{3}:\d+", transport)  # no rule ids, no file:line


def test_detail_in_english_reads_english_labels(demo_city, client):
    """English mode: the same page with English labels (Blue alert, SO₂ …), the pack's English title."""
    lst = _compile("langfang", "131000", "langfang-2017-18")
    login(client, "langfang", DEMO_PASSWORD)
    html = client.get(f"/emergency/lists/{lst.id}?lang=en").get_data(as_text=True)
    chart = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, flags=re.S).group(1))
    assert chart["categories"] == ["Blue", "Yellow", "Orange", "Red"]
    assert "SO₂" in [s["name"] for s in chart["series"]] and "SO₂ target" in [s["name"] for s in chart["series"]]
    h1 = re.search(r"<h1>(.*?)</h1>", html, flags=re.S).group(1)
    assert "Langfang" in h1 and "langfang-2017-18" not in h1
    assert "1 Oct 2017" in html and "31 Mar 2018" in html
