"""Lantian Registry: the application factory."""
from __future__ import annotations

import logging
import os
import re
import uuid

from flask import Flask, g, jsonify, make_response, render_template, request, session
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from config import CONFIGS, INSTANCE_DIR
from registry.core.errors import DomainError, Unavailable
from registry.extensions import api, babel, csrf, db, limiter, login_manager, migrate

log = logging.getLogger("registry")


def create_app(config: str | type | object | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates"),
        static_folder="static",
        instance_path=str(INSTANCE_DIR),
    )
    from registry.core.api_support import DecimalJSONProvider

    app.json = DecimalJSONProvider(app)  # Decimal → JSON number, as the OpenAPI schemas say
    if config is None:
        config = os.environ.get("LANTIAN_CONFIG", "default")
    if isinstance(config, str):
        config = CONFIGS[config]
    app.config.from_object(config() if isinstance(config, type) and config.__name__ == "Production" else config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    from registry.core import routing
    from registry.core.api_support import ErrorOut

    # Document our error envelope {"code", "message", "errors"} instead of flask-smorest's default (set here,
    # not in extensions.py, which imports nothing of the registry).
    api.ERROR_SCHEMA = ErrorOut
    routing.register(app, api)  # before any rule: `<int:…>` ids bounded to the database's integer range
    api.init_app(app)

    _import_models()
    _register_auth(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_cli(app)
    _register_request_hooks(app)
    from registry.core import templating

    templating.register(app)
    from registry.core import confirm

    confirm.init_app(app)  # kept input of a refused page form (issue 16 item 3)
    _trust_proxies(app)
    from registry.grades.settings import check_workflow_settings

    check_workflow_settings(app.config)  # a mistyped pack id fails the start, not an official's approval
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind nginx: believe X-Forwarded-For/-Proto/-Host/-Port from exactly TRUSTED_PROXY_COUNT
    proxies, so the audit log records the client's address and HTTPS is seen as such (HSTS, Secure
    cookies). 0 (the default) trusts no header: a client could otherwise forge its address."""
    n = int(app.config.get("TRUSTED_PROXY_COUNT", 0) or 0)
    if n > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]


def _import_models() -> None:
    """Every model must be known to the metadata before migrations or create_all run."""
    from registry.accounts import models as _a  # noqa: F401
    from registry.alerts import models as _al  # noqa: F401
    from registry.authoring import models as _au  # noqa: F401
    from registry.compliance import models as _co  # noqa: F401
    from registry.core import models as _c  # noqa: F401
    from registry.emergency import models as _em  # noqa: F401
    from registry.enterprises import models as _e  # noqa: F401
    from registry.grades import models as _g  # noqa: F401
    from registry.readings import models as _rd  # noqa: F401
    from registry.schedules import models as _s  # noqa: F401


def _select_locale() -> str:
    from flask import has_request_context

    supported = ("zh", "en")
    if not has_request_context():  # CLI commands and demo loading speak Chinese
        return "zh"
    lang = request.args.get("lang")
    if lang in supported:
        session["lang"] = lang
        return lang
    if session.get("lang") in supported:
        return session["lang"]
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(supported) or "zh"
    return "zh"


def _register_auth(app: Flask) -> None:
    from registry.accounts import auth_loader

    login_manager.user_loader(auth_loader.load_user)
    login_manager.request_loader(auth_loader.load_user_from_request)
    login_manager.unauthorized_handler(auth_loader.unauthorized)
    login_manager.login_view = "accounts.login"


def _register_blueprints(app: Flask) -> None:
    from registry.accounts import api as accounts_api
    from registry.accounts import views as accounts_views
    from registry.alerts import api as alerts_api
    from registry.alerts import report_api as alert_report_api
    from registry.alerts import views as alerts_views
    from registry.audit import views as audit_views
    from registry.authoring import api as authoring_api
    from registry.authoring import views as authoring_views
    from registry.compliance import api as compliance_api
    from registry.compliance import views as compliance_views
    from registry.core import api as core_api
    from registry.core import views as core_views
    from registry.dashboard import views as dashboard_views
    from registry.emergency import api as emergency_api
    from registry.emergency import views as emergency_views
    from registry.enterprises import api as enterprises_api
    from registry.enterprises import views as enterprises_views
    from registry.exchange import api as exchange_api
    from registry.exchange import views as exchange_views
    from registry.grades import api as grades_api
    from registry.grades import views as grades_views
    from registry.policy import api as policy_api
    from registry.policy import supervision_api
    from registry.policy import views as supervision_views
    from registry.readings import api as readings_api
    from registry.readings import views as readings_views
    from registry.schedules import api as schedules_api
    from registry.schedules import views as schedules_views

    app.register_blueprint(core_views.bp)
    app.register_blueprint(dashboard_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(enterprises_views.bp)
    app.register_blueprint(exchange_views.bp)
    app.register_blueprint(grades_views.bp)
    app.register_blueprint(grades_views.public_bp)
    app.register_blueprint(emergency_views.bp)
    app.register_blueprint(alerts_views.bp)
    from registry.alerts import report_views as alert_report_views
    app.register_blueprint(alert_report_views.bp)
    app.register_blueprint(alert_report_views.reminders_bp)
    app.register_blueprint(schedules_views.bp)
    app.register_blueprint(schedules_views.public_bp)
    app.register_blueprint(supervision_views.bp)
    app.register_blueprint(readings_views.bp)
    app.register_blueprint(compliance_views.bp)
    app.register_blueprint(authoring_views.bp)
    app.register_blueprint(authoring_views.public_bp)
    for blp in (accounts_api.blp, enterprises_api.blp, exchange_api.blp, policy_api.blp, grades_api.blp, emergency_api.blp, schedules_api.blp, core_api.blp, supervision_api.blp, alerts_api.blp,
                alert_report_api.blp, readings_api.blp, compliance_api.blp, authoring_api.blp):
        api.register_blueprint(blp)
        csrf.exempt(blp)  # token clients carry no CSRF token; session writes are guarded in api_auth


def _register_cli(app: Flask) -> None:
    from registry import demo
    from registry.accounts import cli as accounts_cli
    from registry.alerts import cli as alerts_cli
    from registry.alerts import report_cli as alert_report_cli
    from registry.audit import cli as audit_cli
    from registry.authoring import cli as authoring_cli
    from registry.core import cli as core_cli
    from registry.emergency import cli as emergency_cli
    from registry.enterprises import cli as enterprises_cli
    from registry.exchange import cli as exchange_cli
    from registry.grades import cli as grades_cli
    from registry.policy import cli as policy_cli
    from registry.readings import cli as readings_cli
    from registry.schedules import cli as schedules_cli

    for mod in (core_cli, audit_cli, accounts_cli, enterprises_cli, exchange_cli, policy_cli, grades_cli, schedules_cli,
                emergency_cli, alerts_cli, readings_cli, authoring_cli):
        mod.register(app)
    alert_report_cli.register(alerts_cli.alert, emergency_cli.emergency)  # flask alert report, flask emergency remind-plans
    from registry.compliance import cli as compliance_cli

    compliance_cli.register(app, readings_cli.readings)  # flask readings check, flask inspections list|record
    demo.register_cli(app)  # the demo city, first of the demo builders (the schedules' follow it)


# A client's (or the proxy's) X-Request-ID is kept only when it is a short, plain token: it is written into
# the hash-chained audit log (a String(40) column) and echoed in a header. Anything else — too long (a
# 41-character id made every audited write a 500 on PostgreSQL), spaces, control or non-ASCII
# characters — is replaced by a generated id (issue 13 Low 1).
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def accepted_request_id(sent: str | None) -> str:
    if sent and _SAFE_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex[:12]


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _request_id():
        g.request_id = accepted_request_id(request.headers.get("X-Request-ID"))
        session.permanent = True

    from registry.core import input_guard

    input_guard.register(app)  # NUL characters → 422 naming the field (PostgreSQL cannot store them)

    @app.teardown_appcontext
    def _release_session(_exc):
        """Runs before Flask-SQLAlchemy's own teardown (reverse order). If the database dropped the
        connection after the response was built, the closing ROLLBACK fails: the answer stands (its
        work was committed or was read-only) and the pool has already discarded the connection."""
        try:
            db.session.remove()
        except DBAPIError as err:
            db.session.registry.clear()
            log.warning("session closed on a lost connection (%s), request %s", type(err.orig).__name__, g.get("request_id"))

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages, API answers and downloads may carry personal data or a secret shown once (a new API
            # token): no browser or proxy may keep them (issue 13 Low 8, ASVS 8.2.1). Static assets stay cacheable.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    from registry.core import security_headers

    security_headers.register(app)
    from registry.core import unit_of_work

    unit_of_work.register(app)  # registered last: its after_request (the request's one commit) runs first

    @app.context_processor
    def _globals():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or "zh"), "request_id": g.get("request_id", "")}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_errors(app: Flask) -> None:
    from flask_babel import gettext as _

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        db.session.rollback()
        if _wants_json():
            return jsonify(err.as_dict()), err.status
        return render_template("error.html", status=err.status, message=err.message, errors=err.errors), err.status

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _database_unavailable(err: Exception):
        """The database went away mid-request (restart, failover, network): a retryable 503, not a 500.

        Only connection-level failures count (OperationalError, or any DBAPIError on a connection
        SQLAlchemy marked invalidated); the pool drops such connections and pings the rest
        (`pool_pre_ping`), so the next request gets a fresh connection without restarting the app.
        """
        if not (isinstance(err, OperationalError) or getattr(err, "connection_invalidated", False)):
            return _server_error(err)
        try:
            db.session.rollback()
        except Exception:  # noqa: S110  # nosec B110  # the connection is gone; the session is discarded below
            pass
        db.session.remove()
        if "_login_user" not in g:  # the error page must not ask the lost database who is signed in
            g._login_user = login_manager.anonymous_user()
        log.warning("database unavailable (%s), request %s", type(getattr(err, "orig", None) or err).__name__, g.get("request_id"))
        response = make_response(_domain_error(Unavailable(
            _("The database is unavailable for a moment. Nothing was saved; please try again in a minute."))))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        messages = {
            400: _("The request could not be understood."),
            401: _("Please log in."),
            403: _("You do not have permission to do this."),
            404: _("Not found."),
            405: _("This method is not allowed here."),
            409: _("The record was changed by someone else. Reload and try again."),
            413: _("The upload or request body is too large."),
            422: _("Some fields are invalid."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        message = messages.get(err.code or 500, err.description or "")
        if _wants_json():
            body = {"code": (err.name or "error").lower().replace(" ", "_"), "message": message, "errors": {}}
            data = getattr(err, "data", None)  # flask-smorest/webargs validation errors
            if data and isinstance(data.get("messages"), dict):
                from registry.core.validation import flatten_marshmallow

                body["code"] = "invalid_input"
                body["errors"] = flatten_marshmallow(data["messages"])
                body["message"] = messages[422]
                return jsonify(body), 422
            return jsonify(body), err.code
        return render_template("error.html", status=err.code, message=message, errors={}), err.code

    @app.errorhandler(Exception)
    def _server_error(err: Exception):
        db.session.rollback()
        log.exception("unhandled error, request %s", g.get("request_id"))
        message = _("An internal error occurred. Quote request id %(rid)s to the administrator.", rid=g.get("request_id", "-"))
        if _wants_json():
            return jsonify({"code": "server_error", "message": message, "errors": {}}), 500
        return render_template("error.html", status=500, message=message, errors={}), 500
