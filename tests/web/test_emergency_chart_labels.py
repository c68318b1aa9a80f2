"""Issue 16 — the emergency list's chart in headless Chromium (zh): the option ECharts actually holds (x axis,
legend, series names) carries labels from the label registry, never `so2`, `nox target` or `blue`; the page is
headed by the pack's title, and the pack selector opened on the official's own city's pack."""
from __future__ import annotations

import re

import pytest

from registry.demo import DEMO_PASSWORD
from tests.builders.browser import log_in

pytestmark = [pytest.mark.web, pytest.mark.demo_city(per_city=8)]

CODES = re.compile(r"\b(so2|nox|pm|vocs|blue|yellow|orange|red)\b")  # ("目标" once the zh catalog has the pending entry)


def test_chart_option_and_heading_in_words(demo_city, new_page):
    page = new_page()
    log_in(page, "langfang", DEMO_PASSWORD)
    page.goto("/emergency/")
    assert page.locator("#compile-form select[name=pack_id]").input_value() == "langfang-2017-18"  # own city's pack
    page.click("#compile-form button[type=submit]")
    page.wait_for_selector("#chart-totals[data-rendered='1']")
    option = page.evaluate("""() => {
        const o = window.echarts.getInstanceByDom(document.getElementById('chart-totals')).getOption();
        return {x: o.xAxis[0].data, series: o.series.map(s => s.name)};
    }""")
    assert option["x"] == ["蓝色预警", "黄色预警", "橙色预警", "红色预警"]
    assert "二氧化硫" in option["series"] and any(n.startswith("二氧化硫") and n != "二氧化硫" for n in option["series"])
    assert not any(CODES.search(str(v)) for v in option["x"] + option["series"]), option
    heading = page.inner_text("h1")
    assert "廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案" in heading and "langfang-2017-18" not in heading
    assert "contract-" not in heading
