"""What the irreversible authoring actions will do, computed from the data, shown before they run (issue 16 item 3,
registry/core/confirm.py): submitting freezes the text, approving clears it for activation, activating puts it in
force for its region and season (and supersedes the version it corrects)."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from registry.authoring import auth
from registry.authoring import operations as ops
from registry.authoring.models import AuthoredPack
from registry.core.confirm import Confirmation
from registry.core.errors import Conflict, Forbidden
from registry.extensions import db


def _me():
    from flask_login import current_user

    return current_user._get_current_object()


def _back(pack) -> str:
    return url_for("authoring.overview", authored_id=pack.id)


def submit(authored_id: int) -> Confirmation:
    me = _me()
    pack = ops.get_pack(me, authored_id)
    if not auth.can_submit(me, pack):
        raise Forbidden(_("You do not have permission to do this."))
    found = ops.problems(pack)
    warnings = [_("The loader finds %(n)s problems: the submission will be refused until they are corrected.", n=len(found))] if found else []
    return Confirmation(title=_("Submit for review · %(name)s", name=pack.name),
                        consequences=[_("%(n)s changed values with their citations go to the reviewing official.", n=len(pack.edits)),
                                      _("The text is frozen: no value can change unless the reviewer returns it.")],
                        action=_("Submit for review"), back=_back(pack), warnings=warnings)


def review(authored_id: int) -> Confirmation:
    me = _me()
    pack = ops.get_pack(me, authored_id)
    if not auth.reviews_for(me, pack):
        raise Forbidden(_("You do not have permission to do this."))
    if pack.status != "submitted":
        raise Conflict(_("Only a submitted pack is reviewed."))
    if not auth.four_eyes(me, pack):
        raise Forbidden(_("Four eyes: the author or an editor of a pack cannot review it."))
    if request.form.get("decision") == "return":
        return Confirmation(title=_("Return for changes · %(name)s", name=pack.name),
                            consequences=[_("The author can change the values again and submit anew.")],
                            action=_("Return for changes"), back=_back(pack))
    return Confirmation(title=_("Approve · %(name)s", name=pack.name),
                        consequences=[_("%(n)s changed values are approved as cited.", n=len(pack.edits)),
                                      _("The pack can then be put in force for its region and season.")],
                        action=_("Approve"), back=_back(pack))


def activate(authored_id: int) -> Confirmation:
    me = _me()
    pack = ops.get_pack(me, authored_id)
    if not auth.may_activate(me, pack):
        raise Forbidden(_("You do not have permission to do this."))
    if pack.status != "approved":
        raise Conflict(_("Only an approved pack can be activated."))
    consequences = [_("From now on schedule generation and the emergency list can use %(title)s for the heating season "
                      "starting in %(year)s.", title=pack.title, year=pack.season_year),
                    _("Every schedule and list decided with it records this text's hash; the text can never change again "
                      "— a correction is a new version.")]
    previous = db.session.scalars(select(AuthoredPack).where(AuthoredPack.pack_id == pack.pack_id,
                                                             AuthoredPack.status == "active")).all()
    warnings = [_("Version %(n)s, in force now, will be superseded.", n=p.version) for p in previous]
    return Confirmation(title=_("Put in force · %(name)s", name=pack.name), consequences=consequences,
                        action=_("Put in force"), back=_back(pack), warnings=warnings, danger=True)


def withdraw(authored_id: int) -> Confirmation:
    me = _me()
    pack = ops.get_pack(me, authored_id)
    if not auth.can_edit(me, pack):
        raise Forbidden(_("You do not have permission to do this."))
    return Confirmation(title=_("Withdraw · %(name)s", name=pack.name),
                        consequences=[_("The draft is kept, marked withdrawn; it can no longer be edited.")],
                        action=_("Withdraw"), back=_back(pack), danger=True)
