"""No raw vocabulary code reaches a zh reader on the main pages (grades, enterprise detail and history).

The pages are rendered with data that carries every kind of stored code: emergency, staggering and VOC-class
decisions (approval, violation, record), an enterprise failing the R-E-01 conditions, a registration returned
and amended. Their visible text (tags, attributes and scripts removed) must hold no snake_case code
(`voc_class`, `one_step`, `stably_compliant`, `return_reason` …) and none of the English code words of the grade
vocabularies. Runs on the SQLite test database (tests/conftest.py).
"""
from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.builders import ANCI, login
from tests.builders.grades import build_application, person_client

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CODE_WORDS = re.compile(r"\b(emergency|staggering|benchmark|approval|override|fraud|violation|regrade|record|"
                        r"middle|none|stop|excluded|returned|submitted|draft|approved)\b")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html_lib.unescape(page)


def _leaks(page: str) -> list[str]:
    text = visible_text(page)
    return sorted(set(SNAKE.findall(text)) | set(CODE_WORDS.findall(text)))


@pytest.fixture()
def pages(db_app, make_user, make_enterprise):
    from registry.enterprises import operations as eops
    from registry.extensions import db
    from registry.grades import operations as gops

    county = make_user("county", ANCI)
    city = make_user("city", "131000")
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "effective", county=county, city=city)
    gops.record_finding(city, ent.id, {"kind": "violation", "reason": "超标排放被处罚"})
    gops.record_grade(city, ent.id, {"system": "staggering", "industry": ent.sector, "grade": "middle", "reason": "错峰档次"})
    gops.record_grade(city, ent.id, {"system": "voc_class", "industry": ent.sector, "grade": "B", "reason": "VOCs体检"})
    gops.record_grade(city, ent.id, {"system": "benchmark", "industry": ent.sector, "grade": "not_benchmark", "reason": "标杆评定"})

    excluded, _owner2 = make_enterprise(ANCI, approved_by=county, stably_compliant=False)

    returned, owner3 = make_enterprise(ANCI, submitted=True)
    eops.return_registration(county, returned.id, {"version": returned.version, "reason": "请补充排污许可证信息"})
    db.session.commit()
    return {"county": county, "city": city, "app": app, "ent": ent, "excluded": excluded, "returned": returned,
            "owner3": owner3}


def _get(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return r.get_data(as_text=True)


def test_main_pages_show_no_raw_codes_to_a_zh_reader(db_app, pages):
    city = person_client(db_app)
    login(city, pages["city"].username)
    county = person_client(db_app)
    login(county, pages["county"].username)
    urls = {
        city: ["/grades/", f"/grades/{pages['app'].id}", f"/grades/enterprise/{pages['ent'].id}",
               f"/grades/enterprise/{pages['excluded'].id}", "/grades/ungraded",
               f"/enterprises/{pages['ent'].id}"],
        county: [f"/enterprises/{pages['returned'].id}", f"/enterprises/{pages['returned'].id}/history",
                 f"/enterprises/{pages['ent'].id}/history"],
    }
    problems = []
    for client, paths in urls.items():
        for url in paths:
            page = _get(client, url)
            assert 'lang="zh' in page, url
            leaks = _leaks(page)
            if leaks:
                problems.append(f"{url}: {leaks}")
    assert not problems, "raw codes shown to a zh reader:\n  " + "\n  ".join(problems)


def test_grade_labels_are_chinese_on_the_enterprise_grade_page(db_app, pages):
    city = person_client(db_app)
    login(city, pages["city"].username)
    text = visible_text(_get(city, f"/grades/enterprise/{pages['ent'].id}"))
    for label in ("应急减排绩效分级", "错峰生产档次", "VOCs体检分类", "环保标杆企业评定", "违法违规认定", "登记等级",
                  "错峰20%-30%", "非环保标杆企业", "降一级", "分级体系"):
        assert label in text, label
    text = visible_text(_get(city, f"/grades/enterprise/{pages['excluded'].id}"))
    assert "各类污染物不能稳定达标排放" in text


def test_the_detector_catches_a_raw_code():
    assert _leaks("<p>系统：voc_class</p>") == ["voc_class"]
    assert _leaks('<option value="one_step">降一级</option><td data-kind="fraud">弄虚作假认定</td>') == []



def test_grade_exports_show_labels_not_codes(db_app, pages):
    import io

    import pandas as pd

    city = person_client(db_app)
    login(city, pages["city"].username)
    seen = {}
    for kind in ("decisions", "applications"):
        r = city.get(f"/grades/export/{kind}.xlsx")
        assert r.status_code == 200, kind
        frame = pd.read_excel(io.BytesIO(r.data), engine="calamine", dtype=str).fillna("")
        seen[kind] = cells = " ".join(" ".join(row) for row in frame.astype(str).values.tolist())
        assert not SNAKE.findall(cells) and not CODE_WORDS.findall(cells), (kind, SNAKE.findall(cells), CODE_WORDS.findall(cells))
    assert "错峰生产档次" in seen["decisions"] and "错峰20%-30%" in seen["decisions"]
