"""What the account pages say before an irreversible action (registry/core/confirm.py): revoking an API token (one's
own, or anyone's by the security administrator). Read only; the same checks as the operations first. A password reset
is not confirmed: the confirmation page would have to carry the new password in the page."""
from __future__ import annotations

import hmac

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.accounts import auth
from registry.accounts.models import ApiToken, User
from registry.core.confirm import Confirmation
from registry.core.errors import Forbidden, NotFound
from registry.core.templating import local_datetime
from registry.extensions import db


def _consequences(token: ApiToken) -> list[str]:
    used = local_datetime(token.last_used_at) if getattr(token, "last_used_at", None) else _("never")
    return [_("The token “%(name)s” stops working at once; a program using it is refused from then on (last used: %(used)s).",
              name=token.name, used=used),
            _("A revoked token cannot be restored; a new token has a new secret.")]


def revoke_own(token_id: int) -> Confirmation:
    token = db.session.get(ApiToken, token_id)
    if token is None or not hmac.compare_digest(str(token.user_id), str(getattr(current_user, "id", ""))):
        raise NotFound(_("Not found."))
    return Confirmation(title=_("Revoke the API token “%(name)s”", name=token.name), consequences=_consequences(token),
                        action=_("Revoke"), danger=True, back=url_for("accounts.tokens"))


def revoke_of(token_id: int) -> Confirmation:
    if not auth.can_administer_security(current_user):
        raise Forbidden(_("Only the security administrator revokes other users' tokens."))
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("Not found."))
    owner = db.session.get(User, token.user_id)
    return Confirmation(title=_("Revoke the API token “%(name)s” of %(user)s", name=token.name, user=owner.username if owner else "—"),
                        consequences=_consequences(token), action=_("Revoke"), danger=True,
                        back=url_for("accounts.security_user", user_id=token.user_id))
