"""Background generation of a schedule draft from the pages: the request claims the draft and returns at once.

`start` (in the request) opens the draft (operations.open_version), then CLAIMS it with one conditional UPDATE —
state → queued, heartbeat → now — that matches only if no generation is running (or the running one stopped
beating: a crash), commits, and starts a worker thread. Two clicks at once: the second UPDATE matches no row
(PostgreSQL re-checks the condition after the first commits; SQLite serialises writers) → 409.

The worker has its own app context, hence its own database session. It runs operations.generate, which reads and
computes first and writes the version, inputs and entries last, in one transaction; progress (done/total and the
phase) goes to the version row through separate short transactions, only while the worker holds no write lock.
A failure rolls the transaction back (the draft keeps its previous entries, or none) and records the message on
the version for the official; a crash leaves no partial rows (nothing was committed) and a heartbeat that stops,
after which a new generation may start. The CLI and the API generate synchronously (same operation).

Tests run the job inline unless they set SCHEDULE_BACKGROUND (the route-matrix tests empty the tables right after
each request); `make run` and production use threads.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update

from registry.accounts.models import User
from registry.core import unit_of_work
from registry.core.errors import Conflict, DomainError
from registry.core.timeutil import utcnow
from registry.extensions import db
from registry.schedules import operations as ops
from registry.schedules.models import ScheduleVersion, VersionStatus
from registry.schedules.operations import STALE_AFTER

log = logging.getLogger(__name__)
_threads: dict[int, threading.Thread] = {}


def _claim(version_id: int) -> bool:
    table = ScheduleVersion.__table__
    now = utcnow()
    result = db.session.execute(
        update(table).where(table.c.id == version_id, table.c.status == VersionStatus.DRAFT.value,
                            or_(table.c.generation_state.not_in(ops.RUNNING), table.c.generation_heartbeat.is_(None),
                                table.c.generation_heartbeat < now - STALE_AFTER))
        .values(generation_state="queued", generation_error="", generation_heartbeat=now, progress_done=0, progress_total=0))
    return result.rowcount == 1


def _record(version_id: int, **values) -> None:
    """Progress or failure on the version row, in its own short transaction (seen at once by the pages)."""
    table = ScheduleVersion.__table__
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == version_id, table.c.status == VersionStatus.DRAFT.value)
                     .values(generation_heartbeat=utcnow(), **values))


def start(actor, schedule_id: int) -> ScheduleVersion:
    """Open and claim the draft, commit, and generate it in the background (or inline in tests)."""
    version = ops.open_version(actor, schedule_id)
    if not _claim(version.id):
        db.session.rollback()
        raise Conflict(_("A generation of this schedule is already running."))
    unit_of_work.commit()  # the claim (and the request's work so far) before the worker's own session looks
    db.session.refresh(version)
    app = current_app._get_current_object()
    if not app.config.get("SCHEDULE_BACKGROUND", not app.testing):
        run(app, version.id, actor.id)
        db.session.refresh(version)
        return version
    thread = threading.Thread(target=run, args=(app, version.id, actor.id), name=f"schedule-generation-{version.id}",
                              daemon=True)
    for vid, old in list(_threads.items()):  # forget finished workers
        if not old.is_alive():
            _threads.pop(vid, None)
    _threads[version.id] = thread
    thread.start()
    return version


def run(app: Flask, version_id: int, actor_id: int) -> None:
    """The worker: generate the claimed draft in one transaction; record progress, then success or failure."""
    with app.app_context():
        last = [0.0]

        def progress(done: int, total: int, phase: str) -> None:
            now = time.monotonic()
            if phase != "reading" or now - last[0] >= 0.5 or done == total:  # at most 2 writes a second
                last[0] = now
                _record(version_id, progress_done=done, progress_total=total, generation_state=phase)

        try:
            with unit_of_work.transaction():  # the worker's unit of work: all of the generation, or nothing
                actor = db.session.get(User, actor_id)
                version = db.session.get(ScheduleVersion, version_id)
                ops.generate(actor, version.schedule_id, progress, claimed=True)
                version.generation_state = ""
                version.generation_error = ""
                version.generation_heartbeat = utcnow()
        except Exception as err:  # recorded for the official; the transaction left nothing behind
            if isinstance(err, DomainError):
                message = err.message
            else:
                log.exception("schedule generation %s failed", version_id)
                message = _("Unexpected error (%(kind)s); the draft was left unchanged.", kind=type(err).__name__)
            try:
                _record(version_id, generation_state="failed", generation_error=message[:2000])
            except Exception:  # the database itself is gone: the heartbeat stops, a new generation may start later
                log.exception("could not record the failure of schedule generation %s", version_id)
        finally:
            db.session.remove()


def wait(version_id: int, timeout: float = 120) -> None:
    """Wait for a background generation (tests, shutdown)."""
    thread = _threads.get(version_id)
    if thread is not None:
        thread.join(timeout)
        if not thread.is_alive():
            _threads.pop(version_id, None)


def status(version: ScheduleVersion) -> dict:
    """What the progress endpoint and the page show."""
    running = ops.generation_running(version)
    state = version.generation_state
    if state in ops.RUNNING and not running:
        state, error = "failed", _("The generation was interrupted; generate again.")
    else:
        error = version.generation_error
    return {"version_id": version.id, "number": version.number, "state": state or "done", "running": running,
            "done": version.progress_done, "total": version.progress_total, "error": error,
            "phase": str(PHASES.get(state, ""))}


PHASES = {"queued": _l("Queued"), "reading": _l("Reading registered facts"),
          "evaluating": _l("Evaluating with the policy engine"), "storing": _l("Storing the entries"),
          "failed": _l("Generation failed")}
