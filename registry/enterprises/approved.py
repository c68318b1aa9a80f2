"""Approved facts: an enterprise's registration as an official approved it, kept and read back (issue 14 point 10).

Schedules and emergency lists decide on reviewed facts only. When an official approves a registration or an
amendment (or imports records as an official), `capture` copies the enterprise row, its lines with their
emissions and equipment, and its permits into a new `approved_facts` row, column by column. `reviewed` reads
the newest copy back as detached model objects (never added to the session), so registry/policy/facts.py —
the one mapper to the engine — and the emergency list read them exactly as they read live records. An
enterprise that reopens its registration keeps its last approved facts here until the amendment is approved;
one never approved has none and is in no schedule or list.

Reads and writes go through SQLAlchemy Core in chunks, so an import of a whole province captures in a few
statements per thousand enterprises.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import Date, DateTime, Numeric, func, insert, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator

from registry.core.timeutil import utcnow
from registry.enterprises.models import (
    ApprovedFacts,
    Enterprise,
    Equipment,
    LineEmission,
    Permit,
    ProductionLine,
    RegistrationStatus,
)
from registry.extensions import db

CHUNK = 1000


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _row(row) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row._mapping.items()}


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def live_facts(enterprise_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """enterprise id → its records now, as JSON-ready data (what `capture` stores)."""
    e, ln = Enterprise.__table__, ProductionLine.__table__
    em, eq, pm = LineEmission.__table__, Equipment.__table__, Permit.__table__
    out: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(enterprise_ids))):
        for r in db.session.execute(select(e).where(e.c.id.in_(chunk))):
            out[r.id] = {"enterprise": _row(r), "lines": [], "permits": []}
        lines: dict[int, dict[str, Any]] = {}
        for r in db.session.execute(select(ln).where(ln.c.enterprise_id.in_(chunk)).order_by(ln.c.id)):
            line = lines[r.id] = {**_row(r), "emissions": [], "equipment": []}
            out[r.enterprise_id]["lines"].append(line)
        line_ids = select(ln.c.id).where(ln.c.enterprise_id.in_(chunk)).scalar_subquery()
        for r in db.session.execute(select(em).where(em.c.line_id.in_(line_ids)).order_by(em.c.line_id, em.c.pollutant)):
            lines[r.line_id]["emissions"].append(_row(r))
        for r in db.session.execute(select(eq).where(eq.c.line_id.in_(line_ids)).order_by(eq.c.id)):
            lines[r.line_id]["equipment"].append(_row(r))
        for r in db.session.execute(select(pm).where(pm.c.enterprise_id.in_(chunk)).order_by(pm.c.id)):
            out[r.enterprise_id]["permits"].append(_row(r))
    return out


def capture(enterprise_ids: Iterable[int], *, origin: str, actor_id: int | None = None, at: datetime | None = None,
            only_approved: bool = False) -> int:
    """Record the enterprises' records as approved now (a new numbered copy each); returns how many were kept.

    `only_approved` keeps only registrations whose status is approved (an official's import touches others too).
    CAPTURE_CHUNK enterprises at a time, in id order (the rows are those of one pass): a province import's 60,000
    enterprises as one dictionary of their records held over a gigabyte (issue 18 item 2)."""
    when = at or utcnow()
    ids = sorted(set(enterprise_ids))
    return sum(_capture(ids[i:i + CAPTURE_CHUNK], origin, actor_id, when, only_approved)
               for i in range(0, len(ids), CAPTURE_CHUNK))


CAPTURE_CHUNK = 5000


def _capture(enterprise_ids: list[int], origin: str, actor_id: int | None, when: datetime, only_approved: bool) -> int:
    facts = live_facts(enterprise_ids)
    if only_approved:
        facts = {k: v for k, v in facts.items() if v["enterprise"]["status"] == RegistrationStatus.APPROVED.value}
    if not facts:
        return 0
    t = ApprovedFacts.__table__
    numbers: dict[int, int] = {}
    for chunk in _chunks(sorted(facts)):
        numbers.update(db.session.execute(select(t.c.enterprise_id, func.max(t.c.number))
                                          .where(t.c.enterprise_id.in_(chunk)).group_by(t.c.enterprise_id)).all())
    rows = [{"enterprise_id": eid, "number": (numbers.get(eid) or 0) + 1, "region_code": data["enterprise"]["region_code"],
             "origin": origin, "approved_at": when, "approved_by_id": actor_id, "data": data}
            for eid, data in sorted(facts.items())]
    db.session.execute(insert(t), rows)
    return len(rows)


# ---- reading back ----

def _converter(column):
    kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Numeric):
        return lambda v: Decimal(str(v))
    return None


_MISSING = object()
_PLANS: dict[type, list[tuple[str, Any, Any]]] = {}


def _plan(model) -> list[tuple[str, Any, Any]]:
    """Per column: its key, how stored data becomes its Python value, and the default for a column added later."""
    plan = _PLANS.get(model)
    if plan is None:
        plan = _PLANS[model] = [
            (c.key, _converter(c), c.default.arg if c.default is not None and c.default.is_scalar else _MISSING)
            for c in model.__table__.columns]
    return plan


def _values(model, data: dict[str, Any]) -> dict[str, Any]:
    """Column values for `model` from stored data; a column added after the copy was taken gets its default."""
    out: dict[str, Any] = {}
    for key, convert, default in _plan(model):
        value = data.get(key, _MISSING)
        if value is _MISSING:
            if default is not _MISSING:
                out[key] = default
        else:
            out[key] = convert(value) if convert is not None and value is not None else value
    return out


def _record(model, data: dict[str, Any]):
    """A detached instance holding these values as loaded ones (no change events: it is never flushed)."""
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(_values(model, data))
    return obj


def as_records(data: dict[str, Any]) -> Enterprise:
    """Stored data → a detached Enterprise with its lines, emissions, equipment and permits (not in the session).

    Built the way the ORM builds loaded rows (values set as committed, collections without events), at a fraction
    of the cost of constructing new objects — a province's schedule reads 300,000 lines this way."""
    enterprise = _record(Enterprise, data["enterprise"])
    lines = []
    for item in data.get("lines", []):
        line = _record(ProductionLine, item)
        set_committed_value(line, "emissions", [_record(LineEmission, x) for x in item.get("emissions", [])])
        set_committed_value(line, "equipment", [_record(Equipment, x) for x in item.get("equipment", [])])
        set_committed_value(line, "enterprise", enterprise)
        lines.append(line)
    set_committed_value(enterprise, "lines", lines)
    set_committed_value(enterprise, "permits", [_record(Permit, x) for x in data.get("permits", [])])
    return enterprise


def newest_rows(enterprise_ids: Iterable[int] | None = None, *, region_prefix: str | None = None) -> list[ApprovedFacts]:
    """The standing approved copy per enterprise (its newest), optionally for some enterprises or a region."""
    t = ApprovedFacts
    newest = select(t.enterprise_id, func.max(t.number).label("n")).group_by(t.enterprise_id)
    ids = None if enterprise_ids is None else sorted(set(enterprise_ids))
    out: list[ApprovedFacts] = []
    for chunk in ([None] if ids is None else list(_chunks(ids))):
        sub = (newest if chunk is None else newest.where(t.enterprise_id.in_(chunk))).subquery()
        stmt = select(t).join(sub, (sub.c.enterprise_id == t.enterprise_id) & (sub.c.n == t.number))
        if region_prefix is not None:
            # the region it was approved in: an unapproved move does not move it between lists
            stmt = stmt.where(t.region_code.startswith(region_prefix))
        out += list(db.session.scalars(stmt.order_by(t.enterprise_id)))
    return out


def reviewed(enterprise_ids: Iterable[int] | None = None, *, region_prefix: str | None = None) -> list[Enterprise]:
    """The enterprises as last approved (detached records, in enterprise id order); never-approved ones are absent."""
    return [as_records(r.data) for r in newest_rows(enterprise_ids, region_prefix=region_prefix)]


def standing(enterprise_id: int) -> ApprovedFacts | None:
    rows = newest_rows([enterprise_id])
    return rows[0] if rows else None
