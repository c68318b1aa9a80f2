"""Issue 17, plan completeness: officials remind every enterprise whose 一厂一策 plan is missing or incomplete — the
reminders land in each enterprise's alerts inbox, the step is audited, out-of-scope regions answer 404, and the
button (plans-missing page) and `flask emergency remind-plans` reach the same operation."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from registry.alerts.models import InboxMessage
from registry.alerts.reminders import remind_plans
from registry.core.errors import Forbidden, NotFound
from registry.core.models import AuditEntry
from registry.demo import DEMO_PASSWORD
from registry.emergency.completeness import plans_missing
from registry.extensions import db
from tests.builders.http import csrf_from, login
from tests.integration.alerts.test_alert_report import _user

pytestmark = pytest.mark.demo_city(per_city=6)


def _reminders() -> dict[int, list[InboxMessage]]:
    out: dict[int, list[InboxMessage]] = {}
    for m in db.session.scalars(select(InboxMessage).where(InboxMessage.kind == "reminder")):
        out.setdefault(m.enterprise_id, []).append(m)
    return out


def test_reminders_land_in_every_missing_enterprises_inbox(demo_city):
    missing = {r["enterprise_id"] for r in plans_missing("131000")}
    assert missing, "the demo city has enterprises without a filed plan"
    out = remind_plans(_user("langfang"), "131000")
    db.session.commit()
    got = _reminders()
    assert set(got) == missing and out["enterprises"] == out["inbox"] == len(missing)
    msg = got[next(iter(missing))][0]
    assert msg.link.endswith("/plan") and msg.read_at is None and msg.subject
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "alert.remind_plans"))
    assert entry is not None and entry.user_id == _user("langfang").id and entry.region_code == "131000"


def test_out_of_scope_and_non_officials(demo_city):
    with pytest.raises(NotFound):
        remind_plans(_user("shijiazhuang"), "131000")
    with pytest.raises((NotFound, Forbidden)):
        remind_plans(_user("qiye"), "131000")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(InboxMessage).where(InboxMessage.kind == "reminder")) == 0


def test_button_and_cli(demo_city, client):
    login(client, "langfang", DEMO_PASSWORD)
    page = client.get("/emergency/plans-missing").get_data(as_text=True)
    assert "remind-form" in page
    resp = client.post("/alerts/reminders/plans", data={"csrf_token": csrf_from(page), "region": "131000"})
    assert resp.status_code == 302 and "/emergency/plans-missing" in resp.headers["Location"]
    first = sum(len(v) for v in _reminders().values())
    assert first > 0
    run = demo_city.test_cli_runner().invoke
    out = run(args=["emergency", "remind-plans", "131000", "--as-user", "langfang"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output.strip().splitlines()[-1])["inbox"] == first
    db.session.expire_all()
    assert sum(len(v) for v in _reminders().values()) == 2 * first
    assert run(args=["emergency", "remind-plans", "131000", "--as-user", "shijiazhuang"]).exit_code == 2
    # the enterprise sees it in its inbox
    eid = next(iter(_reminders()))
    owner = db.session.scalar(select(_user("qiye").__class__).where(_user("qiye").__class__.enterprise_id == eid))
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, owner.username, DEMO_PASSWORD)
    assert "一厂一策" in client.get("/alerts/inbox").get_data(as_text=True)

