"""Evaluate documents → schedule entry rows, through the engine's batch path (grading.batch, through
registry/policy/engine.py, the engine's one door).

Pure: no database, no clock. The season is cut at the dates the pack names (an exemption
window opening on 1 January, a deadline); the whole frame is evaluated once per cut (the
batch path groups lines by fact profile, so a cut costs one batch evaluation). A line's
consecutive stretches with the same decision merge into one entry, so an exemption earned by
end-October status shows as "extend coking until 1 Jan, then none until 16 Mar" (002:595).
Approved applications replace the measure inside their window (an explicit official act,
recorded on the entry with its clause and residual obligations).
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Callable, Iterable

from registry.policy.engine import LineDecision, frame_from_documents, line_decisions_over, to_jsonable

Progress = Callable[[int, int], None]
SLOT = 10_000  # entry positions reserved per enterprise (lines × stretches)


def _decision_dict(d: LineDecision) -> dict[str, Any]:
    out = to_jsonable(d)
    out.pop("line_id", None)
    return out


def _clip(windows: list[dict], start: date, end: date) -> list[dict]:
    out = []
    for w in windows:
        s, e = max(date.fromisoformat(w["start"]), start), min(date.fromisoformat(w["end"]), end)
        if s < e:
            out.append({"start": s.isoformat(), "end": e.isoformat()})
    return out


def segments(docs: list[dict], pack_id: str, dates: list[date], end: date,
             progress: Progress | None = None) -> dict[tuple[str, str], list[tuple[date, date, dict]]]:
    """Per line, [(phase_start, phase_end, decision)] with equal neighbours merged.

    grading.batch.line_decisions_over groups the lines once into profiles uniform at every cut and decides each
    profile once per cut; stretches are merged per profile, and each distinct decision becomes ONE dict shared
    by every line and stretch that has it (a city has thousands of lines but a few hundred decisions)."""
    if not docs or not dates:
        return {}
    frame = frame_from_documents(docs)  # the facts do not depend on the date: one frame
    codes, per_date = line_decisions_over(frame, pack_id, list(dates), "none", workers=1)
    if progress:
        progress(len(docs), len(docs))
    canonical: dict[LineDecision, dict] = {}

    def as_dict(d: LineDecision) -> dict:
        out = canonical.get(d)
        if out is None:
            out = canonical[d] = _decision_dict(d)
        return out

    bounds = list(dates) + [end]
    by_profile: list[list[tuple[date, date, dict]]] = []
    for p in range(len(per_date[0])):
        runs: list[tuple[date, date, dict]] = []
        for i, decided in enumerate(per_date):
            dec = as_dict(decided[p])
            if runs and runs[-1][2] is dec:  # equal decisions share one dict
                runs[-1] = (runs[-1][0], bounds[i + 1], dec)
            else:
                runs.append((bounds[i], bounds[i + 1], dec))
        by_profile.append(runs)
    return {(eid, lid): by_profile[c] for eid, lid, c in
            zip(frame["enterprise_id"].to_numpy(), frame["line.line_id"].to_numpy(), codes)}


def _apply_application(runs: list[tuple[date, date, dict]], app: dict) -> list[tuple[date, date, dict]]:
    """Split the line's stretches at the approved window and replace the measure inside it."""
    ws, we = date.fromisoformat(app["start"]), date.fromisoformat(app["end"])
    out = []
    for s, e, dec in runs:
        for a, b, inside in ((s, min(e, ws), False), (max(s, ws), min(e, we), True), (max(s, we), e, False)):
            if a >= b:
                continue
            if not inside:
                out.append((a, b, dec))
                continue
            changed = dict(dec)
            if app["kind"] == "livelihood_max_load":
                changed.update(measure="max_load", percentage_min=app.get("max_load"), percentage_max=app.get("max_load"),
                               basis="production_load", coking_time_hours=None)
            else:
                changed.update(measure="none", percentage_min=None, percentage_max=None, basis=None, coking_time_hours=None)
            changed["windows"] = [{"start": a.isoformat(), "end": b.isoformat()}]
            changed["reasons"] = list(dec["reasons"]) + [{"rule": app["clause"], "source": app["clause"],
                                                           "note": f"approved application #{app['id']}"}]
            residual = list(dec["residual_obligations"])
            if app.get("residual"):
                residual.append({"rule": app["clause"], "source": app["clause"], "note": app["residual"]})
            changed["residual_obligations"] = residual
            changed["exemption"] = {"application_id": app["id"], "kind": app["kind"], "clause": app["clause"],
                                    "start": app["start"], "end": app["end"], "max_load": app.get("max_load"),
                                    "residual": app.get("residual", "")}
            out.append((a, b, changed))
    return out


RATIO_FLAG = "ratio_in_filed_plan"


def _with_filed_ratio(dec: dict, value: float, cache: dict) -> dict:
    """001:101: the district's filed plan gives the ratio; the official's choice entered it (FlagChoice.value)."""
    key = (id(dec), value)
    hit = cache.get(key)
    if hit is None:
        changed = dict(dec, percentage_min=value, percentage_max=value)
        changed["reasons"] = list(dec["reasons"]) + [{"rule": "D-08", "source": "001:101",
                                                       "note": f"ratio {value:g} % as the district filed it"}]
        hit = cache[key] = (changed, dec)  # the source dict is kept alive with its copy, so its id is not reused
    return hit[0]


def generate_entries(inputs: list[dict], pack_id: str, dates: list[date], end: date,
                     applications: Iterable[dict] = (), progress: Progress | None = None,
                     ratios: dict[str, dict[str, float]] | None = None) -> list[dict]:
    """Entry rows (plain dicts, ScheduleEntry's columns) for `inputs` = [{enterprise_id, uscc, region_code,
    document, position?}], in input order then line order; deterministic for equal inputs. `ratios`
    ({enterprise_id: {line_ref or "*": %}}) fill the curtailment of lines whose filed-plan flag was resolved."""
    docs = [dict(i["document"], enterprise=dict(i["document"]["enterprise"], enterprise_id=str(i["enterprise_id"])))
            for i in inputs]
    runs = segments(docs, pack_id, dates, end, progress)
    by_line: dict[tuple[str, str], list[dict]] = {}
    for app in sorted(applications, key=lambda a: a["id"]):
        by_line.setdefault((str(app["enterprise_id"]), app["line_ref"]), []).append(app)
    rows: list[dict] = []
    clipped: dict[tuple, tuple[list[dict], dict]] = {}
    with_ratio: dict[tuple, tuple[dict, dict]] = {}

    def clip(dec: dict, start: date, stop: date) -> list[dict]:
        key = (id(dec), start, stop)
        hit = clipped.get(key)
        if hit is None:  # the decision is kept alive with its clip, so its id is not reused
            hit = clipped[key] = (_clip(dec["windows"], start, stop), dec)
        return hit[0]

    for index, (item, doc) in enumerate(zip(inputs, docs)):
        ent = doc["enterprise"]
        # an enterprise owns the positions [p * SLOT, (p + 1) * SLOT): its entries can be replaced alone
        position = item.get("position", index) * SLOT
        for line in ent["lines"]:
            key = (ent["enterprise_id"], line["line_id"])
            line_runs = runs[key]
            for app in by_line.get(key, ()):
                line_runs = _apply_application(line_runs, app)
            mine = (ratios or {}).get(str(item["enterprise_id"])) or {}
            ratio = mine.get(line["line_id"], mine.get("*"))
            for start, stop, dec in line_runs:
                if ratio is not None and dec["measure"] == "curtail" and any(
                        a.get("flag") == RATIO_FLAG for a in dec["applied_decisions"]):
                    dec = _with_filed_ratio(dec, ratio, with_ratio)
                rows.append({
                    "position": position, "enterprise_id": item["enterprise_id"], "enterprise_name": ent.get("name", ""),
                    "uscc": item["uscc"], "region_code": item["region_code"], "sector": line.get("sector") or ent["sector"],
                    "line_ref": line["line_id"], "line_name": line.get("name", ""), "line_kind": line.get("kind", ""),
                    "capacity": line.get("capacity"), "capacity_unit": line.get("capacity_unit", ""),
                    "phase_start": start, "phase_end": stop, "measure": dec["measure"],
                    "percentage_min": dec["percentage_min"], "percentage_max": dec["percentage_max"],
                    "basis": dec["basis"], "coking_time_hours": dec["coking_time_hours"],
                    "windows": clip(dec, start, stop), "reasons": dec["reasons"], "flags": dec["flags"],
                    "applied_decisions": dec["applied_decisions"], "residual_obligations": dec["residual_obligations"],
                    "exemption": dec.get("exemption"),
                })
                position += 1
    return rows


def comparable(row: dict) -> str:
    """A row as canonical JSON without storage details, to prove two generations equal."""
    keep = {k: v for k, v in row.items() if k not in ("id", "version_id", "position")}
    for k in ("percentage_min", "percentage_max", "coking_time_hours", "capacity"):
        if keep.get(k) is not None:
            keep[k] = float(keep[k])
    return json.dumps(keep, sort_keys=True, ensure_ascii=False, default=str)
