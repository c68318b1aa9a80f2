"""What an import would do against the registry: who may change which row, references, duplicates, create/update/unchanged.

It reads the stored rows that the file names (enterprises by USCC, their lines, equipment,
emissions and permits) in a few chunked queries, then works column-wise with pandas: the
actor's permission as a mask, references as joins, changes as a null-aware comparison of
canonical values. Nothing is written here (writer.py does that).

Who may import what (issue 8 §4):
- the CLI's system actor (`flask import` on the server without --as): everything;
- the administrators of the web (admin, security_admin, audit_admin): nothing — they have no
  business rights (等保 三员分立, issue 13 M9); every row is reported;
- officials (county, city, province): enterprises whose region is in their scope — new ones
  and ones that have been submitted at least once (a never-submitted draft belongs to its
  enterprise alone); rows outside the scope are reported, not written;
- enterprise accounts: only their own enterprise's row, lines, equipment and permits, and
  only while the registration is editable (draft or returned), as on the pages. They cannot
  create enterprises by import (registration is one form, with its own checks).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import select

from registry.accounts.models import Role
from registry.accounts.scopes import scope_prefix
from registry.core import dictionary as dd
from registry.enterprises import plausibility
from registry.enterprises.auth import EDITABLE
from registry.enterprises.bulk import POLLUTANTS
from registry.exchange.validator import CleanBook, CleanSheet, ProblemLog, canonical, equal
from registry.extensions import db

CHUNK = 5000
EMISSION_COLUMNS = {"status": "status", "reached_on": "reached_on", "concentration": "concentration", "limit": "limit_value"}


@dataclass
class SheetPlan:
    key: str
    create: pd.DataFrame                       # full values of rows to insert (index: Excel row)
    update: pd.DataFrame                       # merged values + "_id" of rows that change
    unchanged: int
    changed: pd.DataFrame | None = None        # bool per updated row and field (for the audit log)
    before: pd.DataFrame | None = None         # stored values of the updated rows


@dataclass
class ImportPlan:
    sheets: dict[str, SheetPlan] = field(default_factory=dict)
    enterprise_ids: dict[str, int] = field(default_factory=dict)      # uscc → id (stored)
    enterprise_regions: dict[str, str] = field(default_factory=dict)  # uscc → region (file wins)
    line_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    emission_fields: list[str] = field(default_factory=list)         # emission columns present in the file


# ---- reading what is stored ----

def _share_texts(frame: pd.DataFrame, memo: dict[str, dict]) -> pd.DataFrame:
    """Equal stored texts become one object (issue 18 item 2: re-import peak memory). The DBAPI gives every
    text cell its own str — a province's 300,000 lines repeat the same codes, units, USCCs and vocabulary
    codes — so each column of text (and None) is factorised and rebuilt from one object per distinct value;
    `memo` (per column) carries the shared objects across the chunks of one query. Values are unchanged
    (same text, None stays None); columns holding anything else are left as they are."""
    for name in frame.columns:
        col = frame[name]
        if col.dtype != object or pd.api.types.infer_dtype(col, skipna=True) != "string":
            continue
        codes, uniques = pd.factorize(col.to_numpy(dtype=object))
        seen = memo.setdefault(name, {})
        table = np.empty(len(uniques) + 1, dtype=object)   # the last slot is None for code -1 (null)
        table[:-1] = [seen.setdefault(u, u) for u in uniques]
        frame[name] = pd.Series(table[codes], index=frame.index, dtype=object)
    return frame


def _select_in(columns, key_column, values) -> pd.DataFrame:
    values = [v for v in pd.unique(pd.Series(list(values), dtype=object)) if v is not None and v == v]
    names = [c.key for c in columns]
    frames = []
    memo: dict[str, dict] = {}
    for i in range(0, len(values), CHUNK):
        rows = fetch_raw(select(*columns).where(key_column.in_(values[i:i + CHUNK])))
        if rows:
            frames.append(_share_texts(pd.DataFrame.from_records(rows, columns=names), memo))
        del rows
    if not frames:
        return pd.DataFrame({n: pd.Series(dtype=object) for n in names})
    return pd.concat(frames, ignore_index=True)


def fetch_raw(stmt) -> list[tuple]:
    """Rows straight from the DBAPI cursor: no per-value result processing (SQLite dates stay ISO text,
    numerics stay floats); canonical() turns whole columns into the validator's types afterwards."""
    result = db.session.connection().execute(stmt)
    return result.cursor.fetchall() if result.cursor is not None else []


def _table(name: str):
    return db.metadata.tables[name]


def _canonical_frame(spec: dd.Sheet, stored: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=stored.index)
    for f in spec.fields:
        if f.key in stored.columns:
            out[f.key] = canonical(f, stored[f.key])
    return out


def load_stored(book: CleanBook) -> dict[str, pd.DataFrame]:
    """The stored rows the file refers to, canonical, keyed like the sheets."""
    ent = _table("enterprise")
    usccs: set = set()
    for s in book.sheets.values():
        if "uscc" in s.frame.columns:
            usccs.update(s.frame["uscc"].dropna().tolist())
    numbers = book.sheets["permits"].frame["number"].tolist() if "permits" in book.sheets and "number" in book.sheets["permits"].frame else []

    e_spec = dd.ENTERPRISES
    e_cols = [ent.c.id, ent.c.status, ent.c.submitted_at] + [ent.c[f.key] for f in e_spec.fields]
    enterprises = _select_in(e_cols, ent.c.uscc, usccs)
    e_canon = _canonical_frame(e_spec, enterprises)
    for extra in ("id", "status", "submitted_at"):
        e_canon[extra] = enterprises[extra]

    ids = enterprises["id"].tolist()
    id_to_uscc = dict(zip(enterprises["id"], enterprises["uscc"]))

    line = _table("production_line")
    l_fields = [f for f in dd.LINES.fields if f.column.startswith("production_line.") and f.key != "uscc"]
    lines = _select_in([line.c.id, line.c.enterprise_id] + [line.c[f.column.split(".")[1]] for f in l_fields],
                       line.c.enterprise_id, ids)
    lines = lines.rename(columns={f.column.split(".")[1]: f.key for f in l_fields})
    l_canon = _canonical_frame(dd.LINES, lines)
    l_canon["id"], l_canon["enterprise_id"] = lines["id"], lines["enterprise_id"]
    l_canon["uscc"] = lines["enterprise_id"].map(id_to_uscc)

    em = _table("line_emission")
    emissions = _select_in([em.c.line_id, em.c.pollutant, em.c.status, em.c.reached_on, em.c.concentration, em.c.limit_value],
                           em.c.line_id, lines["id"].tolist())
    for p in POLLUTANTS:
        sub = emissions[emissions["pollutant"] == p].set_index("line_id")
        for suffix, column in EMISSION_COLUMNS.items():
            f = dd.LINES.field(f"{p}_{suffix}")
            values = lines["id"].map(sub[column]) if len(sub) else pd.Series([None] * len(lines), index=lines.index)
            l_canon[f.key] = canonical(f, values)

    eq = _table("equipment")
    q_fields = [f for f in dd.EQUIPMENT.fields if f.column.startswith("equipment.")]
    equipment = _select_in([eq.c.id, eq.c.line_id] + [eq.c[f.column.split(".")[1]] for f in q_fields], eq.c.line_id, lines["id"].tolist())
    q_canon = _canonical_frame(dd.EQUIPMENT, equipment)
    line_key = lines.set_index("id")
    q_canon["id"], q_canon["line_id"] = equipment["id"], equipment["line_id"]
    q_canon["line_code"] = equipment["line_id"].map(line_key["code"]) if len(line_key) else None
    q_canon["uscc"] = equipment["line_id"].map(line_key["enterprise_id"]).map(id_to_uscc) if len(line_key) else None

    pm = _table("permit")
    p_fields = [f for f in dd.PERMITS.fields if f.column.startswith("permit.")]
    p_cols = [pm.c.id, pm.c.enterprise_id] + [pm.c[f.column.split(".")[1]] for f in p_fields]
    by_number = _select_in(p_cols, pm.c.number, numbers)
    by_holder = _select_in(p_cols, pm.c.enterprise_id, ids)
    permits = pd.concat([by_number, by_holder], ignore_index=True).drop_duplicates("id")
    p_canon = _canonical_frame(dd.PERMITS, permits)
    p_canon["id"], p_canon["enterprise_id"] = permits["id"], permits["enterprise_id"]
    holders = _select_in([ent.c.id, ent.c.uscc], ent.c.id, permits["enterprise_id"].tolist())
    p_canon["uscc"] = permits["enterprise_id"].map(dict(zip(holders["id"], holders["uscc"])))
    return {"enterprises": e_canon, "lines": l_canon, "equipment": q_canon, "permits": p_canon}


# ---- permissions ----

def _actor_kind(actor) -> str:
    if getattr(actor, "is_system", False):
        return "admin"  # the server's shell (flask import without --as); web administrators have no business rights
    if actor.role in (Role.ADMIN.value, Role.SECURITY_ADMIN.value, Role.AUDIT_ADMIN.value):
        return "none"
    if actor.role == Role.ENTERPRISE.value:
        return "enterprise"
    return "official"


def _in_scope(actor, regions: pd.Series) -> pd.Series:
    prefix = scope_prefix(actor)
    if prefix is None:
        return pd.Series(True, index=regions.index)
    return regions.fillna("").astype(str).str.startswith(prefix)


def _stored_changeable(actor, stored: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(may see, may change) per stored enterprise, as the pages decide it."""
    kind = _actor_kind(actor)
    if kind == "admin":
        t = pd.Series(True, index=stored.index)
        return t, t
    if kind == "enterprise":
        own = stored["id"].eq(actor.enterprise_id or -1)
        return own, own & stored["status"].isin(EDITABLE)
    visible = _in_scope(actor, stored["region_code"]) & stored["submitted_at"].notna()
    return visible, visible


# ---- the plan ----

def build_plan(actor, book: CleanBook, log: ProblemLog, today: date) -> ImportPlan:
    stored = load_stored(book)
    plan = ImportPlan()
    ents = _plan_enterprises(actor, book, stored, log, plan)
    context = _enterprise_context(actor, book, stored, ents)
    _row_findings(book, log, today)  # before planning: a blocking contradiction keeps its row out
    if "lines" in book.sheets:
        _plan_lines(book.sheets["lines"], stored, context, log, plan)
    if "equipment" in book.sheets:
        _plan_equipment(book.sheets["equipment"], stored, context, book, log, plan)
    if "permits" in book.sheets:
        _plan_permits(book.sheets["permits"], stored, context, log, plan)
    _plausibility(book, stored, context, log, today)
    plan.enterprise_ids = dict(zip(stored["enterprises"]["uscc"], stored["enterprises"]["id"]))
    return plan


def _plan_enterprises(actor, book: CleanBook, stored, log: ProblemLog, plan: ImportPlan) -> pd.DataFrame | None:
    if "enterprises" not in book.sheets:
        return None
    sheet = book.sheets["enterprises"]
    frame = sheet.frame
    if "uscc" not in frame.columns:
        return None
    st = stored["enterprises"].set_index("uscc", drop=False)
    visible, changeable = _stored_changeable(actor, st)
    exists = frame["uscc"].isin(st.index)
    kind = _actor_kind(actor)
    raw = sheet.raw
    region = frame["region_code"] if "region_code" in frame.columns else pd.Series("", index=frame.index)

    new = ~exists
    if kind == "none":
        log.add(raw, frame.index, "uscc", _("Administrators have no business rights: they cannot import enterprise records."))
    elif kind == "enterprise":
        rows = new[new].index
        log.add(raw, rows, "uscc", _("Enterprise accounts cannot register enterprises by import; use the registration page."))
    elif kind == "official":
        out = new & ~_in_scope(actor, region) & region.ne("")
        log.add(raw, out[out].index, "region_code", _("This region is outside your scope; the row was not imported."))
    old = frame.loc[exists, "uscc"]
    if len(old):
        seen = old.map(visible)
        may = old.map(changeable)
        if kind == "enterprise":
            other = ~old.map(st["id"]).eq(actor.enterprise_id or -1)
            log.add(raw, other[other].index, "uscc", _("Enterprise accounts can import only their own enterprise's records."))
            locked = ~other & ~may
            log.add(raw, locked[locked].index, "uscc",
                    _("This registration cannot be changed while it is submitted or approved; reopen it first."))
        else:
            hidden = ~seen
            if kind == "official":
                # issue 13 M7: a code held by a draft its account never submitted is a conflict the official can
                # resolve — say so, and where (the code conflicts page), instead of a bare refusal
                squatted = hidden & old.map(st["submitted_at"]).isna() & ~old.str.startswith("RELEASED")
                log.add(raw, squatted[squatted].index, "uscc",
                        _("This code is held by a registration its account never submitted. An official of the code's "
                          "region can look the code up and release the draft on the page Enterprises → Conflicts over "
                          "unified social credit codes (/enterprises/conflicts); then run the import again."))
                hidden = hidden & ~squatted
            log.add(raw, hidden[hidden].index, "uscc",
                    _("This enterprise is already registered outside your scope, or has not been submitted by the enterprise yet; "
                      "you cannot change it."))
            if kind == "official" and "region_code" in frame.columns:
                moved = seen & ~_in_scope(actor, region.loc[old.index])
                log.add(raw, moved[moved].index, "region_code", _("This region is outside your scope; the row was not imported."))
    plan.sheets["enterprises"] = _diff(sheet, st, ["uscc"], log)
    return frame


def _enterprise_context(actor, book: CleanBook, stored, ents: pd.DataFrame | None) -> pd.DataFrame:
    """Per USCC: region, sector, whether the actor may change its children, where it comes from."""
    st = stored["enterprises"]
    _seen, may = _stored_changeable(actor, st)
    ctx = pd.DataFrame({
        "uscc": st["uscc"], "region_code": st["region_code"], "sector": st["sector"],
        "allowed": may.values, "visible": _seen.values, "in_file": False, "id": st["id"],
    })
    if ents is not None and len(ents):
        f = ents.drop_duplicates("uscc")
        file_ctx = pd.DataFrame({
            "uscc": f["uscc"],
            "region_code": f["region_code"] if "region_code" in f else None,
            "sector": f["sector"] if "sector" in f else None,
            "allowed": True,   # the enterprise row itself carries any permission error
            "visible": True,
            "in_file": True,
        })
        file_ctx["id"] = file_ctx["uscc"].map(dict(zip(st["uscc"], st["id"])))
        ctx = pd.concat([file_ctx, ctx[~ctx["uscc"].isin(f["uscc"])]], ignore_index=True)
    return ctx.set_index("uscc", drop=False)


def _check_holder(sheet: CleanSheet, context: pd.DataFrame, log: ProblemLog) -> pd.Series:
    """Rows whose enterprise (by USCC) exists for the actor and may be changed by them."""
    usccs = sheet.frame["uscc"]
    known = usccs.isin(context.index[context["visible"]])
    missing = ~known & usccs.ne("")
    log.add(sheet.raw, missing[missing].index, "uscc",
            _("No enterprise with this USCC on the Enterprises sheet or in the registry within your scope."))
    locked = known & ~usccs.map(context["allowed"]).astype("boolean").fillna(False).astype(bool)
    log.add(sheet.raw, locked[locked].index, "uscc",
            _("You may not change this enterprise's records (enterprise accounts: only their own, while draft or returned)."))
    return known & ~locked


def _plan_lines(sheet: CleanSheet, stored, context, log: ProblemLog, plan: ImportPlan) -> None:
    if not {"uscc", "code"} <= set(sheet.frame.columns):
        return
    _check_holder(sheet, context, log)
    st = stored["lines"]
    plan.sheets["lines"] = _diff(sheet, st.set_index(["uscc", "code"], drop=False), ["uscc", "code"], log)
    plan.emission_fields = [k for k in sheet.present if dd.LINES.field(k).pollutant]


def _plan_equipment(sheet: CleanSheet, stored, context, book: CleanBook, log: ProblemLog, plan: ImportPlan) -> None:
    if not {"uscc", "line_code", "name"} <= set(sheet.frame.columns):
        return
    ok = _check_holder(sheet, context, log)
    known_lines = set(zip(stored["lines"]["uscc"], stored["lines"]["code"]))
    if "lines" in book.sheets and {"uscc", "code"} <= set(book.sheets["lines"].frame.columns):
        lf = book.sheets["lines"].frame
        known_lines |= set(zip(lf["uscc"], lf["code"]))
    pairs = pd.Series(list(zip(sheet.frame["uscc"], sheet.frame["line_code"])), index=sheet.frame.index, dtype=object)
    no_line = ok & ~pairs.isin(known_lines) & sheet.frame["line_code"].ne("")
    log.add(sheet.raw, no_line[no_line].index, "line_code",
            _("No production line with this code for this enterprise on the Lines sheet or in the registry."))
    st = stored["equipment"].drop_duplicates(["uscc", "line_code", "name"])
    plan.sheets["equipment"] = _diff(sheet, st.set_index(["uscc", "line_code", "name"], drop=False),
                                     ["uscc", "line_code", "name"], log)


def _plan_permits(sheet: CleanSheet, stored, context, log: ProblemLog, plan: ImportPlan) -> None:
    if not {"uscc", "number"} <= set(sheet.frame.columns):
        return
    _check_holder(sheet, context, log)
    st = stored["permits"].set_index("number", drop=False)
    holder = sheet.frame["number"].map(st["uscc"])
    moved = holder.notna() & holder.ne(sheet.frame["uscc"])
    log.add(sheet.raw, moved[moved].index, "number", _("This permit number is registered to another enterprise."))
    plan.sheets["permits"] = _diff(sheet, st, ["number"], log)


def _diff(sheet: CleanSheet, stored: pd.DataFrame, keys: list[str], log: ProblemLog) -> SheetPlan:
    """Split the sheet's error-free rows into create / update (merged with what is stored) / unchanged."""
    spec = sheet.spec
    frame = sheet.frame
    bad = log.bad_rows(sheet.key)
    frame = frame[~frame.index.isin(bad)] if bad else frame
    key_index = pd.MultiIndex.from_frame(frame[keys]) if len(keys) > 1 else pd.Index(frame[keys[0]])
    stored = stored[~stored.index.duplicated(keep="first")]
    exists = key_index.isin(stored.index)
    # rows to create keep only the file's columns (writer.records fills the others with defaults): no copy
    # of a 300,000-row sheet when every row is new
    creates = frame if not exists.any() else frame[~exists]

    existing_rows = frame[exists]
    if not len(existing_rows):
        return SheetPlan(sheet.key, creates, pd.DataFrame(columns=[f.key for f in spec.fields] + ["_id"]), 0)
    # column by column (issue 18 item 2): a re-import of a province compares 300,000 stored lines, and copies
    # of the whole stored frame (before, merged) for every existing row peaked at ~450 MiB; only the rows that
    # change are copied, after the comparison
    pos = stored.index.get_indexer(key_index[exists])
    rows = existing_rows.index
    changed = pd.DataFrame(False, index=rows, columns=[f.key for f in spec.fields])
    for f in spec.fields:
        if f.key in sheet.present and f.key in stored.columns:
            b = stored[f.key].take(pos)
            b.index = rows
            changed[f.key] = ~equal(f, existing_rows[f.key], b)
            del b
    any_change = changed.any(axis=1)
    mask = any_change.to_numpy()
    before = stored.take(pos[mask])
    before.index = rows[mask]
    merged = before[[f.key for f in spec.fields if f.key in before.columns]].copy()
    for f in spec.fields:
        if f.key in sheet.present and f.key in merged.columns:
            merged[f.key] = existing_rows.loc[mask, f.key]
    updates = merged
    updates["_id"] = before["id"].astype("int64") if len(updates) else pd.Series(dtype="int64")
    if "line_id" in before.columns:
        updates["_line_id"] = before["line_id"]
    return SheetPlan(sheet.key, creates, updates, int((~any_change).sum()), changed[mask], before)


def _row_findings(book: CleanBook, log: ProblemLog, today: date) -> None:
    """The registration's own row checks (plausibility.line_findings / permit_findings), row by row: a blocking
    one is an error that keeps the row out, a warning is reported and the row written."""
    checks = (("lines", plausibility.LINE_KEYS, lambda r: plausibility.line_findings(r)),
              ("permits", plausibility.PERMIT_KEYS, lambda r: plausibility.permit_findings(r, r.get("uscc"), today)))
    for key, keys, check in checks:
        sheet = book.sheets.get(key)
        if sheet is None or not len(sheet.frame):
            continue
        cols = [c for c in keys if c in sheet.frame.columns]
        found: dict[tuple[str, str, bool], list] = {}
        for row, values in zip(sheet.frame.index, sheet.frame[cols].to_dict("records")):
            for f in check(values):
                found.setdefault((f.field, f.message, f.blocking), []).append(row)
        for (fkey, message, blocking), rows in found.items():
            log.add(sheet.raw, pd.Index(rows), fkey, message, "error" if blocking else "warning")


def _plausibility(book: CleanBook, stored, context: pd.DataFrame, log: ProblemLog, today: date) -> None:
    ts = pd.Timestamp(today)
    sectors = context["sector"]
    permits_file = book.sheets.get("permits")
    in_force_usccs: set = set()
    st_p = stored["permits"]
    if len(st_p):
        ok = plausibility.permit_in_force(st_p["status"], st_p["valid_until"], ts)
        in_force_usccs |= set(st_p.loc[ok, "uscc"])
    if permits_file is not None and {"uscc", "number"} <= set(permits_file.frame.columns):
        pf = permits_file.frame
        status = pf["status"] if "status" in pf else pd.Series("issued", index=pf.index)
        valid_until = pf["valid_until"] if "valid_until" in pf else pd.Series(pd.NaT, index=pf.index)
        ok = plausibility.permit_in_force(status, valid_until, ts)
        in_force_usccs |= set(pf.loc[ok, "uscc"])
        # an issued permit past its validity is reported by _row_findings (plausibility.permit_findings)
        if "industry" in pf:
            mismatch = plausibility.industry_mismatch(pf["industry"], pf["uscc"].map(sectors))
            log.add(permits_file.raw, mismatch[mismatch].index, "industry",
                    _("The permit's industry does not look like the enterprise's sector; check both."), "warning")
    lines = book.sheets.get("lines")
    if lines is not None and {"uscc", "capacity"} <= set(lines.frame.columns):
        lf = lines.frame
        no_permit = lf["capacity"].gt(0) & ~lf["uscc"].isin(in_force_usccs) & lf["uscc"].isin(context.index)
        log.add(lines.raw, no_permit[no_permit].index, "capacity",
                _("This line has a capacity but its enterprise holds no permit in force (in the file or the registry)."),
                "warning")
