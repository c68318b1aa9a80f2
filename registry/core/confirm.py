"""Confirmation before an irreversible page action, and a refused page form that keeps what was typed (issue 16 item 3).

Confirmation, server-side first (works without JavaScript, testable over HTTP): a page POST of an irreversible action
without `confirmed=1` does nothing and answers a page that states the action's consequences, computed from the data in
the user's language, and re-posts the same fields with `confirmed=1`. The view only gains a decorator:

    @bp.post("/<int:schedule_id>/publish")
    @login_required
    @_fresh_login                                  # the password again comes first, as before
    @confirm.required(confirmations.publish)      # then: "将向 N 家企业发布，发布后不可修改…"
    def publish(schedule_id): ...

`explain(**view_args)` returns a `Confirmation`; it reads (it must not write) and raises the domain's NotFound /
Forbidden / Conflict like the operation would, so a user who may not act is refused before being asked. The API is not
affected: API clients are explicit and their requests never pass through these views.

Kept input: `keeps_input(page)` turns a ValidationFailed of a page POST into the page the form lives on (422), rendered
with `g.kept` = {endpoint, values, errors, message}; templates read it through `kept_value(endpoint, name, default)`,
`kept_errors(endpoint, name)` and the macros in templates/macros/kept.html (the error beside its field, a summary naming
each field by its label, marked `data-kept="<endpoint>"`). A page that does not show that form to this user now (no
marker) falls back to the error page, so the message is never lost. Nothing is saved: the request rolls back.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Flask, g, render_template, request

from registry.core.errors import ValidationFailed

CONFIRM_FIELD = "confirmed"
_NOT_REPOSTED = {"csrf_token", CONFIRM_FIELD}


@dataclass
class Confirmation:
    """What the confirmation page says. `title`: the action on its object ("发布错峰生产清单 · 廊坊市… 第2版");
    `consequences`: what follows, from the data; `warnings`: what the official should weigh before going on
    (targets not met, …), shown highlighted; `action`: the confirm button's text; `back`: the cancel link."""

    title: str
    consequences: list[str]
    action: str
    back: str
    warnings: list[str] = field(default_factory=list)
    danger: bool = False


def confirmed() -> bool:
    return request.form.get(CONFIRM_FIELD) == "1"


def reposted_fields() -> list[tuple[str, str]]:
    """The submitted fields the confirmation page sends again (every value of a repeated name, in order)."""
    return [(k, v) for k, values in request.form.lists() for v in values if k not in _NOT_REPOSTED]


def ask(confirmation: Confirmation):
    """The confirmation page (200): nothing has changed yet."""
    return render_template("confirm.html", c=confirmation, fields=reposted_fields(), action=request.path)


def required(explain: Callable[..., Confirmation]):
    """Decorate a page POST view: without `confirmed=1` answer the confirmation page built by `explain(**view_args)`."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if request.method == "POST" and not confirmed():
                return ask(explain(**kwargs))
            return view(*args, **kwargs)
        wrapper.confirms = explain  # type: ignore[attr-defined]  # listed by tests and docs
        return wrapper
    return decorator


# ---- kept input --------------------------------------------------------------------------------

def keep(err: ValidationFailed, endpoint: str | None = None) -> None:
    """Remember the refused submission for the page about to be rendered."""
    g.kept = {"endpoint": endpoint or request.endpoint, "values": request.form.to_dict(flat=True),
              "errors": dict(err.errors), "message": err.message, "args": dict(request.view_args or {})}


def keeps_input(page: Callable[..., Any]):
    """Decorate a page POST view: a ValidationFailed re-renders `page(**view_args)` (the GET view of the page the form is
    on, or a function of the view's arguments) with the typed values and the messages, as a 422."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            try:
                return view(*args, **kwargs)
            except ValidationFailed as err:
                from registry.extensions import db

                db.session.rollback()
                keep(err, request.endpoint)
                response = page(**kwargs)
                body, status = (response if isinstance(response, tuple) else (response, 200))[:2]
                text = body if isinstance(body, str) else body.get_data(as_text=True)
                if f'data-kept="{request.endpoint}"' not in text:
                    raise  # the page does not show this form to this user now: the error page says why
                return body, 422 if status < 400 else status
        return wrapper
    return decorator


def _kept(endpoint: str) -> dict | None:
    kept = g.get("kept")
    return kept if kept is not None and kept["endpoint"] == endpoint else None


def kept_value(endpoint: str, name: str, default: Any = "") -> Any:
    """What the user typed into `name` of the form posting to `endpoint`, when that form was just refused."""
    kept = _kept(endpoint)
    return kept["values"].get(name, default) if kept is not None else default


def kept_errors(endpoint: str, name: str | None = None) -> Any:
    """The messages of field `name` (or the whole {field: [messages]}) of the refused form posting to `endpoint`."""
    kept = _kept(endpoint)
    if kept is None:
        return [] if name is not None else {}
    return kept["errors"].get(name, []) if name is not None else kept["errors"]


def kept_on(endpoint: str, **args: Any) -> bool:
    """Whether the refused form is the one posting to `endpoint` with these URL arguments (one form per table row)."""
    kept = _kept(endpoint)
    return kept is not None and all(kept["args"].get(k) == v for k, v in args.items())


def kept_message(endpoint: str) -> str:
    kept = _kept(endpoint)
    return kept["message"] if kept is not None else ""


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(kept_value=kept_value, kept_errors=kept_errors, kept_message=kept_message, kept_on=kept_on)
