"""Issue 17 item 3: the delivery interface — e-mail through SMTP (smtplib) tested against a local SMTP server the
test starts (aiosmtpd), a failing server recorded as "failed", SMTP unconfigured = no e-mail rows, the logging SMS
sender and a plugged-in one; and the `flask alert issue|change|lift|orders` CLI."""
from __future__ import annotations

import json
import logging
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from registry.accounts.models import User
from registry.alerts import delivery
from registry.alerts import operations as ops
from registry.alerts.models import AlertEpisode, Delivery
from registry.core.timeutil import utcnow
from registry.enterprises.models import Enterprise
from registry.extensions import db

pytestmark = pytest.mark.demo_city(per_city=4)


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture()
def smtp_server():
    with socket.socket() as probe:  # a free port (aiosmtpd's readiness check cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def test_orders_are_e_mailed_through_smtp(demo_city, smtp_server, monkeypatch):
    controller, inbox = smtp_server
    port = controller.port
    monkeypatch.setitem(demo_city.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(demo_city.config, "MAIL_PORT", port)
    monkeypatch.setitem(demo_city.config, "MAIL_FROM", "alerts@lantian.test")
    db.session.execute(update(Enterprise).values(contact_email="ehs@example.test"))
    db.session.commit()
    ep = ops.issue(_user("langfang"), {"scope": "city", "region_code": "131000", "level": "orange", "doc_number": "廊〔2026〕3号"})
    db.session.commit()
    sent = db.session.scalars(select(Delivery).where(Delivery.channel == "email")).all()
    assert sent and all(d.status == "sent" and d.recipient == "ehs@example.test" for d in sent)
    assert len(inbox.messages) == len(sent)
    rcpt, text = inbox.messages[0]
    assert rcpt == ["ehs@example.test"] and "Subject:" in text
    assert ep.status == "active"


def test_unreachable_smtp_is_recorded_as_failed(demo_city, monkeypatch):
    monkeypatch.setitem(demo_city.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(demo_city.config, "MAIL_PORT", 9)  # discard port: nothing listens
    monkeypatch.setitem(demo_city.config, "MAIL_TIMEOUT", 2)
    db.session.execute(update(Enterprise).values(contact_email="ehs@example.test"))
    db.session.commit()
    ops.issue(_user("langfang"), {"scope": "city", "region_code": "131000", "level": "orange"})
    db.session.commit()
    rows = db.session.scalars(select(Delivery).where(Delivery.channel == "email")).all()
    assert rows and all(d.status == "failed" and d.error for d in rows)
    assert db.session.scalars(select(Delivery).where(Delivery.channel == "inapp")).all()  # the inbox still got it


def test_without_smtp_no_email_and_sms_goes_to_the_log(demo_city, caplog):
    db.session.execute(update(Enterprise).values(contact_phone="13800000000"))
    db.session.commit()
    logger = logging.getLogger("registry.alerts.sms")
    logger.addHandler(caplog.handler)  # the registry's loggers may not propagate to the root
    try:
        with caplog.at_level(logging.INFO, logger="registry.alerts.sms"):
            ops.issue(_user("langfang"), {"scope": "city", "region_code": "131000", "level": "orange"})
            db.session.commit()
    finally:
        logger.removeHandler(caplog.handler)
    assert not db.session.scalars(select(Delivery).where(Delivery.channel == "email")).all()
    sms = db.session.scalars(select(Delivery).where(Delivery.channel == "sms")).all()
    assert sms and all(d.recipient == "13800000000" and d.status == "sent" for d in sms)
    assert "SMS to 13800000000" in caplog.text


class RecordingSms:
    sent: list = []

    def __init__(self, config):
        self.channel = "sms"

    def send(self, messages):
        RecordingSms.sent.extend(messages)
        return [delivery.Result(m.order_id, m.recipient, "failed", "gateway down") for m in messages]


def test_a_plugged_in_sms_sender(demo_city, monkeypatch):
    monkeypatch.setitem(demo_city.config, "ALERT_SMS_SENDER", f"{__name__}:RecordingSms")
    db.session.execute(update(Enterprise).values(contact_phone="13900000000"))
    db.session.commit()
    ops.issue(_user("langfang"), {"scope": "city", "region_code": "131000", "level": "orange"})
    db.session.commit()
    assert RecordingSms.sent
    assert all(d.status == "failed" and d.error == "gateway down"
               for d in db.session.scalars(select(Delivery).where(Delivery.channel == "sms")))


def test_cli_issue_change_orders_lift(demo_city, db_app):
    run = db_app.test_cli_runner().invoke
    start = (utcnow() + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")  # now, in Beijing time
    out = run(args=["alert", "issue", "131000", "orange", "--as-user", "langfang", "--start", start,
                    "--doc-number", "CLI-1"])
    assert out.exit_code == 0, out.output
    head = json.loads(out.output.splitlines()[-1])
    assert head["level"] == "orange" and head["enterprises"] > 0
    ep_id = head["episode"]
    out = run(args=["alert", "change", str(ep_id), "red", "--as-user", "langfang"])
    assert out.exit_code == 0 and json.loads(out.output.splitlines()[-1])["level"] == "red"
    out = run(args=["alert", "orders", str(ep_id), "--as-user", "langfang", "--unacknowledged"])
    rows = [json.loads(x) for x in out.output.splitlines()]
    assert rows and all(r["level"] == "red" for r in rows)
    out = run(args=["alert", "lift", str(ep_id), "--as-user", "langfang", "--clear-hours", "10"])
    assert out.exit_code == 2 and "clear_hours" in out.output  # R-W-02: 36 h
    out = run(args=["alert", "lift", str(ep_id), "--as-user", "langfang", "--clear-hours", "36"])
    assert out.exit_code == 0, out.output
    db.session.expire_all()
    assert db.session.get(AlertEpisode, ep_id).status == "lifted"
    out = run(args=["alert", "orders", str(ep_id), "--as-user", "shijiazhuang"])
    assert out.exit_code == 2 and "not_found" in out.output
