"""The authorization matrix's vocabulary: which actors, which objects, what each route must answer.

Every route of app.url_map must appear in tests/authz/pages.py (page routes) or
tests/authz/api.py (API routes); tests/api/test_authorization_matrix.py walks them all and
fails on a route that is listed nowhere.

The world built for each (route, actor) pair:
- `enterprise`: a registration in 安次区 (131002, Langfang) owned by `owner`, in `state`
  (draft | submitted | returned | approved), with one production line and one permit;
- `line`, `permit`: that enterprise's line and permit;
- `token`: an API token of `owner`;  `user`: the account of `owner`.
Path placeholders: {enterprise_id} {line_id} {permit_id} {token_id} {user_id}.

Expected answers: out of scope → 404 (existence does not leak), in scope without permission
→ 403 (or 409 when the permission exists but the state forbids it), anonymous → 302 to the
login page (pages) or 401 (API). Success is whatever the route returns on success (200, 201,
204, or 302 after a page form).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ACTORS = (
    "anonymous",
    "owner",             # enterprise user whose enterprise it is
    "other_enterprise",  # enterprise user of another enterprise (in the same county)
    "county_in",         # 安次区 131002
    "county_out",        # 广阳区 131003 (same city, other county)
    "city_in",           # 廊坊市 131000
    "city_out",          # 石家庄市 130100
    "province_in",       # 河北省 130000
    "province_out",      # 天津市 120000
    "admin",             # system administrator: accounts and scopes
    "security_admin",    # security administrator: unlocks, password resets, others' tokens (等保 三员分立)
    "audit_admin",       # audit administrator: the audit log only
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str                      # with {placeholders}
    expect: dict[str, int]         # actor → status; every actor in ACTORS must be present
    state: str = "submitted"       # registration state of the world's enterprise
    data: dict[str, Any] = field(default_factory=dict)  # form fields or JSON body
    note: str = ""

    def missing_actors(self) -> list[str]:
        return [a for a in ACTORS if a not in self.expect]


def everyone(status: int, **overrides: int) -> dict[str, int]:
    """Shorthand: the same status for every actor, with exceptions."""
    out = {a: status for a in ACTORS}
    out.update(overrides)
    return out
