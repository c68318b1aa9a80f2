"""Issue 16 in headless Chromium: the province's dashboard draws its per-city chart, and every name the chart
shows — categories, series, legend — is a label in the reader's language, never a code (item 2's "chart option
data")."""
from __future__ import annotations

import re

import pytest

from registry.demo import DEMO_PASSWORD
from tests.builders.browser import log_in

pytestmark = [pytest.mark.web, pytest.mark.demo_city(per_city=12)]

CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"[a-z]+_[a-z_]+|\b(?:submitted|approved|grade|blue|yellow|orange|red|so2|nox)\b", re.I)


def _option(page, element_id: str) -> dict:
    page.wait_for_selector(f"#{element_id}[data-rendered='1']")
    return page.evaluate(
        """id => { const o = echarts.getInstanceByDom(document.getElementById(id)).getOption();
                   return {x: o.xAxis[0].data, series: o.series.map(s => s.name),
                           legend: (o.legend[0].data || []).map(d => (typeof d === 'string' ? d : d.name))}; }""",
        element_id)


def test_province_chart_names_cities_and_series_by_their_labels(demo_city, new_page):
    page = new_page()
    log_in(page, "hebei", DEMO_PASSWORD)
    assert page.url.endswith("/dashboard/")
    option = _option(page, "chart-province")
    assert "廊坊市" in option["x"] and "石家庄市" in option["x"]
    names = option["x"] + option["series"] + option["legend"]
    assert names and all(CJK.search(n) for n in names), names
    assert not [n for n in names if CODE.search(n)], names
    rows = page.locator("#panel-province tbody tr")
    assert rows.count() == len(option["x"])  # one row per city, the same cities as the chart
    assert page.locator("#panel-province tr[data-city='1310'] th").inner_text() == "廊坊市"
