"""Staggered-production notices fit to post at a factory gate (issue 16 item 4): HTML and PDF carry the issuing
authority, the document number, the date, the enterprise, each line's measure in words with its window and the legal
basis by document and clause; rule ids only in the 依据 detail; one notice per page; enterprises see only their own."""
from __future__ import annotations

import io
import zipfile

import pytest

from registry.extensions import db
from registry.schedules import operations as ops
from tests.builders import login
from tests.integration.notices.support import RULE_ID, SNAKE, body_without_basis, flat, pdf_text


@pytest.fixture()
def published(make_user, make_enterprise):
    official = make_user("city", "131000", username="lf.city")
    county = make_user("county", "131002")
    ents = [make_enterprise(approved_by=county) for _ in range(3)]
    schedule = ops.create_schedule(official, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017,
                                              "title": "廊坊市2017-2018年采暖季错峰生产清单"})
    ops.generate(official, schedule.id)
    version = ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局、市环保局",
                                                  "document_number": "廊环字〔2017〕12号", "issued_on": "2017-11-15"})
    db.session.commit()
    return official, ents, schedule, version


def test_publishing_records_the_letterhead_with_defaults(published):
    """Item 2: the authority defaults to the region's 生态环境局, the number and date are the ones given."""
    _o, _e, _s, version = published
    assert version.issuing_authority == "廊坊市生态环境局"
    assert version.document_number == "廊环字〔2017〕12号" and version.issued_on.isoformat() == "2017-11-15"


def test_schedule_notice_html_names_authority_number_date_and_measures_in_words(client, published):
    """Item 3: the HTML notice has no snake_case code and no rule id outside the 依据 detail; the 依据 names the
    document; the date is written the Chinese way; a seal and a receipt block."""
    _o, ents, _s, version = published
    (ent, owner) = ents[0]
    login(client, owner.username)
    html = client.get(f"/schedules/versions/{version.id}/notice/{ent.id}").get_data(as_text=True)
    assert "廊坊市生态环境局" in html and "廊环字〔2017〕12号" in html and "二〇一七年十一月十五日" in html
    assert ent.name in html and "《廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案》" in html
    assert "盖章" in html and "签收人" in html and "签收日期" in html
    body = body_without_basis(html)
    assert not RULE_ID.search(body), RULE_ID.findall(body)
    assert not SNAKE.findall(body), SNAKE.findall(body)
    assert "限产" in body  # the demo line's curtailment, in words


def test_schedule_noticepdf_text(client, published):
    """Item 5: the PDF's text holds the authority, the number, the enterprise, a measure in words, the 依据 title."""
    _o, ents, _s, version = published
    (ent, owner) = ents[0]
    login(client, owner.username)
    response = client.get(f"/schedules/versions/{version.id}/notice/{ent.id}?format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = pdf_text(response.data)
    joined = flat(text)
    assert pages == 1
    for expected in ("廊坊市生态环境局", "廊环字〔2017〕12号", ent.name, "限产", "廊坊市2017-2018年秋冬季大气污染综合治理攻坚行动方案",
                     "二〇一七年十一月十五日"):
        assert expected in joined, expected


def test_enterprise_gets_only_its_own_notice(client, published):
    """An enterprise user: its own notice 200, another's 404, the whole list's notices 404."""
    _o, ents, _s, version = published
    (ent, owner), (other, _x) = ents[0], ents[1]
    login(client, owner.username)
    assert client.get(f"/schedules/versions/{version.id}/notice/{ent.id}").status_code == 200
    assert client.get(f"/schedules/versions/{version.id}/notice/{other.id}").status_code == 404
    assert client.get(f"/schedules/versions/{version.id}/notice/{other.id}?format=pdf").status_code == 404
    assert client.get(f"/schedules/versions/{version.id}/notices").status_code == 404
    assert client.get(f"/schedules/versions/{version.id}/notices.zip").status_code == 404


def test_whole_list_one_pdf_page_per_enterprise_and_a_zip(client, published):
    """Item 4: the bulk PDF has N pages for N enterprises; the ZIP holds one PDF per enterprise."""
    _o, ents, _s, version = published
    login(client, "lf.city")
    page = client.get(f"/schedules/versions/{version.id}/notices").get_data(as_text=True)
    assert page.count('<article class="notice"') == len(ents)
    response = client.get(f"/schedules/versions/{version.id}/notices?format=pdf")
    pages, text = pdf_text(response.data)
    assert pages == len(ents) and all(e.name in flat(text) for e, _u in ents)
    response = client.get(f"/schedules/versions/{version.id}/notices.zip")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert len(names) == len(ents)
    for name, (ent, _u) in zip(names, ents):
        count, text = pdf_text(archive.read(name))
        assert count == 1 and ent.name in flat(text)


def test_english_notice_has_iso_dates_and_english_labels(client, published):
    """In English the date is ISO, the basis names the document in English, no Chinese section labels."""
    _o, ents, _s, version = published
    (ent, owner) = ents[0]
    login(client, owner.username)
    html = client.get(f"/schedules/versions/{version.id}/notice/{ent.id}?lang=en").get_data(as_text=True)
    assert "Document No.: 廊环字〔2017〕12号" in html and "2017-11-15" in html and "二〇一七" not in html
    assert "Legal basis" in html and "Langfang 2017-18 autumn-winter air pollution action plan" in html
    assert "(Seal)" in html and "Received by (signature)" in html
