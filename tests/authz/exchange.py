"""The exchange routes (issue 8) for the authorization matrix, in the format of tests/authz/spec.py.

Pages are answered 302 (to the login page) for anonymous visitors, API routes 401. Every
signed-in account may download the template, export what it can see (the export is scoped
by visible_enterprises, so nobody is refused — each gets their own records) and upload a
file: what each row may change is decided per row (registry/exchange/plan.py) and reported,
so the route itself refuses nobody. The matrix sends no file, hence 422 for every signed-in
actor on the upload routes; an unknown stored-upload token is 404.

tests/api/test_authorization_matrix.py reads every route table in tests/authz, this one included.
"""
from __future__ import annotations

from tests.authz.spec import Route, everyone

V = "/api/v1"
UNKNOWN_TOKEN = "0" * 32


class PathWith(str):
    """A route path with placeholders of its own (the world knows nothing of `kind` or `token`)."""

    def __new__(cls, template: str, **values: str):
        obj = super().__new__(cls, template)
        obj.values = values
        return obj

    def format(self, *args, **values):  # noqa: A003 - World.fill calls path.format(**world.values)
        return str.format(self, *args, **{**values, **self.values})


def page(ok: int) -> dict[str, int]:
    return everyone(ok, anonymous=302)


def api(ok: int) -> dict[str, int]:
    return everyone(ok, anonymous=401)


API_ROUTES: list[Route] = [
    Route("POST", f"{V}/imports", api(422), data={}, note="no file in the body: 422 for everyone signed in"),
    Route("GET", PathWith(f"{V}/exports/{{kind}}", kind="enterprises"), api(200), note="scoped export"),
    Route("GET", PathWith(f"{V}/exports/{{kind}}?format=csv", kind="permits"), api(200), note="scoped export, CSV"),
]

PAGE_ROUTES: list[Route] = [
    Route("GET", "/exchange/", page(200)),
    Route("GET", "/exchange/template", page(200)),
    Route("GET", PathWith("/exchange/export/{kind}", kind="lines"), page(200), note="scoped export"),
    Route("POST", "/exchange/import", page(422), note="no file: the upload form again, 422"),
    Route("POST", PathWith("/exchange/import/{token}", token=UNKNOWN_TOKEN), page(404), note="uploads are per user"),
    Route("GET", PathWith("/exchange/import/{token}/report.xlsx", token=UNKNOWN_TOKEN), page(404)),
]

ROUTES: list[Route] = API_ROUTES + PAGE_ROUTES
