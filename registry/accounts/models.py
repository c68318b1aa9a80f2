"""Users with a role and a region scope, and their API tokens (stored only as hashes)."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core.timeutil import utcnow
from registry.core.types import UTCDateTime
from registry.extensions import db


class Role(str, enum.Enum):
    ENTERPRISE = "enterprise"
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"
    ADMIN = "admin"                      # system administrator: accounts, scopes, reference data
    SECURITY_ADMIN = "security_admin"    # security administrator: unlocks, password resets, token revocation
    AUDIT_ADMIN = "audit_admin"          # audit administrator: reads, searches, exports, verifies the audit log

    @property
    def is_official(self) -> bool:
        return self in (Role.COUNTY, Role.CITY, Role.PROVINCE)


# 等保 2.0 三员分立: the three administrator roles; none holds another's rights. The two that guard
# the system administrator (security, audit) are created and changed only on the server's shell
# (`flask users create --role ...`, `flask users set-role`), never through the web.
PRIVILEGED_ROLES = (Role.SECURITY_ADMIN.value, Role.AUDIT_ADMIN.value)

ROLE_LABELS = {
    Role.ENTERPRISE: _l("Enterprise user"),
    Role.COUNTY: _l("County official"),
    Role.CITY: _l("City official"),
    Role.PROVINCE: _l("Province official"),
    Role.ADMIN: _l("Administrator"),
    Role.SECURITY_ADMIN: _l("Security administrator"),
    Role.AUDIT_ADMIN: _l("Audit administrator"),
}

# The region level an official's scope must have.
ROLE_REGION_LEVEL = {Role.COUNTY: "county", Role.CITY: "city", Role.PROVINCE: "province"}


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('enterprise', 'county', 'city', 'province', 'admin', 'security_admin', 'audit_admin')",
            name="role",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", use_alter=True), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Lockout (ASVS 2.2.1, 等保 登录失败处理): consecutive failures and the end of the lock.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Server-side session invalidation (ASVS 3.3.1, 3.3.3; 等保 结束会话): a session is valid only while the
    # generation stamped into it at login equals this one (accounts/sessions.py). Logout, a password
    # change or reset, a lock and a role change add one, so every earlier cookie stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set by a password reset (the administrator knows that password): until the user chooses a new
    # one, every page and API call but the password change answers 403 (ASVS 2.1.1 / 等保 口令更换).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_official(self) -> bool:
        return self.role_enum.is_official

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def is_security_admin(self) -> bool:
        return self.role == Role.SECURITY_ADMIN.value

    @property
    def is_audit_admin(self) -> bool:
        return self.role == Role.AUDIT_ADMIN.value

    @property
    def is_active(self) -> bool:  # flask-login: deactivated accounts cannot log in
        return bool(self.active)


class ApiToken(db.Model):
    """An API token; only its SHA-256 is stored, the secret is shown once at creation."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens")


class PasswordHistory(db.Model):
    """A previous password hash of a user, so the last few cannot be reused (ASVS 2.1, 等保 口令复杂度)."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
