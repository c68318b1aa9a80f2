"""The county supervision listing (挂牌督办, 000:71, R-V-05; issue 14 point 7) for the authorization matrix.

Every official (county, city, province, in or out of the world's region) runs it over their own region (the rows
are scoped, so an official elsewhere gets 200 with their own counties); enterprise users and the three
administrators (no business rights, 三员分立, issue 13 M9) are refused.
"""
from __future__ import annotations

from tests.authz.spec import Route, everyone

PACK = "langfang-2017-18"
_REFUSED = {"owner": 403, "other_enterprise": 403, "admin": 403, "security_admin": 403, "audit_admin": 403}

ROUTES: list[Route] = [
    Route("GET", f"/supervision/?pack={PACK}", everyone(200, anonymous=302, **_REFUSED)),
    Route("GET", f"/supervision/export.csv?pack={PACK}", everyone(200, anonymous=302, **_REFUSED)),
    Route("GET", f"/supervision/export.xlsx?pack={PACK}", everyone(200, anonymous=302, **_REFUSED)),
    Route("GET", f"/api/v1/supervision-listing?pack={PACK}", everyone(200, anonymous=401, **_REFUSED)),
]
