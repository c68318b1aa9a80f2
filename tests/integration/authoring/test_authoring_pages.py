"""Issue 20 pages and API: the pack list, copy, document upload with numbered lines, the generated section forms
(labels, a value changed citing a chosen line), validation, diff, impact preview, submit/review/activate behind the
confirmation page, YAML export; the API's copy → edit → problems → diff; the public list of packs in force."""
from __future__ import annotations

import base64
import io
import re

import pytest
from sqlalchemy import select

from registry.authoring.models import AuthoredPack
from registry.demo import DEMO_PASSWORD
from registry.extensions import db
from tests.builders import csrf_from
from tests.builders import login as _login

pytestmark = pytest.mark.demo_city(per_city=4)

PLAN = ("廊坊市2026-2027年秋冬季大气污染综合治理攻坚行动方案\n"
        "一、采暖季时间为2026年11月15日至2027年3月15日。\n"
        "二、橙色预警期间，颗粒物减排比例不低于25%。\n").encode()


def login(client, username: str):
    return _login(client, username, DEMO_PASSWORD)


def _token(client, path: str) -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def _post(client, path: str, data: dict, page: str = "/packs/", **kw):
    return client.post(path, data={"csrf_token": _token(client, page), **data}, **kw)


def _draft_via_pages(client) -> AuthoredPack:
    login(client, "langfang")
    page = client.get("/packs/")
    assert page.status_code == 200 and "copy-form" in page.get_data(as_text=True)
    r = _post(client, "/packs/copy", {"parent": "langfang-2017-18", "season_year": "2026"})
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]
    return db.session.scalar(select(AuthoredPack).where(AuthoredPack.pack_id == "langfang-2026-27"))


def test_copy_upload_edit_validate_diff_impact_pages(demo_city, client):
    """The draft editor: upload a document (lines numbered), change a ratio citing line 3 through the generated
    form, then the validation, diff (old and new citation) and impact pages."""
    row = _draft_via_pages(client)
    overview = f"/packs/{row.id}"
    body = client.get(overview).get_data(as_text=True)
    assert "2026-2027" in body and 'id="section-emergency"' in body
    r = client.post(f"{overview}/documents", data={"csrf_token": _token(client, overview),
                                                   "file": (io.BytesIO(PLAN), "廊坊市2026-2027年方案.txt")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]
    doc = row.documents[0]
    lines = client.get(f"{overview}/documents/{doc.id}?section=emergency").get_data(as_text=True)
    assert 'id="L3"' in lines and "颗粒物减排比例不低于25%" in lines and "line=3" in lines
    edit = client.get(f"{overview}/edit/emergency?document={doc.id}&line=3")
    text = edit.get_data(as_text=True)
    assert edit.status_code == 200 and 'name="emergency.ratios.value.orange.pm"' in text
    assert "颗粒物减排比例不低于25%" in text  # the chosen line shown beside the form
    r = _post(client, f"{overview}/edit/emergency", {"emergency.ratios.value.orange.pm": "25",
                                                       "document_id": str(doc.id), "line": "3"},
              page=f"{overview}/edit/emergency")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    db.session.refresh(row)
    assert [(e.path, e.new_value, e.line) for e in row.edits if e.document_id] == [("emergency.ratios.value.orange.pm", 25, 3)]
    # a change without a citation is refused beside its form, nothing saved
    r = _post(client, f"{overview}/edit/emergency", {"emergency.ratios.value.red.pm": "35"}, page=f"{overview}/edit/emergency")
    assert r.status_code == 422 and "data-kept" in r.get_data(as_text=True)
    assert client.get(f"{overview}/problems").status_code == 200
    diff = client.get(f"{overview}/diff").get_data(as_text=True)
    assert "颗粒物减排比例不低于25%" in diff and 'id="changes"' in diff
    impact = client.get(f"{overview}/impact?dates=2026-12-01&levels=orange")
    assert impact.status_code == 200 and 'id="impact-summary"' in impact.get_data(as_text=True)
    assert client.get(f"{overview}/export.yaml").get_data(as_text=True).startswith(("id:", "#"))


def test_submit_review_activate_with_confirmation(demo_city, client):
    """Submit (confirmation first), the province approves (not the author: the city sees no review form), the
    author activates after the confirmation; then the schedules page offers the new pack."""
    row = _draft_via_pages(client)
    base = f"/packs/{row.id}"
    r = _post(client, f"{base}/submit", {}, page=base)
    assert r.status_code == 200 and 'id="confirm-form"' in r.get_data(as_text=True)
    assert db.session.get(AuthoredPack, row.id).status == "draft"
    assert _post(client, f"{base}/submit", {"confirmed": "1"}, page=base).status_code == 302
    assert 'id="review-form"' not in client.get(f"{base}/review").get_data(as_text=True)
    client.get("/logout")
    login(client, "hebei")
    assert 'id="review-form"' in client.get(f"{base}/review").get_data(as_text=True)
    r = _post(client, f"{base}/review", {"decision": "approve", "note": "", "confirmed": "1"}, page=f"{base}/review")
    assert r.status_code == 302, r.get_data(as_text=True)[:1000]
    client.get("/logout")
    login(client, "langfang")
    r = _post(client, f"{base}/activate", {}, page=base)
    assert 'id="confirm-form"' in r.get_data(as_text=True)
    assert _post(client, f"{base}/activate", {"confirmed": "1"}, page=base).status_code == 302
    db.session.expire_all()
    assert db.session.get(AuthoredPack, row.id).status == "active"
    assert "langfang-2026-27" in client.get("/schedules/").get_data(as_text=True)
    public = client.get("/public/packs/").get_data(as_text=True)
    assert row.title in public


def test_enterprise_and_public_read_active_packs_only(demo_city, client):
    row = _draft_via_pages(client)
    client.get("/logout")
    login(client, "qiye")
    assert client.get(f"/packs/{row.id}").status_code == 404
    assert client.get("/packs/").status_code == 302
    client.get("/logout")
    assert client.get("/public/packs/").status_code == 200


def test_api_copy_document_edit_problems_diff(demo_city, client):
    from registry.accounts.models import User
    from registry.accounts.operations import create_token

    city = db.session.scalar(select(User).where(User.username == "langfang"))
    _t, secret = create_token(city, {"name": "packs"})
    db.session.commit()
    h = {"Authorization": f"Bearer {secret}"}
    r = client.post("/api/v1/authored-packs", json={"parent": "langfang-2017-18", "region_code": "131000",
                                                    "season_year": 2026}, headers=h)
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["id"]
    r = client.post(f"/api/v1/authored-packs/{pid}/documents", headers=h,
                    json={"filename": "方案.txt", "content_base64": base64.b64encode(PLAN).decode()})
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()["documents"][0]
    r = client.post(f"/api/v1/authored-packs/{pid}/edits", headers=h, json={
        "changes": {"emergency.ratios.value.orange.pm": 25}, "document_id": doc["id"], "line": 3})
    assert r.status_code == 200, r.get_json()
    assert f"D{doc['id']}:3" in r.get_json()["yaml"]
    r = client.post(f"/api/v1/authored-packs/{pid}/edits", headers=h, json={"changes": {"emergency.ratios.value.red.pm": 35}})
    assert r.status_code == 422
    assert client.get(f"/api/v1/authored-packs/{pid}/problems", headers=h).get_json() == {"items": []}
    diff = client.get(f"/api/v1/authored-packs/{pid}/diff", headers=h).get_json()["items"]
    assert any(c["path"] == "emergency.ratios.value.orange.pm" and c["new"] == 25 for c in diff)
    assert client.get(f"/api/v1/authored-packs/{pid}/submit", headers=h).status_code == 405
    assert client.post(f"/api/v1/authored-packs/{pid}/review", headers=h, json={"decision": "approve"}).status_code in (403, 409)
    spec = client.get("/api/v1/openapi.json").get_data(as_text=True)
    assert re.search(r"/api/v1/authored-packs/\{authored_id\}/impact", spec)


def test_every_section_of_every_shipped_pack_renders_as_a_form(demo_city, client):
    """One definition, no hand-written form per section: each section of a copy of each shipped pack renders its
    generated form (labels, no template error) and posts back unchanged."""
    from registry.accounts.models import User
    from registry.authoring import editor
    from registry.authoring import operations as ops

    hebei = db.session.scalar(select(User).where(User.username == "hebei"))
    login(client, "hebei")
    for n, parent in enumerate(("langfang-2017-18", "shijiazhuang-2018-20", "jizhou-2018-19", "jiyuan-2018-19", "jjj-2019-20")):
        row = ops.copy_pack(hebei, parent=parent, region_code="130000", season_year=2026, pack_id=f"copy{n}-2026-27")
        db.session.commit()
        for key, label in editor.sections(row.yaml_text):
            r = client.get(f"/packs/{row.id}/edit/{key}")
            assert r.status_code == 200, (parent, key, r.get_data(as_text=True)[:500])
            assert label in r.get_data(as_text=True)
            fields = editor.fields(row.yaml_text, key)
            from werkzeug.datastructures import MultiDict

            posted = MultiDict()
            for f in fields:
                if f.multiple:
                    for v in f.value or []:
                        posted.add(f.path, v)
                elif f.type == "bool":
                    posted.add(f.path, "true" if f.value else "false")
                elif f.type == "list":
                    posted.add(f.path, "、".join(str(v) for v in f.value or []))
                else:
                    posted.add(f.path, "" if f.value is None else str(f.value))
            assert editor.parse(row.yaml_text, key, posted) == {}, (parent, key)
