"""The audit log in words (issue 16 item 1): actions ("发布错峰生产清单"), object kinds and the audited objects
themselves ("廊坊市2017-2018年采暖季错峰生产清单 第2版", not `schedule_version #9`).

Vocabularies in the one label registry (registry/core/codes.py): "audit.action" (every action string the code
writes, tests/integration/test_audit_labels.py keeps it complete) and "audit.object" (object types, the tables'
names). `object_names(rows)` names the objects of a page of entries with one query per object type; an object
that no longer exists (a deleted line or permit) is named from the entry's own before/after. registry.audit sits
above the domains (pyproject.toml layers), so it may read their models.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.core import codes
from registry.core.regions import region_label
from registry.extensions import db

ACTIONS = {
    # accounts
    "user.create": _l("Account created"),
    "user.update": _l("Account edited"),
    "user.sign_up": _l("Enterprise account signed up"),
    "user.role_change": _l("Account role changed"),
    "user.lock": _l("Account locked"),
    "user.unlock": _l("Account unlocked"),
    "user.login": _l("Signed in"),
    "user.logout": _l("Signed out"),
    "user.login_failed": _l("Sign-in failed (wrong password)"),
    "user.login_locked": _l("Sign-in refused (account locked)"),
    "user.login_unknown": _l("Sign-in failed (unknown user)"),
    "user.password_change": _l("Password changed"),
    "user.password_reset": _l("Password reset"),
    "user.reauth": _l("Password confirmed again"),
    "user.reauth_failed": _l("Password confirmation failed"),
    "user.reauth_locked": _l("Password confirmation refused (account locked)"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    # enterprises (the labels of the enterprise history, registry/enterprises/views.py)
    "enterprise.register": _l("Registered"),
    "enterprise.update": _l("Enterprise edited"),
    "enterprise.submit": _l("Submitted for review"),
    "enterprise.return": _l("Returned to the enterprise"),
    "enterprise.approve": _l("Approved"),
    "enterprise.reopen": _l("Reopened for amendment"),
    "enterprise.import": _l("Enterprise imported from Excel"),
    "enterprise.uscc_claim": _l("Credit code claimed"),
    "enterprise.uscc_claim_granted": _l("Credit code claim granted"),
    "enterprise.uscc_claim_rejected": _l("Credit code claim rejected"),
    "enterprise.uscc_release": _l("Credit code released"),
    "exchange.import": _l("Excel import"),
    "line.add": _l("Production line added"),
    "line.update": _l("Production line edited"),
    "line.delete": _l("Production line deleted"),
    "permit.add": _l("Permit added"),
    "permit.update": _l("Permit edited"),
    "permit.delete": _l("Permit deleted"),
    # grades (the labels of registry/grades/labels.py)
    "grade.create": _l("Grade application created"),
    "grade.answers": _l("Grade self-assessment saved"),
    "grade.evidence": _l("Grade evidence attached"),
    "grade.delete": _l("Grade application deleted"),
    "grade.submit": _l("Grade application submitted"),
    "grade.return": _l("Grade application returned by the county"),
    "grade.accept": _l("Grade documents accepted by the county"),
    "grade.approve": _l("Grade approved (publicity)"),
    "grade.override": _l("Grade set by the city (publicity)"),
    "grade.objection": _l("Objection to a grade filed"),
    "grade.objection_answer": _l("Objection answered"),
    "grade.objection_answer_bulk": _l("Objections answered together"),
    "grade.effective": _l("Grade in effect"),
    "grade.violation": _l("Violation finding: grade lowered"),
    "grade.fraud": _l("Fraud finding: grade lowered to C"),
    "grade.record": _l("Grade recorded"),
    # emergency
    "emergency.plan.save": _l("Emergency plan (one plant, one policy) saved"),
    "emergency.plan.file": _l("Emergency plan (one plant, one policy) filed"),
    "emergency.list.compile": _l("Emergency reduction list compiled"),
    "emergency.list.optimize": _l("Emergency reduction list optimised"),
    "emergency.list.apply_proposals": _l("Proposals applied to the emergency reduction list"),
    "emergency.list.file": _l("Emergency reduction list filed"),
    "emergency.proposal.decide": _l("Proposal decided"),
    "emergency.area_source.add": _l("Area source added"),
    "emergency.area_source.update": _l("Area source edited"),
    "emergency.area_source.delete": _l("Area source deleted"),
    # schedules
    "schedule.create": _l("Staggered production schedule created"),
    "schedule.generate": _l("Staggered production schedule generated"),
    "schedule.flag_choice": _l("Decision on a point of the schedule recorded"),
    "schedule.publish": _l("Staggered production schedule published"),
    "schedule.apply": _l("Exemption or load application filed"),
    "schedule.decide_application": _l("Exemption or load application decided"),
    # the audit log itself
    "audit.export": _l("Audit log exported"),
    "audit.archive": _l("Audit log archived"),
}

# The action filter's groups: every action of a domain at once (the search matches a prefix).
ACTION_GROUPS = {
    "user.": _l("Accounts and sign-ins"), "token.": _l("API tokens"), "enterprise.": _l("Registrations"),
    "line.": _l("Production lines"), "permit.": _l("Permits"), "exchange.": _l("Excel exchange"),
    "grade.": _l("Performance grades"), "emergency.": _l("Emergency reduction"),
    "schedule.": _l("Staggered production"), "alert.": _l("Heavy-pollution alerts"), "audit.": _l("Audit log"),
}

OBJECTS = {
    "user_account": _l("Account"), "api_token": _l("API token"),
    "enterprise": _l("Enterprise"), "production_line": _l("Production line"), "equipment": _l("Equipment"),
    "permit": _l("Permit"), "uscc_claim": _l("Credit code claim"), "uscc_release": _l("Credit code release"),
    "import": _l("Excel import"),
    "grade_application": _l("Grade application"), "grade_evidence": _l("Grade evidence"),
    "grade_decision": _l("Grade decision"), "grade_objection": _l("Objection"),
    "emergency_plan": _l("Emergency plan (one plant, one policy)"), "emergency_list": _l("Emergency reduction list"),
    "emergency_area_source": _l("Area source"), "emergency_proposal": _l("Proposal"),
    "schedule": _l("Staggered production schedule"), "schedule_version": _l("Schedule version"),
    "schedule_flag_choice": _l("Decision on a point of the schedule"),
    "schedule_application": _l("Exemption or load application"),
    "audit_entry": _l("Audit entry"), "audit_checkpoint": _l("Audit checkpoint"),
    # heavy-pollution alerts (registry/alerts; their actions are registered by registry/alerts/labels.py)
    "alert_episode": _l("Alert episode"), "alert_area": _l("Alert area"), "alert_level_change": _l("Alert level change"),
    "alert_order": _l("Alert order"), "alert_delivery": _l("Alert delivery"), "alert_receipt": _l("Alert receipt"),
    "inbox_message": _l("Inbox message"),
    "emergency_plan_entry": _l("Emergency plan entry"), "emergency_list_entry": _l("Emergency list entry"),
    "schedule_entry": _l("Schedule entry"), "schedule_input": _l("Schedule input"),
    "line_emission": _l("Line emission status"), "approved_facts": _l("Approved facts"),
}

codes.register("audit.action", ACTIONS)
codes.register("audit.object", OBJECTS)


def action_label(action: str | None) -> str:
    return codes.label("audit.action", action)


def object_kind_label(object_type: str | None) -> str:
    return codes.label("audit.object", object_type)


def action_choices() -> list[tuple[str, str]]:
    """The action filter's options: a domain's group first ("…（全部）"), then its actions by label."""
    out: list[tuple[str, str]] = []
    actions = {code: text for code, text in codes.choices("audit.action")}  # other domains' actions too (alerts)
    for prefix, group in ACTION_GROUPS.items():
        out.append((prefix, _("%(group)s (all)", group=str(group))))
        out += sorted(((a, text) for a, text in actions.items() if a.startswith(prefix)), key=lambda x: x[1])
    return out


def object_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in OBJECTS.items()), key=lambda x: x[1])


# ---- the audited objects by name -----------------------------------------------------------------------------

def _version(title: str, number: Any) -> str:
    return _("%(title)s, version %(n)s", title=title, n=number)


def _schedule_title(s) -> str:
    return s.title or _("Staggered production schedule %(region)s %(year)s", region=region_label(s.region_code),
                        year=s.season_year)


def _schedules(ids: set[int]) -> dict[int, str]:
    from registry.schedules.models import Schedule

    return {s.id: _schedule_title(s) for s in db.session.scalars(select(Schedule).where(Schedule.id.in_(ids)))}


def _schedule_versions(ids: set[int]) -> dict[int, str]:
    from registry.schedules.models import Schedule, ScheduleVersion

    rows = db.session.execute(select(ScheduleVersion.id, ScheduleVersion.number, Schedule)
                              .join(Schedule, Schedule.id == ScheduleVersion.schedule_id)
                              .where(ScheduleVersion.id.in_(ids)))
    return {vid: _version(_schedule_title(s), n) for vid, n, s in rows}


def _enterprises(ids: set[int]) -> dict[int, str]:
    from registry.enterprises.models import Enterprise

    return dict(db.session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all())


def _owned(model_path: str, label: Callable[[Any], str]) -> Callable[[set[int]], dict[int, str]]:
    """Objects of an enterprise: "<enterprise> · <the object>"."""
    def names(ids: set[int]) -> dict[int, str]:
        import importlib

        module, _dot, cls = model_path.rpartition(".")
        model = getattr(importlib.import_module(module), cls)
        from registry.enterprises.models import Enterprise

        rows = db.session.execute(select(model, Enterprise.name).join(Enterprise, Enterprise.id == model.enterprise_id)
                                  .where(model.id.in_(ids)))
        return {obj.id: f"{ent} · {label(obj)}" for obj, ent in rows}
    return names


def _emergency_lists(ids: set[int]) -> dict[int, str]:
    from registry.emergency.models import EmergencyList

    return {x.id: _version(_("Emergency reduction list of %(region)s", region=region_label(x.region_code)), x.number)
            for x in db.session.scalars(select(EmergencyList).where(EmergencyList.id.in_(ids)))}


def _users(ids: set[int]) -> dict[int, str]:
    from registry.accounts.models import User

    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def _schedule_children(model_path: str, kind: str) -> Callable[[set[int]], dict[int, str]]:
    def names(ids: set[int]) -> dict[int, str]:
        import importlib

        from registry.schedules.models import Schedule

        module, _dot, cls = model_path.rpartition(".")
        model = getattr(importlib.import_module(module), cls)
        rows = db.session.execute(select(model.id, Schedule).join(Schedule, Schedule.id == model.schedule_id)
                                  .where(model.id.in_(ids)))
        return {oid: f"{_schedule_title(s)} · {codes.label('audit.object', kind)}" for oid, s in rows}
    return names


NAMERS: dict[str, Callable[[set[int]], dict[int, str]]] = {
    "schedule": _schedules,
    "schedule_version": _schedule_versions,
    "schedule_application": _schedule_children("registry.schedules.models.ExemptionApplication", "schedule_application"),
    "schedule_flag_choice": _schedule_children("registry.schedules.models.FlagChoice", "schedule_flag_choice"),
    "enterprise": _enterprises,
    "production_line": _owned("registry.enterprises.models.ProductionLine", lambda x: x.name),
    "permit": _owned("registry.enterprises.models.Permit", lambda x: _("permit %(number)s", number=x.number)),
    "grade_application": _owned("registry.grades.models.GradeApplication", lambda x: str(OBJECTS["grade_application"])),
    "grade_decision": _owned("registry.grades.models.GradeDecision", lambda x: str(OBJECTS["grade_decision"])),
    "emergency_plan": _owned("registry.emergency.models.EmergencyPlan",
                             lambda x: _version(str(OBJECTS["emergency_plan"]), x.number)),
    "emergency_list": _emergency_lists,
    "user_account": _users,
}


def _from_entry(row: dict) -> str:
    """A name the entry itself carries (a deleted line keeps its name in `before`)."""
    for side in ("after", "before"):
        data = row.get(side)
        if isinstance(data, dict):
            for key in ("name", "title", "number", "username", "uscc"):
                if data.get(key):
                    return str(data[key])
    return ""


def object_names(rows: Iterable[dict]) -> list[str]:
    """The audited object of each row in words: its name, else its kind and number; '' for an entry without one."""
    rows = list(rows)
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row.get("object_type") in NAMERS and row.get("object_id") is not None:
            wanted[row["object_type"]].add(int(row["object_id"]))
    found = {kind: NAMERS[kind](ids) for kind, ids in wanted.items()}
    out = []
    for row in rows:
        kind, oid = row.get("object_type") or "", row.get("object_id")
        name = found.get(kind, {}).get(int(oid)) if oid is not None else None
        if not name:
            own = _from_entry(row)
            if own and kind:
                name = f"{object_kind_label(kind)} {own}"
            elif kind:
                name = (_("%(kind)s no. %(id)s", kind=object_kind_label(kind), id=oid) if oid is not None
                        else object_kind_label(kind))
        out.append(name or "")
    return out


FILTER_FIELDS = {"user": _l("User"), "action": _l("Action"), "object_type": _l("Object type"),
                 "object_id": _l("Object id"), "date_from": _l("From"), "date_to": _l("To"), "ip": _l("IP address")}


def summary_text(row: dict) -> str:
    """An entry's summary for the reader: an audit export's filters (stored as JSON) in words, an alert step's from
    its before/after (registry/alerts/labels.py), else as written."""
    import json

    summary = row.get("summary") or ""
    if str(row.get("action") or "").startswith("alert."):  # alert steps: a label with parameters (alerts domain)
        from registry.alerts.labels import summary_text as alert_summary

        shown = alert_summary(row)
        if shown is not None:
            return shown
    if row.get("action") != "audit.export" or not summary.startswith("{"):
        return summary
    try:
        filters = json.loads(summary)
    except ValueError:
        return summary
    if not isinstance(filters, dict) or not filters:
        return _("All entries") if isinstance(filters, dict) else summary
    groups = {code: str(label) for code, label in ACTION_GROUPS.items()}

    def shown(key: str, value: Any) -> str:
        if key == "action":
            return groups.get(value) or action_label(value)
        if key == "object_type":
            return object_kind_label(value)
        return str(value)

    sep = "；" if codes.is_zh() else "; "
    colon = "：" if codes.is_zh() else ": "
    return sep.join(f"{FILTER_FIELDS.get(k, k)}{colon}{shown(k, v)}" for k, v in filters.items())
