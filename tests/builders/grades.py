"""Build grade applications in any workflow state through the operations (shared by integration, API, authz, web)."""
from __future__ import annotations

import tempfile
from datetime import timedelta

from tests.builders.answers import PDF, STEEL_ANSWERS
from tests.builders.payloads import ANCI, PASSWORD

EVIDENCE_DIR = tempfile.mkdtemp(prefix="lantian-evidence-")

STATES = ("draft", "submitted", "returned", "county_accepted", "publicity", "effective")


def use_temp_evidence_dir() -> None:
    from flask import current_app

    current_app.config.setdefault("GRADE_EVIDENCE_DIR", EVIDENCE_DIR)


def second_official(user):
    """Another official of the same level and region (four eyes, issue 13 L11: the approver does not make the
    grade effective)."""
    from sqlalchemy import select

    from registry.accounts.auth import SYSTEM
    from registry.accounts.models import User
    from registry.accounts.operations import create_user
    from registry.extensions import db

    name = f"{user.username}.second"
    return db.session.scalar(select(User).where(User.username == name)) or create_user(
        SYSTEM, {"username": name, "password": PASSWORD, "role": user.role, "region_code": user.region_code})


def build_application(owner, enterprise, state: str, *, county=None, city=None, answers=None, today=None, publisher=None):
    """An emergency-grade application of `enterprise` (registration approved) in `state`, with one PDF."""
    from registry.core import timeutil
    from registry.extensions import db
    from registry.grades import operations as ops

    use_temp_evidence_dir()
    app = ops.create_application(owner, {"enterprise_id": enterprise.id,
                                         "industries": {"steel": {"line_ids": [enterprise.lines[0].id]}}})
    ops.save_answers(owner, app.id, {"version": app.version, "industries": {"steel": {"answers": answers or STEEL_ANSWERS}}})
    ops.add_evidence(owner, app.id, "rail-contract.pdf", PDF, industry="steel", indicator="clean_transport_share")
    db.session.flush()
    if state == "draft":
        return app
    ops.submit_application(owner, app.id, {"version": app.version})
    if state == "submitted":
        return app
    if state == "returned":
        ops.review_documents(county, app.id, {"version": app.version, "verdicts": {
            "steel.clean_transport_share": {"verdict": "returned", "reason": "请补充铁路运输合同"}}})
        return app
    ops.review_documents(county, app.id, {"version": app.version})
    if state == "county_accepted":
        return app
    ops.approve(city, app.id, {"version": app.version})
    if state == "publicity":
        return app
    real = timeutil.beijing_today
    timeutil.beijing_today = lambda: real() + timedelta(days=30)
    try:
        ops.make_effective(publisher or second_official(city), app.id, {"version": app.version})
    finally:
        timeutil.beijing_today = real
    return app


def approved_enterprise(make_enterprise, make_user, region=ANCI):
    county = make_user("county", region)
    ent, owner = make_enterprise(region, approved_by=county)
    return ent, owner, county


def person_client(app):
    """A test client for one person. db_app keeps an app context pushed, so Flask reuses its `g` for
    every request: Flask-Login would serve the user, and flask-wtf the CSRF token, cached by another
    client's request. This client forgets both before each request."""
    from flask import g
    from flask.testing import FlaskClient

    class PersonClient(FlaskClient):
        def open(self, *args, **kwargs):
            g.pop("_login_user", None)
            g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
            return super().open(*args, **kwargs)

    return PersonClient(app, app.response_class, use_cookies=True)
