"""What the emergency pages say before an irreversible action (registry/core/confirm.py): filing a list version
(with its levels short of their targets, from the same totals the list page shows), making the next version from the
accepted proposals, filing an enterprise's 一厂一策 plan, deleting a non-industrial source. Read only; each checks scope
and permission as its operation does first."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from registry.core import codes
from registry.core.confirm import Confirmation
from registry.core.errors import Conflict, Forbidden, NotFound
from registry.core.regions import region_label
from registry.emergency import auth
from registry.emergency import operations as ops
from registry.emergency.models import AreaSource, ListEntry, Proposal, ProposalStatus, Status
from registry.emergency.presenting import level_totals
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.policy.packs import get_pack


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def shortfalls(levels: list[dict]) -> list[str]:
    """'蓝色 PM 4.88 % < 5 %' per level and pollutant short of its target (presenting.level_totals)."""
    out = []
    for lv in levels:
        if not lv["has_targets"] or lv["met"]:
            continue
        parts = [f"{codes.label('Pollutant', p['pollutant'])} {_num(p['percent'])} % < {_num(p['target_percent'])} %"
                 for p in lv["pollutants"] if p["target_percent"] is not None and not p["met"]]
        comma = _(", ")
        out.append(f"{codes.label('AlertLevel', lv['level'])} {comma.join(parts)}")
    return out


def _list_title(lst) -> str:
    return _("%(region)s emergency emission-reduction list, version %(n)s", region=region_label(lst.region_code), n=lst.number)


def file_list(list_id: int) -> Confirmation:
    lst = ops._managed(current_user, list_id)
    if lst.status != Status.DRAFT.value:
        raise Conflict(_("This list is already filed; compile a new version."))
    pack = get_pack(lst.pack_id)
    levels = level_totals(lst, pack)
    enterprises, lines = db.session.execute(select(func.count(func.distinct(ListEntry.enterprise_id)),
                                                   func.count(func.distinct(ListEntry.line_id)))
                                            .where(ListEntry.list_id == lst.id)).one()
    consequences = [
        _("Version %(n)s is filed and can no longer change; a correction needs a new version.", n=lst.number),
        _("It covers %(e)s enterprises and %(l)s production lines; alert-day orders and notices are issued from it.",
          e=enterprises, l=lines),
    ]
    warnings = []
    short = shortfalls(levels)
    if short:
        warnings.append(_("%(n)s alert levels are short of their reduction targets: %(list)s",
                          n=len(short), list=_("; ").join(short)))
    elif any(lv["has_targets"] for lv in levels):
        consequences.append(_("Every alert level reaches its reduction targets."))
    return Confirmation(title=_("File · %(title)s", title=_list_title(lst)), consequences=consequences, warnings=warnings,
                        action=_("File this version"), back=url_for("emergency.detail", list_id=lst.id))


def apply_proposals(list_id: int) -> Confirmation:
    lst = ops._managed(current_user, list_id)
    ops._check_open_for_proposals(lst)
    accepted = list(db.session.scalars(select(Proposal).where(Proposal.list_id == lst.id,
                                                              Proposal.status == ProposalStatus.ACCEPTED.value)))
    if not accepted:
        raise Conflict(_("No accepted proposals to apply."))
    undecided = db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.list_id == lst.id, Proposal.status == ProposalStatus.PROPOSED.value)) or 0
    consequences = [
        _("A new version of the list is made with the %(n)s accepted proposals in place (%(e)s enterprises); the "
          "accepted proposals become part of it and can no longer be changed.",
          n=len(accepted), e=len({p.enterprise_id for p in accepted})),
        _("Version %(n)s stays as it is; the new version is a draft to be filed.", n=lst.number),
    ]
    warnings = [_("%(n)s proposals are still undecided; they are not included.", n=undecided)] if undecided else []
    return Confirmation(title=_("Apply the accepted proposals · %(title)s", title=_list_title(lst)),
                        consequences=consequences, warnings=warnings,
                        action=_("Make the next list version from the accepted proposals"),
                        back=url_for("emergency.detail", list_id=lst.id) + "#proposals")


def file_plan(plan_id: int) -> Confirmation:
    plan = ops.get_plan(current_user, plan_id)
    enterprise = db.session.get(Enterprise, plan.enterprise_id)
    if not auth.can_write_plan(current_user, enterprise):
        raise Forbidden(_("You do not have permission to do this."))
    if plan.status != Status.DRAFT.value:
        raise Conflict(_("This plan is already filed; write a new version."))
    consequences = [
        _("Version %(n)s of the plan of %(name)s is filed and can no longer change; a change needs a new version.",
          n=plan.number, name=enterprise.name),
        _("The city's next emergency list is compiled from it: %(lines)s production lines, %(entries)s measures by alert level.",
          lines=len({e.line_id for e in plan.entries}), entries=len(plan.entries)),
    ]
    return Confirmation(title=_("File the one-plant-one-policy plan · %(name)s", name=enterprise.name),
                        consequences=consequences, action=_("File this plan"),
                        back=url_for("emergency.plan", enterprise_id=plan.enterprise_id, pack=plan.pack_id))


def delete_area_source(source_id: int) -> Confirmation:
    row = db.session.get(AreaSource, source_id)
    if row is None or not auth.can_view_list(current_user, row.region_code):
        raise NotFound(_("Not found."))
    if not auth.can_manage_list(current_user, row.region_code):
        raise Forbidden(_("You do not have permission to do this."))
    what = f"{codes.label('AreaSourceCategory', row.category)} · {codes.label('Pollutant', row.pollutant)} · {_num(float(row.daily_kg))} kg/d"
    consequences = [
        _("The source %(what)s is deleted from the city's inventory.", what=what),
        _("Lists compiled afterwards no longer count it in the society-wide base; filed lists keep what they recorded."),
    ]
    return Confirmation(title=_("Delete a non-industrial source · %(region)s", region=region_label(row.region_code)),
                        consequences=consequences, action=_("Delete"), danger=True,
                        back=url_for("emergency.area_sources", region=row.region_code))
