"""Configuration classes: a SQLite file by default, PostgreSQL in production, an isolated DB in tests."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class Default:
    """What `make run` uses: an embedded SQLite file under instance/, Chinese UI."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lantian.sqlite3'}"
    )
    # A connection the database dropped (restart, failover) is noticed before use and replaced:
    # the app recovers by itself after the database comes back (issue 9, faults).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_SUPPORTED_LOCALES = ("zh", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "registry" / "translations")
    # Sessions end after 30 idle minutes: shared office PCs are common in bureaus.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=30)
    SESSION_REFRESH_EACH_REQUEST = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime already bounds the token
    WTF_I18N_ENABLED = True
    # 8 MiB request bodies: enough for evidence scans later, small enough to refuse abuse.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    # Issue 13 M10: self-service sign-up per client address, and for everyone together (a bound on
    # accounts made by a script from many addresses; while it is reached, sign-up answers 429).
    SIGNUP_RATE_LIMIT = "5 per minute;20 per day"
    SIGNUP_GLOBAL_RATE_LIMIT = "60 per hour"
    # Issue 13 M3: no API token lives longer than this (days); older tokens are cut to it on use.
    API_TOKEN_MAX_DAYS = 365
    # POST /api/v1/evaluate is public (the engine's contract); issue 13 High 1: a strict limit per address for
    # anonymous callers, a wider one per signed-in user, and caps on the body and on what it may list
    # (docs/evaluate.md "Limits"). `flask evaluate` (the CLI) is not bound by these.
    EVALUATE_RATE_LIMIT_ANONYMOUS = "10 per minute"
    EVALUATE_RATE_LIMIT_AUTHENTICATED = "60 per minute"
    EVALUATE_MAX_BODY_BYTES = 1024 * 1024
    EVALUATE_MAX_LINES = 500
    EVALUATE_MAX_VEHICLES = 2000
    EVALUATE_MAX_ITEMS = 200  # official_decisions, approvals, emergency_grades, each
    # Any JSON body nested deeper than this is refused with 422 before anything reads it (issue 13 Low 5).
    JSON_MAX_DEPTH = 32
    # Imports (issue 13 High 2): enterprise accounts (open sign-up) read at most these; officials keep the
    # exchange's EXCHANGE_MAX_BYTES / EXCHANGE_MAX_ROWS (64 MiB, 500,000 rows; registry/exchange/reader.py).
    EXCHANGE_SELF_SERVICE_MAX_BYTES = 8 * 1024 * 1024
    EXCHANGE_SELF_SERVICE_MAX_ROWS = 5_000
    # Imports checked at once in this server process: per account, and in all (the next one gets 429).
    EXCHANGE_MAX_CONCURRENT_IMPORTS_PER_USER = 1
    EXCHANGE_MAX_CONCURRENT_IMPORTS = 2
    # Uploads kept a day between a dry run (or a failed import) and "Import now" (issue 13 Medium 10):
    # per account at most this many files and bytes, all accounts together at most the total; the oldest go first.
    EXCHANGE_UPLOADS_PER_USER = 5
    EXCHANGE_UPLOADS_PER_USER_BYTES = 128 * 1024 * 1024
    EXCHANGE_UPLOADS_TOTAL_BYTES = 2 * 1024 ** 3
    # 等保 2.0 登录失败处理 / ASVS 2.2.1: five consecutive failures lock an account for 15 minutes.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    # ASVS 2.1 / 等保 口令复杂度: the last five passwords (current included) cannot be reused.
    PASSWORD_HISTORY = 5
    # ASVS 3.7.1: account administration asks for the password again after 10 minutes.
    REAUTH_MAX_AGE = timedelta(minutes=10)
    # 等保 安全审计: audit entries are kept at least this long (archived by export, never deleted).
    AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "180"))
    # Signed checkpoints of the audit chain's head (issue 13, Low 3): the HMAC key (when unset, one is
    # derived from SECRET_KEY; set a separate one in production) and how many entries between automatic ones.
    AUDIT_CHECKPOINT_KEY = os.environ.get("AUDIT_CHECKPOINT_KEY") or None
    AUDIT_CHECKPOINT_EVERY = int(os.environ.get("AUDIT_CHECKPOINT_EVERY", "1000"))
    # Where evidence files are kept (default instance/evidence); back it up with `flask backup`.
    GRADE_EVIDENCE_DIR = os.environ.get("GRADE_EVIDENCE_DIR") or None
    # An audit CSV export from the search page holds at most this many entries (the newest first).
    AUDIT_EXPORT_MAX_ROWS = 100_000
    # Reverse proxies in front of the app whose X-Forwarded-* headers are believed (ProxyFix);
    # 0 trusts none. Set it to 1 behind one nginx, so the audit log and HSTS see the real client.
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
    API_TITLE = "Lantian Registry API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_REDOC_PATH = "/docs"
    OPENAPI_REDOC_URL = "/static/vendor/redoc/redoc.standalone.js"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
            }
        },
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    }
    PAGE_SIZE = 25
    TESTING = False
    # Demo accounts share one published password: only development and test databases get them.
    ALLOW_DEMO_DATA = True


class Testing(Default):
    """Tests: a database URL chosen by the fixture (SQLite file or throwaway PostgreSQL)."""

    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105  # nosec B105  # tests only; Production refuses to start without SECRET_KEY
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    LOGIN_RATE_LIMIT = "1000 per minute"
    SIGNUP_RATE_LIMIT = "1000 per minute"
    SIGNUP_GLOBAL_RATE_LIMIT = "1000 per minute"
    EVALUATE_RATE_LIMIT_ANONYMOUS = "1000 per minute"  # the rate-limit test sets the production value itself
    EVALUATE_RATE_LIMIT_AUTHENTICATED = "1000 per minute"
    WTF_CSRF_ENABLED = True
    # Cheap argon2 so that a test building many accounts stays fast; production keeps the defaults.
    ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


class Production(Default):
    """Production refuses to start without a real database URL and secret key."""

    def __init__(self) -> None:
        missing = [k for k in ("DATABASE_URL", "SECRET_KEY") if not os.environ.get(k)]
        if missing:
            raise RuntimeError(f"Production config needs environment variables: {', '.join(missing)}")
        self.SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        self.SESSION_COOKIE_SECURE = True
        self.ALLOW_DEMO_DATA = False
        self.REMEMBER_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")


CONFIGS = {"default": Default, "testing": Testing, "production": Production}
