"""Reading the actor's enterprises, lines, equipment and permits into dictionary-shaped frames for export.

Scope comes from enterprises.queries.visible_enterprises, the same function every list uses,
so an export never shows more than the pages do. Values are read with SQLAlchemy Core in a
few set-based queries and put into the validator's canonical form, which is what the importer
compares against — hence export → import reports every row unchanged.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from registry.core import dictionary as dd
from registry.enterprises.queries import visible_enterprises
from registry.exchange.plan import EMISSION_COLUMNS, POLLUTANTS, fetch_raw
from registry.exchange.validator import canonical
from registry.extensions import db

KINDS = ("enterprises", "lines", "equipment", "permits")


def _frame(stmt, names: list[str]) -> pd.DataFrame:
    rows = fetch_raw(stmt)
    return pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame({n: pd.Series(dtype=object) for n in names})


def _canon(spec: dd.Sheet, frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for f in spec.fields:
        if f.key in frame.columns:
            out[f.key] = canonical(f, frame[f.key])
    return out


def export_frames(actor, kinds: tuple[str, ...] = KINDS) -> dict[str, pd.DataFrame]:
    t = db.metadata.tables
    ent, line, eq, em, pm = t["enterprise"], t["production_line"], t["equipment"], t["line_emission"], t["permit"]
    visible = visible_enterprises(actor).with_only_columns(ent.c.id).scalar_subquery()
    ids = select(ent.c.id).where(ent.c.id.in_(visible))
    out: dict[str, pd.DataFrame] = {}
    if "enterprises" in kinds:
        cols = [ent.c[f.key] for f in dd.ENTERPRISES.fields]
        out["enterprises"] = _canon(dd.ENTERPRISES, _frame(select(*cols).where(ent.c.id.in_(ids)).order_by(ent.c.uscc),
                                                        [f.key for f in dd.ENTERPRISES.fields]))
    if "lines" in kinds:
        fields = [f for f in dd.LINES.fields if f.column.startswith("production_line.")]
        names = ["id", "uscc"] + [f.key for f in fields]
        lines = _frame(select(line.c.id, ent.c.uscc, *[line.c[f.key] for f in fields]).join(ent, ent.c.id == line.c.enterprise_id)
                       .where(ent.c.id.in_(ids)).order_by(ent.c.uscc, line.c.code), names)
        emissions = _frame(select(em.c.line_id, em.c.pollutant, em.c.status, em.c.reached_on, em.c.concentration, em.c.limit_value)
                           .join(line, line.c.id == em.c.line_id).where(line.c.enterprise_id.in_(ids)),
                           ["line_id", "pollutant", "status", "reached_on", "concentration", "limit_value"])
        for p in POLLUTANTS:
            sub = emissions[emissions["pollutant"] == p].set_index("line_id")
            for suffix, column in EMISSION_COLUMNS.items():
                lines[f"{p}_{suffix}"] = lines["id"].map(sub[column]) if len(sub) else None
        out["lines"] = _canon(dd.LINES, lines)
    if "equipment" in kinds:
        fields = [f for f in dd.EQUIPMENT.fields if f.column.startswith("equipment.")]
        names = ["uscc", "line_code"] + [f.key for f in fields]
        out["equipment"] = _canon(dd.EQUIPMENT, _frame(
            select(ent.c.uscc, line.c.code, *[eq.c[f.key] for f in fields])
            .join(line, line.c.id == eq.c.line_id).join(ent, ent.c.id == line.c.enterprise_id)
            .where(ent.c.id.in_(ids)).order_by(ent.c.uscc, line.c.code, eq.c.id), names))
    if "permits" in kinds:
        fields = [f for f in dd.PERMITS.fields if f.column.startswith("permit.")]
        names = ["uscc"] + [f.key for f in fields]
        out["permits"] = _canon(dd.PERMITS, _frame(
            select(ent.c.uscc, *[pm.c[f.key] for f in fields]).join(ent, ent.c.id == pm.c.enterprise_id)
            .where(ent.c.id.in_(ids)).order_by(pm.c.number), names))
    return out


# ---- the streamed export (issue 18 item 2): rows in chunks, straight from the cursor into the sheet XML ----

CHUNK = 10_000


def stream_raw(stmt, size: int | None = None):
    """The rows of `stmt` straight from the DBAPI cursor (no per-value result processing, as plan.fetch_raw),
    `size` at a time: SQLite steps its cursor as rows are fetched; on PostgreSQL a named (server-side) cursor
    keeps the result on the server, so neither side ever holds a whole sheet."""
    size = size or CHUNK
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        cursor = conn.execute(stmt).cursor
        while rows := cursor.fetchmany(size):
            yield rows
        return
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    with conn.connection.dbapi_connection.cursor(name=f"lantian_export_{id(stmt):x}") as cursor:
        cursor.execute(str(compiled), compiled.params)
        while rows := cursor.fetchmany(size):
            yield rows


def export_sources(actor, kinds: tuple[str, ...] = KINDS) -> dict[str, tuple[list[str], object]]:
    """Per sheet: (the field keys of the row tuples, an iterator of row chunks) — the same rows, in the same
    order and with the same raw values as export_frames reads, without holding any sheet whole."""
    t = db.metadata.tables
    ent, line, eq, em, pm = t["enterprise"], t["production_line"], t["equipment"], t["line_emission"], t["permit"]
    visible = visible_enterprises(actor).with_only_columns(ent.c.id).scalar_subquery()
    out: dict[str, tuple[list[str], object]] = {}
    if "enterprises" in kinds:
        names = [f.key for f in dd.ENTERPRISES.fields]
        order = [ent.c.uscc]
        out["enterprises"] = (names, stream_raw(select(*[ent.c[k] for k in names]).where(ent.c.id.in_(visible))
                                                .order_by(*order)))
    if "lines" in kinds:
        fields = [f for f in dd.LINES.fields if f.column.startswith("production_line.")]
        names = ["uscc"] + [f.key for f in fields]
        cols = [ent.c.uscc] + [line.c[f.key] for f in fields]
        body = select().select_from(line.join(ent, ent.c.id == line.c.enterprise_id))
        for p in POLLUTANTS:  # one outer join per pollutant: (line, pollutant) is unique (uq_line_emission_pollutant)
            e = em.alias(f"em_{p}")
            body = body.outerjoin(e, (e.c.line_id == line.c.id) & (e.c.pollutant == p))
            for suffix, column in EMISSION_COLUMNS.items():
                names.append(f"{p}_{suffix}")
                cols.append(e.c[column])
        order = [ent.c.uscc, line.c.code]
        out["lines"] = (names, stream_raw(body.add_columns(*cols).where(ent.c.id.in_(visible)).order_by(*order)))
    if "equipment" in kinds:
        fields = [f for f in dd.EQUIPMENT.fields if f.column.startswith("equipment.")]
        names = ["uscc", "line_code"] + [f.key for f in fields]
        order = [ent.c.uscc, line.c.code, eq.c.id]
        joined = eq.join(line, line.c.id == eq.c.line_id).join(ent, ent.c.id == line.c.enterprise_id)
        out["equipment"] = (names, stream_raw(select(ent.c.uscc, line.c.code, *[eq.c[f.key] for f in fields])
                                              .select_from(joined).where(ent.c.id.in_(visible)).order_by(*order)))
    if "permits" in kinds:
        fields = [f for f in dd.PERMITS.fields if f.column.startswith("permit.")]
        names = ["uscc"] + [f.key for f in fields]
        order = [pm.c.number]
        joined = pm.join(ent, ent.c.id == pm.c.enterprise_id)
        out["permits"] = (names, stream_raw(select(ent.c.uscc, *[pm.c[f.key] for f in fields]).select_from(joined)
                                            .where(ent.c.id.in_(visible)).order_by(*order)))
    return out
