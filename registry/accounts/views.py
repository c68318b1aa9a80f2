"""Account pages: log in/out, sign up, own account and API tokens, user administration.

Each handler parses its form, calls one operation, commits, then flashes and redirects; a
ValidationFailed re-renders the form (422) with every message beside its field.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user

from registry.accounts import auth, confirmations, lockout, queries, sessions
from registry.accounts import operations as ops
from registry.accounts.forms import (
    ROLES,
    ActionForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ReauthForm,
    SignUpForm,
    TokenForm,
    UserForm,
)
from registry.accounts.reauth import is_recent, mark_authenticated, pending_action, require_recent_login
from registry.accounts.schemas import TokenOut, UserOut
from registry.core import confirm, unit_of_work
from registry.core.errors import Forbidden, ValidationFailed
from registry.core.forms import apply_errors
from registry.core.redirects import safe_path
from registry.core.templating import role_label
from registry.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _me():
    """The signed-in user itself, not Flask-Login's proxy: operations record it in the audit log."""
    return current_user._get_current_object()


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (core/redirects.py, shared with the language switch), and not
    back to the login or logout page."""
    target = safe_path(target)
    if target is None or urlsplit(target).path.rstrip("/") in ("/login", "/logout"):
        return None
    return target


def _invalid(template: str, form, err: ValidationFailed, **context):
    db.session.rollback()  # nothing of a refused change is kept
    leftovers = apply_errors(form, form.explain(err.errors) if hasattr(form, "explain") else err.errors)
    return render_template(template, form=form, message=err.message, leftovers=leftovers, **context), 422


# ---- a password reset by an administrator must be replaced before anything else (issue 13 L9) ----

# What an account flagged `must_change_password` may still reach: the password change, logout, the
# language switch and static files. Everything else answers 403 saying what to do.
_WHILE_PASSWORD_MUST_CHANGE = frozenset({
    "accounts.account", "accounts.change_password", "accounts.logout", "accounts.login",
    "core.set_language", "core.health", "static",
})


class PasswordChangeRequired(Forbidden):
    code = "password_change_required"


@bp.before_app_request
def _require_password_change():
    if request.endpoint in _WHILE_PASSWORD_MUST_CHANGE or request.endpoint is None:
        return None
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return None  # a reset revoked every token and a flagged account cannot create one (auth_loader refuses too)
    if not (current_user.is_authenticated and getattr(current_user, "must_change_password", False)):
        return None
    if request.endpoint == "core.home":
        return redirect(url_for("accounts.account"))
    raise PasswordChangeRequired(
        _("Your password was reset by an administrator. Change it on the “My account” page (%(url)s) "
          "before you do anything else.", url=url_for("accounts.account"))
    )


# ---- log in / out / sign up ----

@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return render_template("accounts/login.html", form=form)
    username = (form.username.data or "").strip()
    if not username or not form.password.data:
        if not username:
            form.username.errors = [_("This field is required.")]
        if not form.password.data:
            form.password.errors = [_("This field is required.")]
        return render_template("accounts/login.html", form=form), 422
    try:
        user = ops.authenticate(username, form.password.data)
    except ops.AccountLocked:
        unit_of_work.keep_on_refusal()  # the failure count, the lock and their audit entries are kept
        return render_template(
            "accounts/login.html", form=form,
            message=_("Too many failed attempts: this account is locked for %(minutes)d minutes. "
                      "Try again later or ask an administrator to unlock it.", minutes=lockout.lock_minutes()),
        ), 423
    unit_of_work.keep_on_refusal()  # the audit entry of a failed attempt is kept too (422 below)
    if user is None:
        return render_template(
            "accounts/login.html", form=form, message=_("Wrong username or password, or the account is disabled.")
        ), 422
    sessions.start(user)
    if user.must_change_password:
        flash(_("Your password was reset by an administrator. Choose a new password before you continue."), "warning")
        return redirect(url_for("accounts.account"))
    flash(_("Welcome, %(name)s.", name=user.full_name or user.username), "success")
    return redirect(safe_next(form.next.data) or url_for("core.home"))


@bp.post("/logout")
@login_required
def logout():
    ops.logout(_me())  # every session of the account ends server-side, a replayed cookie included
    unit_of_work.flush()
    logout_user()
    flash(_("You have logged out."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_GLOBAL_RATE_LIMIT"], methods=["POST"],
               key_func=lambda: "signup-everyone", scope="signup-everyone")
def signup():
    """Self-service sign-up, rate limited per address and for everyone together (issue 13 M10, L4)."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = SignUpForm()
    if request.method == "POST":
        try:
            user = ops.sign_up(form.payload())
        except ValidationFailed as err:
            return _invalid("accounts/signup.html", form, err)
        unit_of_work.flush()
        sessions.start(user)
        flash(_("Your account is ready. Register your enterprise next."), "success")
        return redirect(url_for("enterprises.index"))
    return render_template("accounts/signup.html", form=form)


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
def reauth():
    """Confirm the password before a sensitive action (reauth.require_recent_login sends users here)."""
    form = ReauthForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return render_template("accounts/reauth.html", form=form, action=pending_action(form.next.data))
    ok = ops.reauthenticate(_me(), form.password.data or "")
    unit_of_work.keep_on_refusal()  # failures count toward the lockout and are audited (422 below)
    if not ok:
        form.password.errors = [_("The password is wrong, or the account is locked.")]
        return render_template("accounts/reauth.html", form=form, action=pending_action(form.next.data)), 422
    mark_authenticated()
    return redirect(safe_next(form.next.data) or url_for("core.home"))


# ---- own account ----

def _account_page(form: PasswordChangeForm, status: int = 200, **context):
    return render_template(
        "accounts/account.html", form=form, user=UserOut().dump(current_user), **context
    ), status


@bp.get("/account")
@login_required
def account():
    return _account_page(PasswordChangeForm())


@bp.post("/account/password")
@login_required
def change_password():
    form = PasswordChangeForm()
    try:
        ops.change_password(_me(), form.payload())
    except ValidationFailed as err:
        db.session.rollback()
        leftovers = apply_errors(form, err.errors)
        return _account_page(form, 422, message=err.message, leftovers=leftovers)
    unit_of_work.flush()
    sessions.restamp(_me())  # the other sessions of the account have ended; this one continues
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("accounts.account"))


# ---- API tokens ----

def _tokens_page(form: TokenForm, status: int = 200, **context):
    tokens = TokenOut(many=True).dump(ops.list_tokens(_me()))
    return render_template(
        "accounts/tokens.html", form=form, tokens=tokens, action_form=ActionForm(), **context
    ), status


@bp.get("/account/tokens")
@login_required
def tokens():
    return _tokens_page(TokenForm())


@bp.post("/account/tokens")
@login_required
@require_recent_login
def create_token():
    form = TokenForm()
    try:
        token, secret = ops.create_token(_me(), form.payload(), password_confirmed=is_recent())
    except ValidationFailed as err:
        db.session.rollback()
        leftovers = apply_errors(form, err.errors)
        return _tokens_page(form, 422, message=err.message, leftovers=leftovers)
    unit_of_work.flush()
    # The secret is shown in this response only; it is never stored or put in a cookie.
    return _tokens_page(TokenForm(formdata=None), created={"name": token.name, "secret": secret})


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
@require_recent_login
@confirm.required(confirmations.revoke_own)
def revoke_token(token_id: int):
    token = ops.revoke_token(_me(), token_id)
    unit_of_work.flush()
    flash(_("Token “%(name)s” has been revoked.", name=token.name), "success")
    return redirect(url_for("accounts.tokens"))


# ---- user administration ----

def _require_admin() -> None:
    if not auth.can_manage_accounts(_me()):
        abort(403)


def _admin_only(view):
    """403 for non-administrators before anything else (before the re-authentication prompt)."""
    from functools import wraps

    @wraps(view)
    def wrapper(*args, **kwargs):
        _require_admin()
        return view(*args, **kwargs)

    return wrapper


def _user_form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    form.role.choices = [(r, role_label(r)) for r in ROLES]
    return form


@bp.get("/admin/users")
@login_required
def users():
    try:
        page_number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page_number = 1
    q = request.args.get("q", "").strip()
    page = queries.find_users(_me(), queries.UserFilters(q=q, role=request.args.get("role", ""), page=page_number))
    rows = UserOut(many=True).dump(page.items)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("accounts/users.html", users=rows, page=page, args=args, q=q)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
@_admin_only
@require_recent_login
def new_user():
    if request.method == "GET":
        _require_admin()
        return render_template("accounts/user_form.html", form=_user_form(), user=None)
    form = _user_form()
    try:
        user = ops.create_user(_me(), form.payload())
    except ValidationFailed as err:
        return _invalid("accounts/user_form.html", form, err, user=None)
    unit_of_work.flush()
    flash(_("Account “%(name)s” has been created.", name=user.username), "success")
    return redirect(url_for("accounts.users"))


def _lock_state(user_id: int) -> dict:
    user = ops.get_user(_me(), user_id)
    return {"failed_logins": user.failed_logins or 0, "locked": lockout.is_locked(user), "locked_until": user.locked_until}


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
@_admin_only
@require_recent_login
def edit_user(user_id: int):
    _require_admin()
    if request.method == "GET":
        user = ops.get_user(_me(), user_id)
        data = UserOut().dump(user)
        form = _user_form(data=data)
        return render_template(
            "accounts/user_form.html", form=form, user=data, lock=_lock_state(user_id), action_form=ActionForm()
        )
    form = _user_form()
    try:
        user = ops.update_user(_me(), user_id, form.payload())
    except ValidationFailed as err:
        return _invalid(
            "accounts/user_form.html", form, err, user=UserOut().dump(ops.get_user(_me(), user_id)),
            lock=_lock_state(user_id), action_form=ActionForm(),
        )
    unit_of_work.flush()
    flash(_("Account “%(name)s” has been saved.", name=user.username), "success")
    return redirect(url_for("accounts.users"))


# ---- security administration (等保 三员分立: the security administrator's own pages) ----

def _security_only(view):
    """403 for anyone but the security administrator, before the re-authentication prompt."""
    from functools import wraps

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not auth.can_administer_security(_me()):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


_PERIODS = {"second": _l("%(n)s per second"), "minute": _l("%(n)s per minute"), "hour": _l("%(n)s per hour"),
            "day": _l("%(n)s per day")}


def rate_limit_label(limit: str) -> str:
    """flask-limiter's '5 per minute;20 per day' in the reader's words ('每分钟 5 次；每天 20 次'); what does not
    parse is shown as configured."""
    import re

    shown = []
    for part in filter(None, (p.strip() for p in str(limit or "").split(";"))):
        m = re.fullmatch(r"(\d+)\s*(?:per|/)\s*(second|minute|hour|day)s?", part)
        shown.append(str(_PERIODS[m.group(2)]) % {"n": m.group(1)} if m else part)
    return _("; ").join(shown)


def _security_settings() -> list[tuple[str, str]]:
    """The settings the security administrator checks (read-only here: they are set in the server's config)."""
    from registry.accounts import password_policy

    cfg = current_app.config
    return [
        (_("Minimum password length"), str(password_policy.MIN_LENGTH)),
        (_("Character classes required"), str(password_policy.MIN_CLASSES)),
        (_("Previous passwords that cannot be reused"), str(password_policy.history_size())),
        (_("Failed sign-ins before a lock"), str(lockout.max_failures())),
        (_("Lock duration (minutes)"), str(lockout.lock_minutes())),
        (_("Sign-in rate limit per address"), rate_limit_label(cfg.get("LOGIN_RATE_LIMIT", ""))),
        (_("Sign-up rate limit per address"), rate_limit_label(cfg.get("SIGNUP_RATE_LIMIT", ""))),
        (_("Sign-up rate limit for everyone together"), rate_limit_label(cfg.get("SIGNUP_GLOBAL_RATE_LIMIT", ""))),
        (_("Longest API token lifetime (days)"), str(cfg.get("API_TOKEN_MAX_DAYS", 365))),
        (_("Idle session timeout (minutes)"), str(int(cfg["PERMANENT_SESSION_LIFETIME"].total_seconds() // 60))),
        (_("Password confirmation for sensitive actions (minutes)"),
         str(int(cfg.get("REAUTH_MAX_AGE").total_seconds() // 60)) if cfg.get("REAUTH_MAX_AGE") else "10"),
        (_("Secure session cookie"), _("yes") if cfg.get("SESSION_COOKIE_SECURE") else _("no")),
        (_("Trusted reverse proxies"), str(cfg.get("TRUSTED_PROXY_COUNT", 0))),
        (_("Audit log retention (days)"), str(cfg.get("AUDIT_RETENTION_DAYS", 180))),
    ]


def _user_row(user) -> dict:
    return {
        "id": user.id, "username": user.username, "full_name": user.full_name, "role": user.role,
        "region_code": user.region_code, "active": user.active, "failed_logins": user.failed_logins or 0,
        "locked": lockout.is_locked(user), "locked_until": user.locked_until,
    }


@bp.get("/security/")
@login_required
@_security_only
def security():
    try:
        page_number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page_number = 1
    q = request.args.get("q", "").strip()
    locked_only = request.args.get("locked") == "1"
    page = queries.find_accounts_for_security(
        _me(), queries.UserFilters(q=q, page=page_number), locked_only=locked_only
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "accounts/security.html", settings=_security_settings(), users=[_user_row(u) for u in page.items],
        page=page, args=args, q=q, locked_only=locked_only,
    )


def _security_user_page(user_id: int, status: int = 200, **context):
    user = ops.get_user_for_security(_me(), user_id)
    tokens = TokenOut(many=True).dump(ops.tokens_of(_me(), user_id))
    return render_template(
        "accounts/security_user.html", user=_user_row(user), tokens=tokens, action_form=ActionForm(),
        form=context.pop("form", None) or PasswordResetForm(),
        can_reset=auth.can_reset_password_of(_me(), user), **context,
    ), status


@bp.get("/security/users/<int:user_id>")
@login_required
@_security_only
def security_user(user_id: int):
    return _security_user_page(user_id)


@bp.post("/security/users/<int:user_id>/unlock")
@login_required
@_security_only
@require_recent_login
def unlock_user(user_id: int):
    user = ops.unlock_user(_me(), user_id)
    unit_of_work.flush()
    flash(_("Account “%(name)s” has been unlocked.", name=user.username), "success")
    return redirect(url_for("accounts.security_user", user_id=user.id))


@bp.post("/security/users/<int:user_id>/password")
@login_required
@_security_only
@require_recent_login
def reset_password(user_id: int):
    form = PasswordResetForm()
    try:
        user = ops.reset_password(_me(), user_id, {"password": form.password.data or ""})
    except ValidationFailed as err:
        db.session.rollback()
        leftovers = apply_errors(form, err.errors)
        return _security_user_page(user_id, 422, form=form, message=err.message, leftovers=leftovers)
    unit_of_work.flush()
    flash(_("The password of “%(name)s” has been reset.", name=user.username), "success")
    return redirect(url_for("accounts.security_user", user_id=user.id))


@bp.post("/security/tokens/<int:token_id>/revoke")
@login_required
@_security_only
@require_recent_login
@confirm.required(confirmations.revoke_of)
def revoke_token_of(token_id: int):
    token = ops.revoke_token_of(_me(), token_id)
    unit_of_work.flush()
    flash(_("Token “%(name)s” has been revoked.", name=token.name), "success")
    return redirect(url_for("accounts.security_user", user_id=token.user_id))
