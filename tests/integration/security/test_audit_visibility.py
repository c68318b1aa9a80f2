"""Issue 13, Medium 8 — audit search applies the objects' visibility rules (等保 访问控制 + 安全审计; ASVS 4.2.1, 8.3.1).

Attack as found: an official asked `/audit/export.csv?object_type=enterprise&object_id=N` and read the
whole snapshot and the username of a self-registered enterprise's never-submitted draft, which the
official's own pages answer 404 for. Now an official's audit search (page and CSV) shows entries only
for objects the official can see: drafts never submitted (enterprises and grade applications, and
everything rooted in them — lines, permits, emergency plans, evidence) are invisible until submitted.
"""
from __future__ import annotations

import csv
import io

from registry.accounts import operations as account_ops
from registry.enterprises import operations as ent_ops
from registry.extensions import db
from registry.grades import operations as grade_ops
from tests.builders import ANCI, PASSWORD, csrf_from, enterprise_payload, line_payload, login, permit_payload


def _csv_rows(client, query: str) -> list[dict]:
    resp = client.get(f"/audit/export.csv?{query}")
    assert resp.status_code == 200
    return list(csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig"))))


def _page_count(client, query: str) -> str:
    html = client.get(f"/audit/?lang=en&{query}").get_data(as_text=True)
    return html


def test_officials_do_not_read_never_submitted_drafts_through_the_audit_search(client, make_user, make_enterprise):
    county = make_user("county", ANCI)
    city = make_user("city", ANCI[:4] + "00")
    squatter = account_ops.sign_up({"username": "self.registered", "password": PASSWORD, "email": "s@example.cn"})
    db.session.commit()
    draft = ent_ops.register_enterprise(squatter, enterprise_payload(77, ANCI, name="草稿企业秘密名称"))
    ent_ops.add_line(squatter, draft.id, line_payload())
    ent_ops.add_permit(squatter, draft.id, permit_payload("P-DRAFT-77"))
    db.session.commit()
    draft_id = draft.id
    # an approved enterprise's grade application that was never submitted is a draft too
    approved, owner = make_enterprise(ANCI, approved_by=county)
    app = grade_ops.create_application(owner, {"enterprise_id": approved.id,
                                               "industries": {"steel": {"line_ids": [approved.lines[0].id]}}})
    db.session.commit()
    app_id = app.id

    for official in (county, city):
        login(client, official.username)
        assert client.get(f"/enterprises/{draft_id}").status_code == 404  # the object's own page
        for query in (f"object_type=enterprise&object_id={draft_id}",
                      f"object_type=grade_application&object_id={app_id}", "user=self.registered"):
            assert _csv_rows(client, query) == [], (official.role, query)
            assert "0 entries" in _page_count(client, query), (official.role, query)
        for query in ("object_type=production_line", "object_type=permit"):  # rooted in the draft
            assert not [r for r in _csv_rows(client, query) if r["root_id"] == str(draft_id)], (official.role, query)
        everything = client.get("/audit/export.csv").get_data().decode("utf-8-sig")
        assert "草稿企业秘密名称" not in everything and "self.registered" not in everything
        # the approved enterprise's own history stays visible (the control)
        assert _csv_rows(client, f"object_type=enterprise&object_id={approved.id}")
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/audit/").get_data(as_text=True))})

    # once submitted, the official sees its history, as the enterprise pages do
    ent_ops.submit_registration(squatter, draft_id, {"version": db.session.get(type(draft), draft_id).version})
    db.session.commit()
    login(client, county.username)
    assert client.get(f"/enterprises/{draft_id}").status_code == 200
    rows = _csv_rows(client, f"object_type=enterprise&object_id={draft_id}")
    assert rows and any(r["username"] == "self.registered" for r in rows)
    assert [r for r in _csv_rows(client, "object_type=production_line") if r["root_id"] == str(draft_id)]

    # the audit administrator sees everything, drafts included
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/audit/").get_data(as_text=True))})
    login(client, make_user("audit_admin").username)
    assert _csv_rows(client, f"object_type=grade_application&object_id={app_id}")


def test_the_enterprise_history_does_not_show_officials_a_grade_application_never_submitted(client, make_user, make_enterprise):
    """The same rule on the enterprise's own history (page and API): the history of an approved
    enterprise showed officials the `grade.create`/`grade.answers` snapshots of a grade application
    the enterprise had not submitted (its page answers 404 to them)."""
    county = make_user("county", ANCI)
    approved, owner = make_enterprise(ANCI, approved_by=county)
    app = grade_ops.create_application(owner, {"enterprise_id": approved.id,
                                               "industries": {"steel": {"line_ids": [approved.lines[0].id]}}})
    db.session.commit()
    app_id = app.id
    login(client, county.username)
    assert client.get(f"/grades/{app_id}").status_code == 404
    items = client.get(f"/api/v1/enterprises/{approved.id}/history").get_json()["items"]
    assert items and not [i for i in items if i["object_type"] == "grade_application"], items
    html = client.get(f"/enterprises/{approved.id}/history?lang=en").get_data(as_text=True)
    assert "grade.create" not in html and "Grade application" not in html
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, owner.username)  # the enterprise sees its own draft in its history
    items = client.get(f"/api/v1/enterprises/{approved.id}/history").get_json()["items"]
    assert [i for i in items if i["object_type"] == "grade_application"]
