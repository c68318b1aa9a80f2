"""Registrations (issue 16 item 3): approve and return acted at once. Now they, and deleting a line or a permit, ask
first with their consequences and change nothing until confirmed; a return without a reason comes back to the review
form with the message beside the field, never to a confirmation."""
from __future__ import annotations

from registry.enterprises.models import Enterprise, Permit, ProductionLine
from registry.extensions import db
from tests.builders import ANCI
from tests.integration.confirm.helpers import confirm, confirmation, english, token


def _status(eid: int) -> str:
    db.session.expire_all()
    return db.session.get(Enterprise, eid).status


def test_approve_asks_first_then_approves(client, make_user, make_enterprise):
    county = make_user("county", ANCI)
    ent, _owner = make_enterprise(ANCI, submitted=True)
    english(client, county.username)
    path = f"/enterprises/{ent.id}/approve"
    first = client.post(path, data={"csrf_token": token(client, f"/enterprises/{ent.id}"), "version": ent.version,
                                    "reason": "材料齐全"})
    text, fields = confirmation(first)
    assert f"The registration of {ent.name} ({ent.uscc}) is approved with 1 production lines and 1 permits." in text
    assert "Note: 材料齐全" in text and ("reason", "材料齐全") in fields
    assert _status(ent.id) == "submitted"
    assert confirm(client, first, path).status_code == 302
    assert _status(ent.id) == "approved"


def test_return_asks_first_with_the_reason_then_returns(client, make_user, make_enterprise):
    county = make_user("county", ANCI)
    ent, _owner = make_enterprise(ANCI, submitted=True)
    english(client, county.username)
    path = f"/enterprises/{ent.id}/return"
    first = client.post(path, data={"csrf_token": token(client, f"/enterprises/{ent.id}"), "version": ent.version,
                                    "reason": "缺少许可证"})
    text, _ = confirmation(first)
    assert "goes back to the enterprise with this reason: 缺少许可证" in text
    assert "Until it is approved, schedules and emergency lists do not include it." in text
    assert _status(ent.id) == "submitted"
    assert confirm(client, first, path).status_code == 302
    assert _status(ent.id) == "returned"


def test_return_without_a_reason_is_refused_on_the_form_not_confirmed(client, make_user, make_enterprise):
    county = make_user("county", ANCI)
    ent, _owner = make_enterprise(ANCI, submitted=True)
    english(client, county.username)
    r = client.post(f"/enterprises/{ent.id}/return", data={"csrf_token": token(client, f"/enterprises/{ent.id}"),
                                                          "version": ent.version, "reason": ""})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="confirm-form"' not in body and 'data-field="reason"' in body
    assert _status(ent.id) == "submitted"


def test_deleting_a_line_and_a_permit_asks_first(client, make_user, make_enterprise):
    ent, owner = make_enterprise(ANCI)
    line, permit = ent.lines[0], ent.permits[0]
    english(client, owner.username)
    tok = token(client, f"/enterprises/{ent.id}")
    path = f"/enterprises/lines/{line.id}/delete"
    first = client.post(path, data={"csrf_token": tok, "version": line.version})
    text, _ = confirmation(first)
    assert f"Production line {line.name} ({line.code}) is deleted" in text
    assert db.session.get(ProductionLine, line.id) is not None
    assert confirm(client, first, path).status_code == 302
    db.session.expire_all()
    assert db.session.get(ProductionLine, line.id) is None
    path = f"/enterprises/permits/{permit.id}/delete"
    first = client.post(path, data={"csrf_token": tok, "version": permit.version})
    text, _ = confirmation(first)
    assert f"Permit {permit.number} is deleted" in text
    assert confirm(client, first, path).status_code == 302
    db.session.expire_all()
    assert db.session.get(Permit, permit.id) is None


def test_approve_without_the_version_is_refused_before_any_confirmation(client, make_user, make_enterprise):
    """Issue 13 L11's rule (a page form without its version is refused) holds before the confirmation too."""
    county = make_user("county", ANCI)
    ent, _owner = make_enterprise(ANCI, submitted=True)
    english(client, county.username)
    r = client.post(f"/enterprises/{ent.id}/approve", data={"csrf_token": token(client, f"/enterprises/{ent.id}")})
    assert r.status_code == 422 and 'id="confirm-form"' not in r.get_data(as_text=True)
    assert _status(ent.id) == "submitted"
