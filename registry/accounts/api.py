"""Account API: who am I, my API tokens, and user administration (administrators only).

Thin resources: parse → one operation → commit → dump. Bodies are validated by the
operations themselves (their schemas are only documented here, never parsed twice).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.accounts import operations as ops
from registry.accounts import reauth
from registry.accounts.schemas import TokenCreatedOut, TokenInput, TokenOut, UserInput, UserOut
from registry.core import unit_of_work
from registry.core.api_auth import actor, bearer_token_sent, guard, login_required
from registry.core.api_support import body, errors, json_body

DESCRIPTION = """Accounts and API tokens.

Authenticate with `Authorization: Bearer lt_…` (create a token on the API tokens page, or here
from a signed-in browser session whose password was just entered — a token cannot create tokens;
at most API_TOKEN_MAX_DAYS, 365 days by default; a password change or reset revokes every token;
the secret is shown once, only its SHA-256 is stored) or with the session cookie of a signed-in
browser. Session-authenticated POST/PUT/DELETE requests must send the page's CSRF token
(`<meta name="csrf-token">`) in the `X-CSRFToken` header, or they are answered 400 `csrf_failed`.

Errors are `{"code", "message", "errors": {field: [messages]}}`: 401 not signed in, 403 no
permission, 404 not found or outside your region, 409 changed by someone else or not allowed in
the record's state, 413 body over 8 MiB, 422 invalid fields. Messages are in Chinese; send
`Accept-Language: en` or `?lang=en` for English."""

blp = Blueprint("accounts_api", __name__, url_prefix="/api/v1", description=DESCRIPTION)
guard(blp)


class TokenListOut(Schema):
    items = fields.List(fields.Nested(TokenOut))


class UserListOut(Schema):
    items = fields.List(fields.Nested(UserOut))


@blp.route("/me")
class Me(MethodView):
    @login_required
    @blp.response(200, UserOut)
    @errors(blp, 401)
    def get(self):
        """The account behind this token or session."""
        return actor()


@blp.route("/tokens")
class Tokens(MethodView):
    @login_required
    @blp.response(200, TokenListOut)
    @errors(blp, 401)
    def get(self):
        """Your API tokens (never their secrets)."""
        return {"items": ops.list_tokens(actor())}

    @login_required
    @body(TokenInput)
    @blp.response(201, TokenCreatedOut)
    @errors(blp, 401, 403, 400)
    def post(self):
        """Create an API token; the secret (`token`) is in this response only, never again.

        Only from a signed-in browser session whose password was entered in the last minutes
        (403 otherwise, also for any Bearer token: a token cannot create tokens). `expires_in_days`
        is 1 to API_TOKEN_MAX_DAYS (365 by default)."""
        # Issue 13 M3: not with a Bearer token, and with a session only after a recent password check.
        token, secret = ops.create_token(actor(), json_body(), by_token=bearer_token_sent(),
                                         password_confirmed=reauth.is_recent())
        unit_of_work.flush()
        return {**{name: getattr(token, name) for name in TokenOut().fields}, "token": secret}


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @login_required
    @blp.response(204)
    @errors(blp, 401, 404, 400)
    def delete(self, token_id: int):
        """Revoke one of your tokens; it stops working at once."""
        ops.revoke_token(actor(), token_id)
        unit_of_work.flush()


@blp.route("/users")
class Users(MethodView):
    @login_required
    @blp.response(200, UserListOut)
    @errors(blp, 401, 403)
    def get(self):
        """All accounts (administrators only)."""
        return {"items": ops.list_users(actor())}

    @login_required
    @body(UserInput)
    @blp.response(201, UserOut)
    @errors(blp, 401, 403, 400)
    def post(self):
        """Create an account: officials need a region of their level (administrators only)."""
        user = ops.create_user(actor(), json_body())
        unit_of_work.flush()
        return user


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @login_required
    @blp.response(200, UserOut)
    @errors(blp, 401, 404)
    def get(self, user_id: int):
        """One account: your own, or any for an administrator."""
        return ops.get_user(actor(), user_id)

    @login_required
    @body(UserInput)
    @blp.response(200, UserOut)
    @errors(blp, 401, 403, 404, 400)
    def put(self, user_id: int):
        """Replace an account's settings; omit `password` to keep it (administrators only)."""
        user = ops.update_user(actor(), user_id, json_body())
        unit_of_work.flush()
        return user
