"""Enterprise pages: the scoped list, registration, lines, permits, review and history.

Handlers are thin: parse the form → call ONE operation → commit → flash + redirect. A
ValidationFailed re-renders the form (422) with each message beside its field and nothing
saved; a Conflict (stale version or a state that forbids the change) re-renders it (409)
with the user's input kept. Templates receive dumped dicts, never lazy-loading ORM objects.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from registry.accounts.queries import display_names
from registry.accounts.scopes import scope_prefix
from registry.core import codes, confirm, unit_of_work
from registry.core.audit_scope import register_visible_objects
from registry.core.dashboard import register_dashboard_panel
from registry.core.errors import Conflict, Forbidden, ValidationFailed
from registry.core.forms import apply_errors, version_of
from registry.core.labels import history_view
from registry.core.regions import get_region, region_label
from registry.core.templating import registration_status_label, vocab_choices, vocab_label
from registry.core.versions import MISSING_VERSION
from registry.enterprises import approved, auth, confirmations, dashboard, queries
from registry.enterprises import operations as ops
from registry.enterprises.blueprint import bp
from registry.enterprises.forms import (
    ENTERPRISE_GROUPS,
    FIELD_LABELS,
    LINE_GROUPS,
    PERMIT_GROUPS,
    EnterpriseForm,
    FilterForm,
    LineForm,
    PermitForm,
    ReviewForm,
    VersionForm,
    all_specs,
)
from registry.enterprises.models import Enterprise
from registry.enterprises.schemas import AuditEntryOut, EnterpriseInput, EnterpriseOut, LineOut, PermitOut
from registry.extensions import db

# Which enterprises an official may read in the audit log: those they may see (never-submitted drafts: none,
# issue 13 Medium 8), registered with core for the audit search and the history.
bp.record_once(lambda state: register_visible_objects(
    state.app, "enterprise", lambda actor: queries.visible_enterprises(actor).with_only_columns(Enterprise.id)))
bp.record_once(lambda state: register_dashboard_panel(state.app, "registrations", dashboard.panel))  # issue 16


def _me():
    """The signed-in user itself, not Flask-Login's proxy: operations record it in the audit log."""
    return current_user._get_current_object()


# ---- helpers ----

def _form_value(value):
    """Stored values as an input shows them: 200.000 → '200', dates as ISO."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _form_data(dumped: dict) -> dict:
    out = {}
    for key, value in dumped.items():
        if isinstance(value, list):
            out[key] = [_form_data(v) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = _form_value(value)
    return out


def _enterprise_or_state_error(enterprise: Enterprise, allowed: bool) -> None:
    """For GET pages of a change: 409 to the member when the state forbids it, 403 to others."""
    if allowed:
        return
    if auth.is_member(_me(), enterprise):
        raise Conflict(
            _("This registration cannot be changed while it is %(status)s.",
              status=registration_status_label(enterprise.status))
        )
    raise Forbidden(_("You do not have permission to do this."))


def _permissions(enterprise: Enterprise) -> dict[str, bool]:
    return {
        "edit": auth.can_edit_enterprise(_me(), enterprise),
        "submit": auth.can_submit_registration(_me(), enterprise),
        "reopen": auth.can_reopen_registration(_me(), enterprise),
        "review": auth.can_review_registration(_me(), enterprise),
        "member": auth.is_member(_me(), enterprise),
    }


def _summary(enterprise: Enterprise) -> dict:
    return {
        "id": enterprise.id,
        "name": enterprise.name,
        "status": enterprise.status,
        "version": enterprise.version,
    }


def _fresh(enterprise_id: int) -> Enterprise:
    db.session.rollback()  # nothing of a refused change is kept
    return ops.get_enterprise(_me(), enterprise_id)


def _fresh_for_form(enterprise_id: int, err: Exception) -> Enterprise:
    """After a refused save: a stale version re-renders the form with the user's input; a state
    that no longer allows editing (submitted meanwhile) is the 409 error page, as for a GET."""
    enterprise = _fresh(enterprise_id)
    if isinstance(err, Conflict) and not auth.can_edit_enterprise(_me(), enterprise):
        raise err
    return enterprise


# ---- list ----

@bp.get("/")
@login_required
def index():
    form = FilterForm(request.args)
    form.status.choices = [("", _("All"))] + [
        (s, registration_status_label(s)) for s in ("draft", "submitted", "returned", "approved")
    ]
    form.sector.choices = [("", _("All"))] + vocab_choices("Sector")
    prefix = scope_prefix(_me())
    within = prefix if prefix not in (None, "-") else ""
    region_code = form.region_value("region_code", within=within) if form.region_code.data else ""
    if region_code and within and not region_code.startswith(within):
        region_code = ""  # outside the official's region: the scope already says nothing is there
    form.region_code.errors = list(form.__dict__.get("region_problems", {}).values())
    try:
        page_number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page_number = 1
    filters = queries.EnterpriseFilters(
        q=(form.q.data or "").strip(),
        status=form.status.data or "",
        sector=form.sector.data or "",
        region_code=region_code if not form.__dict__.get("region_problems") else "-",
        page=page_number,
        per_page=current_app.config.get("PAGE_SIZE", 25),
    )
    page = queries.list_enterprises(_me(), filters)
    rows = []
    for item in page.items:
        row = EnterpriseOut(only=("id", "name", "uscc", "region_code", "sector", "status", "submitted_at", "updated_at")).dump(item)
        row["region_label"] = region_label(item.region_code)
        rows.append(row)
    own = None
    if current_user.role == "enterprise" and current_user.enterprise_id:
        own = current_user.enterprise_id
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "enterprises/index.html",
        form=form,
        rows=rows,
        page=page.meta(),
        region_root=current_user.region_code if within else "",
        picks_region=bool(within) and (get_region(current_user.region_code) or None) is not None
        and get_region(current_user.region_code).level != "county",
        args=args,
        can_register=auth.can_create_enterprise(_me()),
        notices=_conflict_views.ops.notices(_me()) if current_user.role == "enterprise" else None,
        resolves_codes=bool(current_user.is_official),
        own_enterprise_id=own,
        is_enterprise_user=current_user.role == "enterprise",
    )


# ---- register / edit ----

def _new_enterprise_defaults() -> dict:
    defaults = {}
    for name, field in EnterpriseInput().fields.items():
        default = field.load_default
        if isinstance(default, bool):
            defaults[name] = default
    return defaults


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if request.method == "GET":
        if not auth.can_create_enterprise(_me()):
            raise Forbidden(_("Only an enterprise account without an enterprise can register one."))
        form = EnterpriseForm(data=_new_enterprise_defaults())
        return render_template("enterprises/form.html", form=form, enterprise=None)
    form = EnterpriseForm()
    try:
        enterprise = ops.register_enterprise(_me(), form.payload())
    except ValidationFailed as err:
        db.session.rollback()
        leftovers = apply_errors(form, form.explain(err.errors))
        return render_template("enterprises/form.html", form=form, enterprise=None, message=err.message, leftovers=leftovers), 422
    unit_of_work.flush()
    flash(_("The enterprise has been registered as a draft. Add its production lines and permits, then submit."), "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@login_required
def edit(enterprise_id: int):
    if request.method == "GET":
        enterprise = ops.get_enterprise(_me(), enterprise_id)
        _enterprise_or_state_error(enterprise, auth.can_edit_enterprise(_me(), enterprise))
        form = EnterpriseForm(data=_form_data(EnterpriseOut().dump(enterprise)))
        return render_template("enterprises/form.html", form=form, enterprise=_summary(enterprise))
    form = EnterpriseForm()
    try:
        enterprise = ops.update_enterprise(
            _me(), enterprise_id, form.payload(), expected_version=version_of(form.version.data)
        )
    except (ValidationFailed, Conflict) as err:
        enterprise = _fresh_for_form(enterprise_id, err)
        if isinstance(err, Conflict):
            form.version.data = enterprise.version  # the next save is made knowing the record changed
        leftovers = apply_errors(form, form.explain(err.errors))
        return render_template(
            "enterprises/form.html", form=form, enterprise=_summary(enterprise), message=err.message,
            leftovers=leftovers, conflict=isinstance(err, Conflict),
        ), err.status
    unit_of_work.flush()
    flash(_("The enterprise has been saved."), "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))


# ---- detail and workflow ----

def _detail_page(enterprise: Enterprise, status: int = 200, **context):
    data = EnterpriseOut().dump(enterprise)
    data["region_label"] = region_label(enterprise.region_code)
    review_form = context.pop("review_form", None) or ReviewForm(formdata=None, data={"version": enterprise.version})
    kept = approved.standing(enterprise.id)  # what schedules and lists use (issue 14 point 10)
    return render_template(
        "enterprises/detail.html",
        e=data,
        approved_facts={"number": kept.number, "approved_at": kept.approved_at} if kept else None,
        groups=ENTERPRISE_GROUPS,
        line_groups=LINE_GROUPS,
        permit_specs=all_specs(PERMIT_GROUPS),
        can=_permissions(enterprise),
        action_form=VersionForm(formdata=None, data={"version": enterprise.version}),
        review_form=review_form,
        plausibility=ops.enterprise_warnings(enterprise),
        unfiled_staggering=_unfiled_staggering(enterprise),
        **context,
    ), status


def _unfiled_staggering(enterprise: Enterprise) -> list[dict]:
    """001:101: ratios changed since the last filed version of a schedule (shown until re-filed)."""
    from registry.schedules.queries import unfiled_ratio_changes

    return unfiled_ratio_changes([enterprise.id]).get(enterprise.id, [])


@bp.get("/<int:enterprise_id>")
@login_required
def detail(enterprise_id: int):
    return _detail_page(ops.get_enterprise(_me(), enterprise_id))


def _workflow(enterprise_id: int, operation, done_message: str, *, with_reason: bool = False, confirm_with=None,
              queue: bool = False):
    """Run a registration step. `confirm_with`: an irreversible step asks first (issue 16 item 3). `queue`: an
    official's decision, after which they go on to the next registration waiting for them, or to the dashboard
    when none is left (issue 16)."""
    form = ReviewForm() if with_reason else VersionForm()
    data = {"version": version_of(form.version.data)}
    if with_reason:
        data["reason"] = form.reason.data or ""
    if data["version"] == MISSING_VERSION:
        data.pop("version")  # the schema asks for it: 422 beside the buttons
    try:
        if confirm_with is not None and not confirm.confirmed():  # ask first (issue 16 item 3); refusals as below
            return confirm.ask(confirm_with(enterprise_id, data))
        enterprise = operation(_me(), enterprise_id, data)
    except (ValidationFailed, Conflict) as err:
        enterprise = _fresh(enterprise_id)
        review_form = None
        leftovers = list(err.errors.items())
        if with_reason:
            review_form = ReviewForm(data={"version": enterprise.version})
            review_form.reason.data = data.get("reason", "")
            leftovers = [(k, v) for k, v in leftovers if k != "reason"]
            review_form.reason.errors = err.errors.get("reason", [])
        return _detail_page(
            enterprise, err.status, message=err.message,
            action_errors=[(str(FIELD_LABELS.get(k, k)), m) for k, msgs in leftovers for m in msgs if k != "version"],
            review_form=review_form,
        )
    unit_of_work.flush()
    if queue:
        return redirect(dashboard.after_review(_me(), enterprise.id, f"{done_message} ({enterprise.name})"))
    flash(done_message, "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))


@bp.post("/<int:enterprise_id>/submit")
@login_required
def submit(enterprise_id: int):
    return _workflow(enterprise_id, ops.submit_registration, _("The registration has been submitted for review."))


@bp.post("/<int:enterprise_id>/reopen")
@login_required
def reopen(enterprise_id: int):
    return _workflow(enterprise_id, ops.reopen_registration, _("The registration is open for amendment again. Submit it when done."))


@bp.post("/<int:enterprise_id>/approve")
@login_required
def approve(enterprise_id: int):
    return _workflow(enterprise_id, ops.approve_registration, _("The registration has been approved."), with_reason=True,
                     confirm_with=confirmations.approve, queue=True)


@bp.post("/<int:enterprise_id>/return")
@login_required
def return_(enterprise_id: int):
    return _workflow(enterprise_id, ops.return_registration, _("The registration has been returned to the enterprise."), with_reason=True,
                     confirm_with=confirmations.return_, queue=True)


# ---- production lines ----

def _line_page(form: LineForm, enterprise: Enterprise, line: dict | None, status: int = 200, **context):
    return render_template("enterprises/line_form.html", form=form, enterprise=_summary(enterprise), line=line, **context), status


def _line_post(form: LineForm, enterprise_id: int, line_id: int | None):
    """Shared by add and edit: an 'add a row' click re-renders; otherwise one operation runs."""
    for list_name in ("emissions", "equipment"):
        if f"add_{list_name}" in request.form:
            enterprise = ops.get_enterprise(_me(), enterprise_id)
            _enterprise_or_state_error(enterprise, auth.can_edit_enterprise(_me(), enterprise))
            form.add_row(list_name)
            line = {"id": line_id} if line_id else None
            return _line_page(form, enterprise, line)
    payload, rows = form.payload()
    try:
        if line_id is None:
            line = ops.add_line(_me(), enterprise_id, payload)
        else:
            line = ops.update_line(_me(), line_id, payload, expected_version=version_of(form.version.data))
    except (ValidationFailed, Conflict) as err:
        enterprise = _fresh_for_form(enterprise_id, err)
        if isinstance(err, Conflict) and line_id is not None:
            form.version.data = ops.get_line(_me(), line_id).version
        leftovers = apply_errors(form, err.errors, rows)
        return _line_page(
            form, enterprise, {"id": line_id} if line_id else None, err.status,
            message=err.message, leftovers=leftovers, conflict=isinstance(err, Conflict),
        )
    unit_of_work.flush()
    flash(_("Production line “%(name)s” has been saved.", name=line.name), "success")
    _flash_warnings(line)
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise_id, _anchor="lines"))


@bp.route("/<int:enterprise_id>/lines/new", methods=["GET", "POST"])
@login_required
def new_line(enterprise_id: int):
    if request.method == "GET":
        enterprise = ops.get_enterprise(_me(), enterprise_id)
        _enterprise_or_state_error(enterprise, auth.can_edit_enterprise(_me(), enterprise))
        form = LineForm(formdata=None, data={"sector": enterprise.sector, "capacity_unit": "t/a", "has_firing_process": True,
                                              "on_furnace_list": True, "interruptible": True})
        return _line_page(form, enterprise, None)
    return _line_post(LineForm(), enterprise_id, None)


@bp.route("/lines/<int:line_id>/edit", methods=["GET", "POST"])
@login_required
def edit_line(line_id: int):
    line = ops.get_line(_me(), line_id)
    enterprise_id = line.enterprise_id
    if request.method == "GET":
        enterprise = line.enterprise
        _enterprise_or_state_error(enterprise, auth.can_edit_enterprise(_me(), enterprise))
        data = _form_data(LineOut().dump(line))
        if not data.get("emissions"):
            data["emissions"] = [{}]
        if not data.get("equipment"):
            data["equipment"] = [{}]
        form = LineForm(formdata=None, data=data)
        return _line_page(form, enterprise, {"id": line.id, "name": line.name})
    return _line_post(LineForm(), enterprise_id, line_id)


@bp.post("/lines/<int:line_id>/delete")
@login_required
def delete_line(line_id: int):
    if not confirm.confirmed():
        return confirm.ask(confirmations.delete_line(line_id, version_of(request.form.get("version"))))
    line = ops.get_line(_me(), line_id)
    enterprise_id, name = line.enterprise_id, line.name
    ops.delete_line(_me(), line_id, expected_version=version_of(request.form.get("version")))
    unit_of_work.flush()
    flash(_("Production line “%(name)s” has been deleted.", name=name), "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise_id, _anchor="lines"))


# ---- permits ----

def _permit_page(form: PermitForm, enterprise: Enterprise, permit: dict | None, status: int = 200, **context):
    return render_template("enterprises/permit_form.html", form=form, enterprise=_summary(enterprise), permit=permit, **context), status


@bp.route("/<int:enterprise_id>/permits/new", methods=["GET", "POST"])
@login_required
def new_permit(enterprise_id: int):
    if request.method == "GET":
        enterprise = ops.get_enterprise(_me(), enterprise_id)
        _enterprise_or_state_error(enterprise, auth.can_edit_enterprise(_me(), enterprise))
        form = PermitForm(formdata=None, data={"kind": "full", "status": "issued", "discharging_per_permit": True})
        return _permit_page(form, enterprise, None)
    form = PermitForm()
    try:
        permit = ops.add_permit(_me(), enterprise_id, form.payload())
    except (ValidationFailed, Conflict) as err:
        enterprise = _fresh_for_form(enterprise_id, err)
        leftovers = apply_errors(form, err.errors)
        return _permit_page(form, enterprise, None, err.status, message=err.message, leftovers=leftovers)
    unit_of_work.flush()
    flash(_("The permit has been saved."), "success")
    _flash_warnings(permit)
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise_id, _anchor="permits"))


def _flash_warnings(obj) -> None:
    """Plausibility warnings of what was just saved (issue 14 point 9): saved, but to be looked at."""
    for w in getattr(obj, "plausibility_warnings", ()):
        flash(_("Check: %(message)s", message=w["message"]), "warning")


@bp.route("/permits/<int:permit_id>/edit", methods=["GET", "POST"])
@login_required
def edit_permit(permit_id: int):
    permit = ops.get_permit(_me(), permit_id)
    enterprise_id = permit.enterprise_id
    if request.method == "GET":
        _enterprise_or_state_error(permit.enterprise, auth.can_edit_enterprise(_me(), permit.enterprise))
        form = PermitForm(formdata=None, data=_form_data(PermitOut().dump(permit)))
        return _permit_page(form, permit.enterprise, {"id": permit.id, "number": permit.number})
    form = PermitForm()
    try:
        saved = ops.update_permit(_me(), permit_id, form.payload(), expected_version=version_of(form.version.data))
    except (ValidationFailed, Conflict) as err:
        enterprise = _fresh_for_form(enterprise_id, err)
        if isinstance(err, Conflict):
            form.version.data = ops.get_permit(_me(), permit_id).version
        leftovers = apply_errors(form, err.errors)
        return _permit_page(
            form, enterprise, {"id": permit_id}, err.status, message=err.message, leftovers=leftovers,
            conflict=isinstance(err, Conflict),
        )
    unit_of_work.flush()
    flash(_("The permit has been saved."), "success")
    _flash_warnings(saved)
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise_id, _anchor="permits"))


@bp.post("/permits/<int:permit_id>/delete")
@login_required
def delete_permit(permit_id: int):
    if not confirm.confirmed():
        return confirm.ask(confirmations.delete_permit(permit_id, version_of(request.form.get("version"))))
    permit = ops.get_permit(_me(), permit_id)
    enterprise_id, number = permit.enterprise_id, permit.number
    ops.delete_permit(_me(), permit_id, expected_version=version_of(request.form.get("version")))
    unit_of_work.flush()
    flash(_("Permit %(number)s has been deleted.", number=number), "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise_id, _anchor="permits"))


# ---- history ----

ACTION_LABELS = {
    "enterprise.register": lambda: _("Registered"),
    "enterprise.update": lambda: _("Enterprise edited"),
    "enterprise.submit": lambda: _("Submitted for review"),
    "enterprise.return": lambda: _("Returned to the enterprise"),
    "enterprise.approve": lambda: _("Approved"),
    "enterprise.reopen": lambda: _("Reopened for amendment"),
    "line.add": lambda: _("Production line added"),
    "line.update": lambda: _("Production line edited"),
    "line.delete": lambda: _("Production line deleted"),
    "permit.add": lambda: _("Permit added"),
    "permit.update": lambda: _("Permit edited"),
    "permit.delete": lambda: _("Permit deleted"),
}

_VOCAB_BY_FIELD = {
    object_type: {s.name: s.vocabulary for s in all_specs(groups) if s.vocabulary}
    for object_type, groups in (("enterprise", ENTERPRISE_GROUPS), ("production_line", LINE_GROUPS), ("permit", PERMIT_GROUPS))
}
# Field names per object: "name" is the enterprise's name (企业名称) on an enterprise and the line's on a line; "kind"
# the line type (生产线类型) on a line and the permit's management class on a permit (issue 16).
_LABEL_BY_FIELD = {
    object_type: {s.name: s.label for s in all_specs(groups)}
    for object_type, groups in (("enterprise", ENTERPRISE_GROUPS), ("production_line", LINE_GROUPS), ("permit", PERMIT_GROUPS))
}
_LABEL_BY_FIELD["production_line"]["kind"] = _l("Line type")
# An approval's "facts": which approved copy the schedules and lists now read (issue 14 point 10), in words.
_LABEL_BY_FIELD["enterprise"]["facts"] = _l("Approved facts kept")
_FACTS_ORIGIN = {"registration": _l("from the registration"), "amendment": _l("from the amendment")}


def _field_label(object_type: str, key: str) -> str:
    return str(_LABEL_BY_FIELD.get(object_type, {}).get(key) or FIELD_LABELS.get(key, key))


_HIDDEN_IN_DIFF = {"id", "version", "enterprise_id", "created_by_id", "submitted_at", "approved_at", "line_id"}


def _show(object_type: str, key: str, value) -> str:
    from registry.core.templating import local_datetime, number, yes_no

    if value is None or value == "":
        return "—"
    if object_type == "enterprise" and key == "status":
        return registration_status_label(value)
    if object_type == "enterprise" and key == "facts" and value in _FACTS_ORIGIN:
        return str(_FACTS_ORIGIN[value])
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list):
        return "; ".join(_show_item(v) for v in value) or "—"
    if key == "region_code":
        return f"{region_label(value)} ({value})"
    if key == "capacity_unit":
        from registry.core.templating import capacity_unit_label

        return capacity_unit_label(value)
    vocabulary = _VOCAB_BY_FIELD.get(object_type, {}).get(key)
    if vocabulary:
        return vocab_label(value, vocabulary)
    if isinstance(value, float):
        return number(value)
    if key.endswith("_at"):
        return local_datetime(value)
    return str(value)


def _show_item(item) -> str:
    if not isinstance(item, dict):
        return str(item)
    if "pollutant" in item:
        text = f'{vocab_label(item["pollutant"], "Pollutant")}: {vocab_label(item.get("status"), "EmissionStatus")}'
        return text + (f' ({item["reached_on"]})' if item.get("reached_on") else "")
    parts = [str(item.get("name", ""))]
    if item.get("kind"):
        parts.append(vocab_label(item["kind"], "LineKind"))
    if item.get("capacity") is not None:
        from registry.core.templating import capacity_unit_label

        parts.append(f'{_show("", "capacity", item["capacity"])} {capacity_unit_label(item.get("capacity_unit"))}'.strip())
    return " · ".join(p for p in parts if p)


def _diff_rows(entry: dict) -> list[dict]:
    before, after = entry.get("before") or {}, entry.get("after") or {}
    object_type = entry.get("object_type", "")
    rows = []
    for key in list(dict.fromkeys([*before.keys(), *after.keys()])):
        if key in _HIDDEN_IN_DIFF:
            continue
        if key == "reason":
            continue  # shown as the entry's summary
        shown_before = _show(object_type, key, before.get(key)) if key in before else None
        shown_after = _show(object_type, key, after.get(key)) if key in after else None
        if shown_before in (None, "—") and shown_after in (None, "—"):
            continue  # an empty field of a new or deleted record says nothing
        rows.append({"field": _field_label(object_type, key), "before": shown_before, "after": shown_after})
    return rows


@bp.get("/<int:enterprise_id>/history")
@login_required
def history(enterprise_id: int):
    enterprise = ops.get_enterprise(_me(), enterprise_id)
    entries = AuditEntryOut(many=True).dump(queries.enterprise_history(enterprise, _me()))
    people = display_names({e["user_id"] for e in entries if e.get("user_id")})
    for entry in entries:
        label = ACTION_LABELS.get(entry["action"])
        # other actions (credit-code claims, imports…) by the audit log's vocabulary (registry/audit/labels.py)
        entry["action_label"] = label() if label else codes.label("audit.action", entry["action"])
        entry["who"] = people.get(entry.get("user_id"))
        other = history_view(entry)  # grade and emergency-plan events: their own labels, no raw codes
        if other is not None:
            entry.update(other)
            continue
        entry["diff"] = _diff_rows(entry)
    return render_template("enterprises/history.html", enterprise=_summary(enterprise), entries=entries)



from registry.enterprises import conflict_views as _conflict_views  # noqa: E402,F401  (routes on bp, issue 13 M7)
