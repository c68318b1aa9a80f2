"""Issue 13 M9: administrators (admin, security_admin, audit_admin) have no business rights (等保 2.0 三员分立).

The independent test filed an emergency list for a city as the system administrator (`can_manage_list` answered
true for `admin`). Every business predicate now refuses the three administrator roles; the route-by-route
expectations are in tests/authz/*.py (admin = what an unrelated non-official gets).
"""
from __future__ import annotations

import pytest

from registry.accounts.operations import create_token
from registry.extensions import db
from tests.builders import ANCI, csrf_from, login

ADMINS = ("admin", "security_admin", "audit_admin")


def _bearer(user) -> dict[str, str]:
    _token, secret = create_token(user, {"name": "t"})
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_the_system_administrator_cannot_compile_or_file_a_citys_emergency_list(client, make_user):
    """M9: the attack — POST /api/v1/emergency-lists as admin answered 201; now 403, and the page door too."""
    admin = make_user("admin")
    r = client.post("/api/v1/emergency-lists", json={"region_code": "131000", "pack_id": "langfang-2017-18"},
                    headers=_bearer(admin))
    assert r.status_code == 403, r.get_data(as_text=True)
    assert login(client, admin.username).status_code == 302
    html = client.get("/admin/users").get_data(as_text=True)
    r = client.post("/emergency/lists", data={"csrf_token": csrf_from(html), "region_code": "131000",
                                              "pack_id": "langfang-2017-18"})
    assert r.status_code == 403
    assert client.get("/emergency/").status_code == 403


@pytest.mark.parametrize("role", ADMINS)
def test_no_administrator_role_has_a_business_predicate(db_app, make_user, make_enterprise, role):
    """M9: every predicate of registry/*/auth.py that decides business (registration, grades, schedules,
    exemptions, emergency lists and plans, statistics) answers False for each administrator role."""
    from registry.emergency import auth as em
    from registry.enterprises import auth as en
    from registry.grades import auth as gr
    from registry.schedules import auth as sc
    from registry.schedules.models import Schedule

    official = make_user("county", ANCI)
    ent, _owner = make_enterprise(submitted=True)
    who = make_user(role)
    schedule = Schedule(region_code="131000", pack_id="langfang-2017-18", season_year=2018, title="t")
    assert not en.can_view_enterprise(who, ent) and not en.can_review_registration(who, ent)
    assert en.can_review_registration(official, ent)  # the control: an official in scope may
    assert not em.can_view_list(who, "131000") and not em.can_manage_list(who, "131000")
    assert not em.can_view_plan(who, ent) and not em.can_write_plan(who, ent)
    assert not gr.can_view_enterprise_grades(who, ent) and not gr.can_see_statistics(who)
    assert not gr.can_record_finding(who, ANCI) and not gr.can_regrade(who, ANCI)
    assert not sc.can_view_schedule(who, schedule) and not sc.can_draft_schedule(who, "131000")
    assert not sc.can_apply(who, ent.id)


def test_an_administrators_import_of_enterprises_writes_nothing(client, make_user):
    """M9: imports of enterprises — every row of an administrator's file is reported, nothing written."""
    import io

    from sqlalchemy import func, select

    from registry.enterprises.models import Enterprise
    from tests.builders.files import enterprise_row, workbook

    admin = make_user("admin")
    data = workbook({"enterprises": [enterprise_row(7)]})
    r = client.post("/api/v1/imports", headers=_bearer(admin),
                    data={"file": (io.BytesIO(data), "e.xlsx")}, content_type="multipart/form-data")
    assert r.status_code == 422, r.get_data(as_text=True)
    text = str(r.get_json())  # the row errors, decoded (the JSON escapes non-ASCII)
    assert "no business rights" in text or "业务" in text
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
