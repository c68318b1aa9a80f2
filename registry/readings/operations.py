"""Readings use cases — register meters and stacks, load readings (upload, API batch, stream, CLI) — for pages, API
and CLI alike. Each checks its permission predicate first, writes through the session (the door's unit of work
commits once) and records an audit entry.

A load checks the whole file first (ingest.check: every problem by row, column, value and reason); with any error
nothing is stored. The readings go to the Parquet store (store.py), the batch record to the database. The store is not
part of the database transaction: if the commit of the batch record fails after the files were written, loading the
same file again stores nothing new (the store is idempotent) and records the batch.
"""
from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import pyarrow as pa
from flask import current_app
from flask_babel import gettext as _

from registry.core import audit, timeutil
from registry.core.errors import Forbidden, NotFound, TooLarge, Unauthenticated, ValidationFailed
from registry.core.validation import stored_id
from registry.enterprises.models import Enterprise, ProductionLine
from registry.exchange.operations import import_slot
from registry.exchange.report import FileRejected
from registry.extensions import db
from registry.readings import auth, ingest, queries
from registry.readings.models import INTERVALS, KINDS, METER_ROLES, Meter, ReadingBatch, Stack
from registry.readings.store import ReadingsStore, current_store

DEFAULTS = {
    "READINGS_MAX_BYTES": 256 * 1024 * 1024,            # an official's upload or stream (a city-day of meters ≈ 40 MiB)
    "READINGS_MAX_ROWS": 5_000_000,
    "READINGS_SELF_SERVICE_MAX_BYTES": 16 * 1024 * 1024,  # an enterprise account's (a month of its meters ≈ 1 MiB)
    "READINGS_SELF_SERVICE_MAX_ROWS": 200_000,
    "READINGS_API_MAX_ROWS": 50_000,                    # rows in one JSON batch
    "READINGS_STREAM_BLOCK_LINES": 200_000,             # a stream is checked and stored in blocks of this many lines
    "READINGS_BASELINE_DAYS": 10,
}
FORMATS = {"csv": ("electricity", "cems", "gate"), "xlsx": ("gate",), "hj212": ("cems",)}
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".hj212": "hj212", ".log": "hj212"}


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def _require(allowed: bool, actor) -> None:
    if allowed:
        return
    if actor is None or not getattr(actor, "is_authenticated", False) and not getattr(actor, "is_system", False):
        raise Unauthenticated(_("Please log in."))
    raise Forbidden(_("You do not have permission to do this."))


def require_use(actor) -> None:
    """The doors call this before reading a request's body: administrators have no business here (三员分立)."""
    _require(auth.can_use_readings(actor), actor)


def limits(actor) -> tuple[int, int]:
    """(bytes, rows) one load may hold for this actor."""
    if auth.is_self_service(actor):
        return (min(setting("READINGS_MAX_BYTES"), setting("READINGS_SELF_SERVICE_MAX_BYTES")),
                min(setting("READINGS_MAX_ROWS"), setting("READINGS_SELF_SERVICE_MAX_ROWS")))
    return setting("READINGS_MAX_BYTES"), setting("READINGS_MAX_ROWS")


def _own_uscc(actor) -> str | None:
    if auth.is_self_service(actor) and actor.enterprise_id is not None:
        ent = db.session.get(Enterprise, actor.enterprise_id)
        return ent.uscc if ent else None
    return None


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationFailed(_("Some fields are invalid."), {"kind": [_("Choose one of: %(allowed)s",
                                                                            allowed=", ".join(KINDS))]})
    return kind


def format_of(filename: str, data: bytes, kind: str) -> str:
    """The file's format from its name and first bytes; a file of the wrong kind is refused before it is read."""
    name = (filename or "").lower()
    ext = next((e for e in EXTENSIONS if name.endswith(e)), None)
    if ext is None:
        raise FileRejected(_("Upload a .csv file (gate entries also .xlsx; CEMS also HJ 212 messages, .txt or .hj212)."))
    fmt = EXTENSIONS[ext]
    if data.startswith(b"PK\x03\x04") and fmt != "xlsx":
        raise FileRejected(_("This is an Excel file, not CSV text."))
    if fmt == "csv" and data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"##"):
        fmt = "hj212"  # HJ 212 messages saved as .txt
    if kind not in FORMATS[fmt]:
        raise FileRejected(_("%(format)s files are not accepted for this kind of readings.", format=fmt.upper()))
    return fmt


# ------------------------------------------------------------------------------------------------ loading
def load_file(actor, kind: str, data: bytes, filename: str, *, source: str = "upload", dry_run: bool = False,
              store: ReadingsStore | None = None) -> ingest.ReadingsReport:
    """Check a whole file and, when it has no error and this is not a dry run, store it and record the batch.
    Loads share the imports' concurrency bound (one per account, two in all per process: a large file's check
    holds about ten times its size in memory), so a second one at the same moment is answered 429."""
    _require(auth.can_use_readings(actor), actor)
    with import_slot(actor):
        return _load_file(actor, kind, data, filename, source=source, dry_run=dry_run, store=store)


def _load_file(actor, kind: str, data: bytes, filename: str, *, source: str, dry_run: bool,
               store: ReadingsStore | None) -> ingest.ReadingsReport:
    kind = _kind(kind)
    max_bytes, max_rows = limits(actor)
    if len(data) > max_bytes:
        raise TooLarge(_("The file is larger than %(mib)s MiB.", mib=max_bytes // 1048576))
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    fmt = format_of(filename, data, kind)
    report = ingest.new_report(kind, filename, dry_run)
    resolve = queries.resolver(actor)
    now = timeutil.beijing_now().replace(tzinfo=None)
    if fmt == "hj212":
        text = data.decode("ascii", errors="replace")
        if text.count("\n") + 1 > max_rows:
            raise FileRejected(_("The file has %(n)s rows; at most %(max)s are read at once.", n=text.count("\n") + 1,
                                 max=max_rows))
        checked = ingest.check_hj212(text, resolve, report, now=now)
    else:
        raw, headers = (ingest.read_excel if fmt == "xlsx" else ingest.read_csv)(kind, data, max_rows=max_rows)
        checked = ingest.check(kind, raw, headers, resolve, report, own_uscc=_own_uscc(actor), now=now)
    return _store(actor, kind, checked, source, filename, hashlib.sha256(data).hexdigest(), dry_run, store)


def load_rows(actor, kind: str, rows: list[dict[str, Any]], *, dry_run: bool = False, source: str = "api",
              store: ReadingsStore | None = None) -> ingest.ReadingsReport:
    """An API batch: rows as objects with the canonical field names (uscc, meter, ts, kwh; mn, ts, so2…; uscc, ts,
    plate, emission_standard, fuel, cargo, direction), checked like a file (row = position in the list, from 1)."""
    _require(auth.can_use_readings(actor), actor)
    kind = _kind(kind)
    if len(rows) > setting("READINGS_API_MAX_ROWS"):
        raise TooLarge(_("At most %(max)s rows in one batch.", max=setting("READINGS_API_MAX_ROWS")))
    names = list(ingest.HEADERS[kind])
    missing = [n for n in ingest.REQUIRED[kind] if rows and all(n not in r for r in rows)]
    if missing or not rows:
        raise ValidationFailed(_("Some fields are invalid."), {"rows": [
            _("Each row needs: %(fields)s", fields=", ".join(ingest.REQUIRED[kind]))]})
    cols = {n: pa.array([_text(r.get(n)) for r in rows], pa.string()) for n in names
            if any(n in r for r in rows)}
    raw = pa.table(cols)
    report = ingest.new_report(kind, "", dry_run)
    checked = ingest.check(kind, raw, {n: n for n in names}, queries.resolver(actor), report,
                           own_uscc=_own_uscc(actor), now=timeutil.beijing_now().replace(tzinfo=None), row_offset=1)
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return _store(actor, kind, checked, source, "", digest, dry_run, store)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def load_stream(actor, kind: str, chunks: Iterable[bytes], *, content_type: str = "text/csv",
                store: ReadingsStore | None = None) -> dict[str, Any]:
    """A streaming body (chunked CSV with a header line, NDJSON objects, or HJ 212 messages one per line), checked and
    stored in blocks of READINGS_STREAM_BLOCK_LINES lines as it arrives: memory stays bounded whatever the length.
    Each block is all or nothing; the answer sums the blocks and lists the problems (row = line of the stream)."""
    _require(auth.can_use_readings(actor), actor)
    kind = _kind(kind)
    max_bytes, _rows = limits(actor)
    block = setting("READINGS_STREAM_BLOCK_LINES")
    fmt = "ndjson" if "json" in content_type else "hj212" if kind == "cems" and "plain" in content_type else "csv"
    if fmt == "hj212" and kind != "cems":
        raise ValidationFailed(_("Some fields are invalid."), {"kind": [_("HJ 212 messages carry CEMS values.")]})
    totals = {"kind": kind, "lines": 0, "accepted": 0, "duplicates": 0, "refused": 0, "blocks": 0, "problems": [],
              "problems_not_listed": 0}
    sha = hashlib.sha256()
    resolve = queries.resolver(actor)
    own = _own_uscc(actor)
    seen = 0
    header: bytes | None = None
    days: list = []
    for first_line, lines in _blocks(chunks, block, fmt == "csv"):
        if fmt == "csv" and header is None:
            header = first_line
        payload = b"\n".join(lines)
        seen += len(payload)
        if seen > max_bytes:
            raise TooLarge(_("The stream is longer than %(mib)s MiB.", mib=max_bytes // 1048576))
        sha.update(payload)
        start_line = totals["lines"] + (2 if fmt == "csv" else 1)
        totals["lines"] += len(lines)
        totals["blocks"] += 1
        report = ingest.new_report(kind, "", False)
        now = timeutil.beijing_now().replace(tzinfo=None)
        if fmt == "hj212":
            checked = ingest.check_hj212(payload.decode("ascii", errors="replace"), resolve, report, now=now)
        elif fmt == "ndjson":
            try:
                rows = [json.loads(x) for x in lines if x.strip()]
            except ValueError as err:
                raise ValidationFailed(_("Some fields are invalid."), {"body": [_("Each line must be one JSON object.")]}) from err
            names = [n for n in ingest.HEADERS[kind] if any(n in r for r in rows)]
            raw = pa.table({n: pa.array([_text(r.get(n)) for r in rows], pa.string()) for n in names})
            checked = ingest.check(kind, raw, {n: n for n in names}, resolve, report, own_uscc=own, now=now, row_offset=1)
        else:
            raw, headers = ingest.read_csv(kind, (header or b"") + b"\n" + payload)
            checked = ingest.check(kind, raw, headers, resolve, report, own_uscc=own, now=now, row_offset=1)
        for p in report.problems:
            p.row = p.row + start_line - 1 if fmt != "hj212" else p.row + start_line - 1
        if report.ok and checked.table.num_rows:
            result = (store or current_store()).append(kind, checked.table)
            totals["accepted"] += result.accepted
            totals["duplicates"] += result.duplicates
            days.extend(d for _c, d in result.partitions)
        elif not report.ok:
            totals["refused"] += report.rows
            listed = [p.as_dict() for p in report.sorted_problems()]
            room = 1000 - len(totals["problems"])
            totals["problems"].extend(listed[:max(room, 0)])
            totals["problems_not_listed"] += max(0, report.error_count - max(room, 0))
    if not totals["lines"]:
        raise ValidationFailed(_("Some fields are invalid."), {"body": [_("The stream holds no readings.")]})
    batch = _batch(actor, kind, "stream", "", sha.hexdigest(), totals["accepted"], totals["duplicates"],
                   totals["refused"], min(days) if days else None, max(days) if days else None,
                   {"blocks": totals["blocks"], "lines": totals["lines"]})
    totals["batch_id"] = batch.id
    totals["ok"] = totals["refused"] == 0
    return totals


def _blocks(chunks: Iterable[bytes], size: int, has_header: bool) -> Iterator[tuple[bytes | None, list[bytes]]]:
    """Lines of a chunked body in blocks of `size`; the first line apart when the body has a header."""
    header: bytes | None = None
    pending = b""
    lines: list[bytes] = []
    for chunk in chunks:
        if not chunk:
            continue
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            line = line.rstrip(b"\r")
            if has_header and header is None:
                header = line
                continue
            if line.strip():
                lines.append(line)
            if len(lines) >= size:
                yield header, lines
                lines = []
    if pending.strip():
        if has_header and header is None:
            header = pending.rstrip(b"\r")
        else:
            lines.append(pending.rstrip(b"\r"))
    if lines:
        yield header, lines


def _store(actor, kind: str, checked: ingest.Checked, source: str, filename: str, digest: str, dry_run: bool,
           store: ReadingsStore | None) -> ingest.ReadingsReport:
    report = checked.report
    if not report.ok or dry_run:
        return report
    result = (store or current_store()).append(kind, checked.table)
    report.stored(result)
    days = [d for _c, d in result.partitions] or ([report.first_ts.date(), report.last_ts.date()]
                                                   if report.first_ts and report.last_ts else [])
    batch = _batch(actor, kind, source, filename, digest, result.accepted, result.duplicates, 0,
                   min(days) if days else None, max(days) if days else None,
                   {"cities": sorted({c for c, _d in result.partitions})})
    report.batch_id = batch.id
    return report


def _batch(actor, kind, source, filename, digest, accepted, duplicates, refused, first_day, last_day, summary) -> ReadingBatch:
    region = getattr(actor, "region_code", None) or ""
    enterprise_id = getattr(actor, "enterprise_id", None) if auth.is_self_service(actor) else None
    if enterprise_id is not None:
        ent = db.session.get(Enterprise, enterprise_id)
        region = ent.region_code if ent else region
    batch = ReadingBatch(kind=kind, source=source, filename=(filename or "")[:255], sha256=digest,
                         rows_accepted=accepted, rows_duplicate=duplicates, rows_refused=refused,
                         actor_id=getattr(actor, "id", None) if not getattr(actor, "is_system", False) else None,
                         enterprise_id=enterprise_id, region_code=region, first_day=first_day, last_day=last_day,
                         summary=summary)
    db.session.add(batch)
    db.session.flush()
    audit.record(actor, "readings.import", batch, region_code=region or None,
                 summary=f"{kind} {source} {filename}".strip(),
                 after={"kind": kind, "source": source, "accepted": accepted, "duplicates": duplicates,
                        "refused": refused})
    return batch


# ------------------------------------------------------------------------------------------------ devices
def device_enterprise(actor, enterprise_id: int) -> Enterprise:
    ent = db.session.get(Enterprise, enterprise_id)
    if ent is None or not auth.can_manage_devices(actor, ent):
        raise NotFound(_("Not found."))
    return ent


def _clean(data: dict[str, Any], ent: Enterprise, *, stack: bool = False) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    line_id = data.get("line_id") or None
    if line_id is not None:
        line_id = stored_id(line_id)
        line = db.session.get(ProductionLine, line_id) if line_id is not None else None
        if line is None or line.enterprise_id != ent.id:
            errors["line_id"] = [_("Choose one of this enterprise's lines.")]
    out["line_id"] = line_id
    if stack:
        name = str(data.get("name") or "").strip()
        mn = str(data.get("mn") or "").strip().upper()
        if not name or len(name) > 120:
            errors["name"] = [_("This field is required.") if not name else _("At most 120 characters.")]
        if not mn or len(mn) > 24 or not mn.isalnum() or not mn.isascii():
            errors["mn"] = [_("The MN code is 1 to 24 letters or digits (HJ 212).")]
        out.update(name=name, mn=mn)
    else:
        code = str(data.get("code") or "").strip()
        if not code or len(code) > 40 or "|" in code:
            errors["code"] = [_("This field is required.") if not code else _("At most 40 characters, without |.")]
        role = data.get("role") or "production"
        if role not in METER_ROLES:
            errors["role"] = [_("Choose one of: %(allowed)s", allowed=", ".join(METER_ROLES))]
        try:
            interval = int(data.get("interval_minutes") or 15)
        except (TypeError, ValueError):
            interval = 0
        if interval not in INTERVALS:
            errors["interval_minutes"] = [_("Every 15 minutes or hourly (15 or 60).")]
        facility = str(data.get("facility") or "").strip()
        if len(facility) > 120:
            errors["facility"] = [_("At most 120 characters.")]
        out.update(code=code, role=role, interval_minutes=interval, facility=facility)
    if "active" in data:
        out["active"] = str(data.get("active")).lower() in ("1", "true", "yes", "on", "y")
    return out, errors


def register_meter(actor, enterprise_id: int, data: dict[str, Any]) -> Meter:
    ent = device_enterprise(actor, enterprise_id)
    values, errors = _clean(data, ent)
    if not errors and db.session.query(Meter.id).filter_by(enterprise_id=ent.id, code=values["code"]).first():
        errors["code"] = [_("This enterprise already has a meter with this code.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), errors)
    meter = Meter(enterprise_id=ent.id, **values)
    db.session.add(meter)
    db.session.flush()
    audit.record(actor, "readings.meter.create", meter, region_code=ent.region_code, root=ent,
                 after={k: getattr(meter, k) for k in ("code", "facility", "role", "interval_minutes", "line_id")})
    return meter


def update_meter(actor, meter_id: int, data: dict[str, Any]) -> Meter:
    meter = db.session.get(Meter, meter_id)
    if meter is None:
        raise NotFound(_("Not found."))
    ent = device_enterprise(actor, meter.enterprise_id)
    merged = {k: getattr(meter, k) for k in ("code", "facility", "role", "interval_minutes", "line_id", "active")}
    merged.update({k: v for k, v in data.items() if k in merged})
    values, errors = _clean(merged, ent)
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), errors)
    if values["code"] != meter.code and db.session.query(Meter.id).filter_by(enterprise_id=ent.id, code=values["code"]).first():
        raise ValidationFailed(_("Some fields are invalid."), {"code": [_("This enterprise already has a meter with this code.")]})
    before = {k: getattr(meter, k) for k in values}
    for k, v in values.items():
        setattr(meter, k, v)
    audit.record(actor, "readings.meter.update", meter, region_code=ent.region_code, root=ent, before=before,
                 after={k: getattr(meter, k) for k in values})
    return meter


def register_stack(actor, enterprise_id: int, data: dict[str, Any]) -> Stack:
    ent = device_enterprise(actor, enterprise_id)
    values, errors = _clean(data, ent, stack=True)
    if not errors and db.session.query(Stack.id).filter_by(mn=values["mn"]).first():
        errors["mn"] = [_("A stack with this MN code is already registered.")]
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), errors)
    stack = Stack(enterprise_id=ent.id, **values)
    db.session.add(stack)
    db.session.flush()
    audit.record(actor, "readings.stack.create", stack, region_code=ent.region_code, root=ent,
                 after={k: getattr(stack, k) for k in ("name", "mn", "line_id")})
    return stack


def batch_summary(batch: ReadingBatch) -> dict[str, Any]:
    return {c.key: getattr(batch, c.key) for c in batch.__table__.columns}


def describe_store(store: ReadingsStore | None = None) -> dict[str, Any]:
    """Partitions and files per kind (the admin's and the CLI's view of the store)."""
    store = store or current_store()
    out = {}
    for kind in KINDS:
        parts = list(store.partitions(kind))
        out[kind] = {"partitions": len(parts), "files": sum(len(list(d.glob('*.parquet'))) for _c, _d, d in parts),
                     "first_day": parts and min(d for _c, d, _p in parts).isoformat() or None,
                     "last_day": parts and max(d for _c, d, _p in parts).isoformat() or None}
    return out


def csv_bytes(table: pa.Table) -> bytes:
    import pyarrow.csv as pacsv

    buf = io.BytesIO()
    pacsv.write_csv(table, buf)
    return buf.getvalue()
