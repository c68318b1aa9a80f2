"""The world of tests/authz/spec.py, built through operations, and how each actor signs in.

One world per (route, actor) pair: an enterprise in 安次区 (131002) owned by `owner`, in the
route's registration state, with one line and one permit; an API token of the owner; and the
actor's own account. API actors authenticate with a token made by accounts.operations.
create_token; page actors with a Flask-Login session (the session keys Flask-Login itself
writes at login) plus a CSRF token (the one flask-wtf puts in the session and in base.html's
`csrf-token` meta tag), so the matrix does not depend on the login page's markup.
"""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from tests.builders import ANCI, GUANGYANG, PASSWORD, enterprise_payload, line_payload, permit_payload

WORLD_PERMIT_NUMBER = "P-131002-0001"

# placeholder → builder of extra world values, registered by a route table whose objects cost too
# much to build for every world (tests/authz/schedules.py builds schedules only when a path names one)
LAZY_VALUES: dict[str, Callable[["World"], dict[str, Any]]] = {}

# actor → (role, region) for the accounts the world makes; owner and other_enterprise register enterprises.
ACTOR_ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "owner": ("enterprise", None),
    "other_enterprise": ("enterprise", None),
    "county_in": ("county", ANCI),
    "county_out": ("county", GUANGYANG),
    "city_in": ("city", "131000"),
    "city_out": ("city", "130100"),
    "province_in": ("province", "130000"),
    "province_out": ("province", "120000"),
    "admin": ("admin", None),
    "security_admin": ("security_admin", None),
    "audit_admin": ("audit_admin", None),
}


@dataclass
class World:
    owner: Any
    enterprise: Any
    line: Any
    permit: Any
    token: Any
    actor: Any = None
    headers: dict[str, str] = field(default_factory=dict)  # the actor's Bearer header ({} when anonymous)
    values: dict[str, Any] = field(default_factory=dict)

    def _ensure(self, text: str) -> None:
        for name in re.findall(r"\{(\w+)\}", text):
            if name not in self.values and name in LAZY_VALUES:
                self.values.update(LAZY_VALUES[name](self))

    def fill(self, text: str) -> str:
        self._ensure(text)
        return text.format(**self.values)

    def fill_data(self, data: Any) -> Any:
        """Replace "{placeholder}" strings; a value that is only a placeholder keeps its type."""
        if isinstance(data, dict):
            return {k: self.fill_data(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.fill_data(v) for v in data]
        if isinstance(data, str):
            self._ensure(data)
            whole = re.fullmatch(r"\{(\w+)\}", data)
            if whole and whole.group(1) in self.values:
                return self.values[whole.group(1)]
            return self.fill(data)
        return data


def _account(username: str, role: str, region: str | None):
    from registry.accounts.auth import SYSTEM
    from registry.accounts.operations import create_user

    return create_user(SYSTEM, {"username": username, "password": PASSWORD, "role": role, "region_code": region})


def build_world(state: str, actor_name: str) -> World:
    """The spec's world in `state` (draft | submitted | returned | approved) plus the actor's account."""
    from registry.accounts.operations import create_token
    from registry.enterprises import operations as ops
    from registry.extensions import db

    grade_state = state.removeprefix("grade_") if state.startswith("grade_") else None
    state = "approved" if grade_state else state  # grade worlds: an approved registration + an application
    owner = _account("owner", "enterprise", None)
    enterprise = ops.register_enterprise(owner, enterprise_payload(1, ANCI))
    line = ops.add_line(owner, enterprise.id, line_payload("L1"))
    permit = ops.add_permit(owner, enterprise.id, permit_payload(WORLD_PERMIT_NUMBER))
    db.session.flush()
    if state != "draft":
        ops.submit_registration(owner, enterprise.id, {"version": enterprise.version})
        db.session.flush()
    if state in ("returned", "approved"):
        reviewer = _account("world.reviewer", "county", ANCI)
        if state == "returned":
            ops.return_registration(reviewer, enterprise.id, {"version": enterprise.version, "reason": "请补充排污许可证副本"})
        else:
            ops.approve_registration(reviewer, enterprise.id, {"version": enterprise.version, "reason": ""})
        db.session.flush()
    elif state not in ("draft", "submitted"):
        raise ValueError(f"unknown world state {state!r}")
    grade_values: dict[str, Any] = {}
    if grade_state:
        from tests.authz.grades import build_grade_world

        grade_values = build_grade_world(grade_state, owner, enterprise)
    token, _secret = create_token(owner, {"name": "world token"})

    actor = None
    headers: dict[str, str] = {}
    if actor_name == "owner":
        actor = owner
    elif actor_name != "anonymous":
        role, region = ACTOR_ACCOUNTS[actor_name]
        actor = _account(actor_name.replace("_", "."), role, region)
        if actor_name == "other_enterprise":
            ops.register_enterprise(actor, enterprise_payload(2, ANCI, name="廊坊另一家测试企业有限公司"))
    if actor is not None:  # the actor's own API token, made in the same commit as the world
        _actor_token, actor_secret = create_token(actor, {"name": "matrix"})
        headers["Authorization"] = f"Bearer {actor_secret}"
    db.session.commit()
    world = World(owner=owner, enterprise=enterprise, line=line, permit=permit, token=token, actor=actor, headers=headers)
    world.values = {
        "enterprise_id": enterprise.id,
        "line_id": line.id,
        "permit_id": permit.id,
        "token_id": token.id,
        "user_id": owner.id,
        "enterprise_version": enterprise.version,
        "line_version": line.version,
        "permit_version": permit.version,
        "permit_number": permit.number,
        "owner_username": owner.username,
        **grade_values,
    }
    return world


def bearer_headers(user) -> dict[str, str]:
    from registry.accounts.operations import create_token
    from registry.extensions import db

    _token, secret = create_token(user, {"name": "matrix"})
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def session_login(client, user) -> str:
    """Sign `user` in on `client` as Flask-Login's login_user would (None: stay anonymous);
    returns the CSRF token a page would carry, which is valid for anonymous visitors too."""
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    raw = secrets.token_hex(20)
    field_name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    with client.session_transaction() as sess:
        if user is not None:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["_auth_at"] = int(time.time())  # as login does: the password was just checked (accounts/reauth.py)
            sess["_id"] = current_app.login_manager._session_identifier_generator()
        sess[field_name] = raw
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)
