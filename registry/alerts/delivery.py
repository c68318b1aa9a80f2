"""Delivering alert orders: the in-app inbox at once, e-mail where an SMTP server is configured, SMS through a
pluggable sender (the default writes to the log).

A sender takes `Message`s (one per enterprise and channel) and answers a `Result` per message; the operations
record each result as an `alert_delivery` row. Configuration (config.py / the environment):

- `MAIL_SERVER`, `MAIL_PORT` (25), `MAIL_USE_SSL` / `MAIL_USE_TLS`, `MAIL_USERNAME`, `MAIL_PASSWORD`,
  `MAIL_FROM` — e-mail is sent with the standard library's smtplib over one connection per batch; without
  `MAIL_SERVER` the e-mail channel records "skipped".
- `ALERT_SMS_SENDER` — "package.module:factory" returning an object with `send(messages) -> list[Result]`;
  default `LogSmsSender` (log only, status "sent" with recipient and text in the log).
"""
from __future__ import annotations

import importlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

log = logging.getLogger("registry.alerts.delivery")


@dataclass(frozen=True)
class Message:
    order_id: int
    recipient: str  # e-mail address or phone number
    subject: str
    body: str


@dataclass(frozen=True)
class Result:
    order_id: int
    recipient: str
    status: str  # sent / failed / skipped
    error: str = ""


class Sender(Protocol):
    channel: str

    def send(self, messages: list[Message]) -> list[Result]: ...


class SmtpSender:
    """E-mail through an SMTP server (smtplib, one connection for the whole batch)."""

    channel = "email"

    def __init__(self, config) -> None:
        self.server = config.get("MAIL_SERVER") or ""
        self.port = int(config.get("MAIL_PORT") or 25)
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.username = config.get("MAIL_USERNAME") or ""
        self.password = config.get("MAIL_PASSWORD") or ""
        self.sender = config.get("MAIL_FROM") or "lantian-registry@localhost"
        self.timeout = float(config.get("MAIL_TIMEOUT") or 10)

    @property
    def configured(self) -> bool:
        return bool(self.server)

    def send(self, messages: list[Message]) -> list[Result]:
        if not messages:
            return []
        if not self.configured:
            return [Result(m.order_id, m.recipient, "skipped") for m in messages]
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as err:
            log.warning("SMTP %s:%s unavailable: %s", self.server, self.port, err)
            return [Result(m.order_id, m.recipient, "failed", str(err)[:500]) for m in messages]
        out = []
        try:
            for m in messages:
                mail = EmailMessage()
                mail["From"], mail["To"], mail["Subject"] = self.sender, m.recipient, m.subject
                mail["Date"], mail["Message-ID"] = formatdate(localtime=False), make_msgid(domain="lantian.local")
                mail.set_content(m.body)
                try:
                    smtp.send_message(mail)
                    out.append(Result(m.order_id, m.recipient, "sent"))
                except smtplib.SMTPException as err:
                    out.append(Result(m.order_id, m.recipient, "failed", str(err)[:500]))
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):  # the batch is recorded; a failed goodbye changes nothing
                log.debug("SMTP quit failed")
        return out

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.server, self.port, timeout=self.timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.server, self.port, timeout=self.timeout)
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password)
        return smtp


class LogSmsSender:
    """The default SMS sender: writes each text to the log (a deployment plugs in its SMS gateway)."""

    channel = "sms"

    def __init__(self, config=None) -> None:
        self.config = config

    def send(self, messages: list[Message]) -> list[Result]:
        sms_log = logging.getLogger("registry.alerts.sms")  # looked up now: a logging fileConfig (alembic) disables older ones
        sms_log.disabled = False
        for m in messages:
            sms_log.info("SMS to %s: %s", m.recipient, m.body)
        return [Result(m.order_id, m.recipient, "sent") for m in messages]


def sms_sender(config) -> Sender:
    """The configured SMS sender (`ALERT_SMS_SENDER = "module:factory"`), else the log sender."""
    spec = config.get("ALERT_SMS_SENDER") or ""
    if not spec:
        return LogSmsSender(config)
    module, _, attr = spec.partition(":")
    factory = getattr(importlib.import_module(module), attr or "Sender")
    return factory(config)


def email_sender(config) -> SmtpSender:
    return SmtpSender(config)
