"""Readings pages: upload with the validation report, the batches loaded, and each enterprise's meters and stacks.

Thin handlers over readings.operations; the request's unit of work commits."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.core.errors import DomainError
from registry.core.labels import register_history_labels
from registry.extensions import db
from registry.readings import labels, queries  # labels: registers the vocabularies; the history view
from registry.readings import operations as ops
from registry.readings.forms import MeterForm, StackForm, UploadForm

bp = Blueprint("readings", __name__, url_prefix="/readings")
# a meter's and a stack's registration and changes in the enterprise's history, labelled (registry/core/labels.py)
bp.record_once(lambda state: register_history_labels(state.app, "readings", labels.history_view))


@bp.url_value_preprocessor
def _allow_large_uploads(_endpoint, _values):
    """Readings files are bigger than the app's 8 MiB body limit; raised here, before CSRF checking reads the form
    (the actor's own limit applies in operations.limits)."""
    request.max_content_length = ops.setting("READINGS_MAX_BYTES") + 1024 * 1024


def _actor():
    return current_user._get_current_object()


def _require_use():
    ops.require_use(_actor())


def _index(status: int = 200, **context):
    actor = _actor()
    max_bytes, max_rows = ops.limits(actor)
    return render_template("readings/index.html", form=context.pop("form", None) or UploadForm(),
                           batches=queries.batches(actor, 50), max_mib=max_bytes // 1048576, max_rows=max_rows,
                           **context), status


@bp.get("/")
@login_required
def index():
    _require_use()
    return _index()


@bp.post("/upload")
@login_required
def upload():
    _require_use()
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(422, form=form, message=_("Some fields are invalid."))
    file = request.files.get("file")
    if file is None or not file.filename:
        return _index(422, form=form, message=_("Choose a file to upload."))
    data = file.read()
    try:
        report = ops.load_file(_actor(), form.kind.data, data, file.filename, source="upload",
                               dry_run=bool(form.dry_run.data))
    except DomainError as err:
        db.session.rollback()
        return _index(err.status, form=form, message=err.message)
    if not report.ok:
        db.session.rollback()
    return render_template("readings/report.html", report=report.as_dict()), (200 if report.ok else 422)


@bp.get("/enterprises")
@login_required
def enterprises():
    _require_use()
    return render_template("readings/enterprises.html", rows=queries.enterprises_with_devices(_actor()))


def _line_choices(enterprise_id: int):
    return [("", _("None (a facility of the site)"))] + [(str(line.id), f"{line.code} {line.name}")
                                                       for line in queries.lines(enterprise_id)]


def _devices(enterprise_id: int, status: int = 200, meter_form=None, stack_form=None, message=None):
    ent = ops.device_enterprise(_actor(), enterprise_id)
    meter_form = meter_form or MeterForm(prefix="meter")
    stack_form = stack_form or StackForm(prefix="stack")
    meter_form.line_id.choices = stack_form.line_id.choices = _line_choices(ent.id)
    lines = {line.id: line for line in queries.lines(ent.id)}
    return render_template("readings/devices.html", enterprise=ent, meters=queries.meters(ent.id),
                           stacks=queries.stacks(ent.id), lines=lines, meter_form=meter_form, stack_form=stack_form,
                           message=message), status


@bp.get("/enterprises/<int:enterprise_id>")
@login_required
def devices(enterprise_id: int):
    return _devices(enterprise_id)


def _register_device(enterprise_id: int, form, slot: str, register, keys: tuple[str, ...]):
    """A meter or stack form posted on the enterprise's devices page: registered, or the page again with each
    refusal beside its field (`slot` names the page's form: meter_form or stack_form)."""
    form.line_id.choices = _line_choices(enterprise_id)
    if not form.validate_on_submit():
        return _devices(enterprise_id, 422, message=_("Some fields are invalid."), **{slot: form})
    try:
        register(_actor(), enterprise_id, {k: form[k].data for k in keys})
    except DomainError as err:
        if err.status == 404:
            raise
        db.session.rollback()
        for name, msgs in err.errors.items():
            if name in form:
                form[name].errors = list(msgs)
        return _devices(enterprise_id, err.status, message=err.message, **{slot: form})
    return redirect(url_for("readings.devices", enterprise_id=enterprise_id))


@bp.post("/enterprises/<int:enterprise_id>/meters")
@login_required
def add_meter(enterprise_id: int):
    return _register_device(enterprise_id, MeterForm(prefix="meter"), "meter_form", ops.register_meter,
                            ("code", "facility", "role", "interval_minutes", "line_id"))


@bp.post("/enterprises/<int:enterprise_id>/stacks")
@login_required
def add_stack(enterprise_id: int):
    return _register_device(enterprise_id, StackForm(prefix="stack"), "stack_form", ops.register_stack,
                            ("name", "mn", "line_id"))


@bp.post("/meters/<int:meter_id>/active")
@login_required
def toggle_meter(meter_id: int):
    from registry.readings.models import Meter

    meter = db.session.get(Meter, meter_id)
    if meter is None:
        from registry.core.errors import NotFound

        raise NotFound(_("Not found."))
    ops.update_meter(_actor(), meter_id, {"active": not meter.active})
    return redirect(url_for("readings.devices", enterprise_id=meter.enterprise_id))
