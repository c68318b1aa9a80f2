"""Bulk writes of registrations (the Excel import's rows) with SQLAlchemy Core executemany, plus their audit entries.

Called only by operations.import_registrations, the enterprise action that owns them (issue 15 item 5): the
exchange package reads, validates and plans a file; the writes, their status and their audit entries are this
domain's, in the caller's one transaction.

Rows go in per sheet as one executemany each (insert … RETURNING id for new rows, update by
id with version + 1 for changed ones), in dependency order: enterprises, lines, emissions,
equipment, permits, then the audit log in bulk — one summary entry for the import and one
entry per enterprise it touched. Nothing commits here; if any statement fails the caller
rolls back and the database is as it was.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Protocol

import numpy as np
import pandas as pd
from flask import g, has_request_context
from sqlalchemy import bindparam, delete, insert, update

from registry.core import dictionary as dd
from registry.core.dictionary import Field, FieldType
from registry.core.timeutil import utcnow
from registry.enterprises import approved
from registry.extensions import db

POLLUTANTS = ("pm", "so2", "nox", "vocs")


class SheetRows(Protocol):
    """One sheet of a planned import: rows to insert, rows to update (with `_id`), and what changed."""

    create: pd.DataFrame
    update: pd.DataFrame
    changed: pd.DataFrame | None
    before: pd.DataFrame | None


class Registrations(Protocol):
    """A planned import (exchange.plan.ImportPlan): checked rows per sheet, keyed like the data dictionary."""

    sheets: dict[str, SheetRows]
    enterprise_ids: dict[str, int]
    emission_fields: Any



def _table(name: str):
    return db.metadata.tables[name]


def _column_values(f: Field, col: pd.Series) -> list[Any]:
    """One column as Python values the drivers accept (None for blanks, date for dates)."""
    if f.type is FieldType.DATE:
        values = pd.to_datetime(col, errors="coerce")
        return [None if v is pd.NaT or v is None or v != v else v.date() for v in values.tolist()]
    if f.type is FieldType.DECIMAL:
        arr = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        return [None if v != v else v for v in arr.tolist()]
    if f.type is FieldType.INTEGER:
        return [None if v is None or v is pd.NA or v != v else int(v) for v in col.astype(object).tolist()]
    if f.type is FieldType.BOOLEAN:
        return [None if v is None else bool(v) for v in col.tolist()]
    if f.type in (FieldType.TEXT, FieldType.EMAIL):
        return ["" if v is None or v != v else str(v) for v in col.tolist()]
    return [None if v is None or v != v else str(v) for v in col.tolist()]


def records(frame: pd.DataFrame, fields: list[Field], names: list[str] | None = None) -> list[dict[str, Any]]:
    names = names or [f.column.split(".")[1] for f in fields]
    columns = [_column_values(f, frame[f.key]) if f.key in frame.columns else _absent(f, len(frame)) for f in fields]
    return [dict(zip(names, row)) for row in zip(*columns)] if columns else [{} for _ in range(len(frame))]


def _absent(f: Field, n: int) -> list[Any]:
    """A column the file left out, for rows being created: the field's default."""
    if f.default is not None:
        return [f.default] * n
    return [""] * n if f.type in (FieldType.TEXT, FieldType.EMAIL) else [None] * n


def _insert(table, rows: list[dict[str, Any]], returning: tuple[str, ...] = ()):
    """One executemany INSERT (the place tests inject a fault for the atomicity check)."""
    if not rows:
        return []
    stmt = insert(table)
    if returning:
        stmt = stmt.returning(*[table.c[c] for c in returning], sort_by_parameter_order=True)
        return db.session.execute(stmt, rows).all()
    db.session.execute(stmt, rows)
    return []


def _update(table, rows: list[dict[str, Any]], columns: list[str], *, versioned: bool, now) -> None:
    if not rows:
        return
    values: dict[str, Any] = {c: bindparam(f"b_{c}") for c in columns}
    if versioned:
        values["version"] = table.c.version + 1
    if "updated_at" in table.c:
        values["updated_at"] = now
    stmt = update(table).where(table.c.id == bindparam("b_id")).values(values)
    stmt = stmt.execution_options(synchronize_session=False)
    db.session.connection().execute(stmt, [{f"b_{k}": v for k, v in r.items()} for r in rows])


def _own_fields(spec: dd.Sheet) -> list[Field]:
    return [f for f in spec.fields if f.column.startswith(spec.table + ".") and not (spec.key != "enterprises" and f.key == "uscc")
            and not (spec.key == "equipment" and f.key == "line_code")]


ROWS_PER_BATCH = 20_000  # rows turned into parameter dicts at a time: bounds the memory of a 300,000-row sheet


def _parts(frame: pd.DataFrame):
    for i in range(0, len(frame), ROWS_PER_BATCH):
        yield frame.iloc[i:i + ROWS_PER_BATCH]


def _update_frame(t, frame: pd.DataFrame, fields: list[Field], *, versioned: bool, now) -> None:
    for part in _parts(frame):
        rows = records(part, fields)
        for r, row_id in zip(rows, part["_id"].tolist()):
            r["id"] = int(row_id)
        _update(t, rows, [f.column.split(".")[1] for f in fields], versioned=versioned, now=now)


def write_enterprises(plan: Registrations, actor, now, status: str) -> dict[str, int]:
    t = _table("enterprise")
    sp = plan.sheets.get("enterprises")
    ids = dict(plan.enterprise_ids)
    if sp is None:
        return ids
    fields = _own_fields(dd.ENTERPRISES)
    for part in _parts(sp.create):
        rows = records(part, fields)
        for r in rows:
            r.update(status=status, submitted_at=now, approved_at=now if status == "approved" else None, created_at=now,
                     updated_at=now, version=1, created_by_id=getattr(actor, "id", None), return_reason="")
        for row_id, uscc in _insert(t, rows, ("id", "uscc")):
            ids[uscc] = row_id
    _update_frame(t, sp.update, fields, versioned=True, now=now)
    return ids


def write_lines(plan: Registrations, ids: dict[str, int], now) -> dict[tuple[int, str], int]:
    t, e = _table("production_line"), _table("line_emission")
    sp = plan.sheets.get("lines")
    line_ids: dict[tuple[int, str], int] = {}
    if sp is None:
        return line_ids
    fields = _own_fields(dd.LINES)
    for part in _parts(sp.create):
        rows = records(part, fields)
        enterprise_ids = part["uscc"].map(ids).tolist()
        for r, eid in zip(rows, enterprise_ids):
            r.update(enterprise_id=int(eid), version=1)
        for row_id, eid, code in _insert(t, rows, ("id", "enterprise_id", "code")):
            line_ids[(eid, code)] = row_id
        if plan.emission_fields:
            new_ids = [line_ids[(int(eid), code)] for eid, code in zip(enterprise_ids, part["code"].tolist())]
            _insert(e, _emission_rows(part, new_ids))
    _update_frame(t, sp.update, fields, versioned=True, now=now)
    # changed lines whose emission columns were in the file get exactly those emissions
    if plan.emission_fields and sp.changed is not None and len(sp.changed):
        changed_em = sp.changed[list(plan.emission_fields)].any(axis=1)
        replaced = sp.update.loc[changed_em[changed_em].index]
        for part in _parts(replaced):
            replace_ids = part["_id"].astype(int).tolist()
            db.session.execute(delete(e).where(e.c.line_id.in_(replace_ids)))
            _insert(e, _emission_rows(part, replace_ids))
    return line_ids


def _emission_rows(frame: pd.DataFrame, line_ids: list[int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in POLLUTANTS:
        fields = [dd.LINES.field(f"{p}_{s}") for s in ("status", "reached_on", "concentration", "limit")]
        if fields[0].key not in frame.columns:
            continue
        has = frame[fields[0].key].notna().to_numpy()
        if not has.any():
            continue
        sub = frame[has]
        ids = np.asarray(line_ids, dtype=object)[has].tolist()
        rows = records(sub, fields, ["status", "reached_on", "concentration", "limit_value"])
        for r, lid in zip(rows, ids):
            r.update(line_id=int(lid), pollutant=p)
        out += rows
    return out


def write_equipment(plan: Registrations, ids: dict[str, int], line_ids: dict[tuple[int, str], int]) -> None:
    t = _table("equipment")
    sp = plan.sheets.get("equipment")
    if sp is None:
        return
    fields = _own_fields(dd.EQUIPMENT)
    if len(sp.create):
        stored = _stored_line_ids(ids, sp.create)
        for part in _parts(sp.create):
            rows = records(part, fields)
            for r, uscc, code in zip(rows, part["uscc"].tolist(), part["line_code"].tolist()):
                eid = ids[uscc]
                r["line_id"] = line_ids.get((eid, code)) or stored[(eid, code)]
            _insert(t, rows)
    _update_frame(t, sp.update, fields, versioned=False, now=None)


def _stored_line_ids(ids: dict[str, int], frame: pd.DataFrame) -> dict[tuple[int, str], int]:
    from sqlalchemy import select

    t = _table("production_line")
    wanted = sorted({ids[u] for u in frame["uscc"].tolist()})
    out: dict[tuple[int, str], int] = {}
    for i in range(0, len(wanted), 5000):
        for lid, eid, code in db.session.execute(select(t.c.id, t.c.enterprise_id, t.c.code).where(t.c.enterprise_id.in_(wanted[i:i + 5000]))):
            out[(eid, code)] = lid
    return out


def write_permits(plan: Registrations, ids: dict[str, int], now) -> None:
    t = _table("permit")
    sp = plan.sheets.get("permits")
    if sp is None:
        return
    fields = _own_fields(dd.PERMITS)
    for part in _parts(sp.create):
        rows = records(part, fields)
        for r, uscc in zip(rows, part["uscc"].tolist()):
            r.update(enterprise_id=int(ids[uscc]), version=1)
        _insert(t, rows)
    _update_frame(t, sp.update, fields, versioned=True, now=now)


def write_audit(plan: Registrations, ids: dict[str, int], actor, filename: str, counts: dict[str, dict[str, int]],
                regions: dict[str, str], now) -> None:
    """One summary entry for the import, one per enterprise it created or changed (with what changed)."""
    t = _table("audit_entry")
    request_id = g.get("request_id") if has_request_context() else None
    user_id = getattr(actor, "id", None)
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"lines": Counter(), "equipment": Counter(), "permits": Counter()})
    ent = plan.sheets.get("enterprises")
    if ent is not None:
        for u in ent.create["uscc"].tolist():
            per[u]["enterprise"] = "created"
        if len(ent.update):
            changed = ent.changed
            before = ent.before
            for row, u in zip(ent.update.index, ent.update["uscc"].tolist()):
                keys = [k for k in changed.columns if changed.at[row, k]]
                per[u]["enterprise"] = "updated"
                per[u]["before"] = {k: _plain(before.at[row, k]) for k in keys}
                per[u]["after"] = {k: _plain(ent.update.at[row, k]) for k in keys}
    for key in ("lines", "equipment", "permits"):
        sp = plan.sheets.get(key)
        if sp is None:
            continue
        for u, n in sp.create["uscc"].value_counts().items():
            per[u][key]["created"] += int(n)
        if len(sp.update):
            for u, n in sp.update["uscc"].value_counts().items():
                per[u][key]["updated"] += int(n)
    rows = [{
        "at": now, "user_id": user_id, "action": "exchange.import", "object_type": "import", "object_id": None,
        "root_type": "", "root_id": None, "region_code": getattr(actor, "region_code", None),
        "summary": filename, "before": None, "after": counts, "request_id": request_id,
    }]
    for u, info in per.items():
        eid = ids.get(u)
        if eid is None:
            continue
        after = {"uscc": u, "enterprise": info.get("enterprise", "unchanged"), "file": filename}
        for key in ("lines", "equipment", "permits"):
            if info[key]:
                after[key] = dict(info[key])
        if "after" in info:
            after["fields"] = info["after"]
        rows.append({
            "at": now, "user_id": user_id, "action": "enterprise.import", "object_type": "enterprise", "object_id": int(eid),
            "root_type": "enterprise", "root_id": int(eid), "region_code": regions.get(u), "summary": filename,
            "before": info.get("before"), "after": after, "request_id": request_id,
        })
    _insert(t, rows)


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _touched(plan: Registrations, ids: dict[str, int]) -> list[int]:
    """The enterprises the import created or changed (a row of any sheet)."""
    usccs: set[str] = set()
    for sp in plan.sheets.values():
        for frame in (sp.create, sp.update):
            if frame is not None and len(frame) and "uscc" in frame.columns:
                usccs.update(frame["uscc"].tolist())
    return [int(ids[u]) for u in usccs if u in ids]


def write_registrations(plan: Registrations, actor, filename: str, counts: dict[str, dict[str, int]], regions: dict[str, str],
               enterprise_status: str) -> None:
    now = utcnow()
    ids = write_enterprises(plan, actor, now, enterprise_status)
    line_ids = write_lines(plan, ids, now)
    write_equipment(plan, ids, line_ids)
    write_permits(plan, ids, now)
    write_audit(plan, ids, actor, filename, counts, regions, now)
    if enterprise_status == "approved":
        # An official's import is a review: every approved registration it touched gets its new
        # approved facts (issue 14 point 10); an enterprise's own import changes only its draft.

        approved.capture(_touched(plan, ids), origin="import", actor_id=getattr(actor, "id", None), at=now, only_approved=True)
    db.session.flush()
