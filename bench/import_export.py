"""Benchmark of the Excel import and export (issue 8) on a synthetic province, against a floor measured in the same run.

    .venv/bin/python bench/import_export.py [--scale 1.0] [--seed 8] [--db sqlite|postgresql|both] [--pg-url URL]

Scale 1.0 is a province: 60,000 enterprises, 300,000 production lines (with per-pollutant
emission status), 150,000 pieces of equipment and 60,000 permits, in one xlsx written by the
exporter's own writer (so the file looks like what users download). For each database:

- floor  = calamine read of the same file through pandas (`pd.read_excel(engine="calamine")`)
           + SQLAlchemy Core executemany of the same rows into the same tables (rolled back);
- import = `flask import` (exchange.operations.import_workbook): read, validate every cell,
           plan against the registry, write in one transaction, audit — timed end to end;
- re-import of the same file (every row unchanged, nothing written), and the export of
  everything back to xlsx.

`--export-only URL` times just the export of an already imported database: its floor (Core read of every
row of the five tables + deflating the export's own sheet XML), the streamed export twice, and the former
export (every sheet read whole into canonical frames, then written) once, for comparison.

Times are CPU seconds (time.process_time) of each step's own process, wall seconds beside them: the
machine is shared, so wall time says more about the neighbours than about the code.

Each step runs in its own process so its peak memory (ru_maxrss) is its own. Results are
printed as a Markdown table with the ratios import / floor (target ≤ 3) and export / its floor
(target ≤ 2, issue 18 item 2), the peaks (import and re-import ≤ 1.5 GiB, export ≤ 1 GiB) and machine info.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FULL = {"enterprises": 60_000, "lines": 300_000, "equipment": 150_000, "permits": 60_000}


# ---- the synthetic province ----

def generate(path: Path, scale: float, seed: int) -> dict[str, int]:
    import numpy as np
    import pandas as pd
    from stdnum.cn import uscc as stdnum_uscc

    from grading.vocab import EmissionStatus, Fuel, LineKind, Sector
    from registry.core import dictionary as dd
    from registry.core.regions import read_table
    from registry.exchange.workbook import write_xlsx

    rng = np.random.default_rng(seed)
    n_e = max(1, int(FULL["enterprises"] * scale))
    n_l = max(1, int(FULL["lines"] * scale))
    n_q = max(1, int(FULL["equipment"] * scale))
    n_p = max(1, int(FULL["permits"] * scale))
    counties = [r["code"] for r in read_table() if r["level"] == "county" and r["code"].startswith("13")]
    region = np.asarray(counties)[rng.integers(0, len(counties), n_e)]
    bodies = [f"91{r}MA{i:07X}"[:17].replace("I", "J").replace("O", "P").replace("S", "T").replace("V", "W").replace("Z", "Y")
              for i, r in zip(range(n_e), region)]
    usccs = [b + stdnum_uscc.calc_check_digit(b) for b in bodies]
    sectors = np.asarray(Sector.codes())[rng.integers(0, len(Sector.codes()), n_e)]
    ent = pd.DataFrame({
        "uscc": usccs, "name": [f"合成企业{i:06d}有限公司" for i in range(n_e)], "region_code": region,
        "township": "示例镇", "address": [f"示例路{i}号" for i in range(n_e)], "sector": sectors, "sub_type": "none",
        "in_key_area": rng.random(n_e) < 0.3, "in_built_up_area": rng.random(n_e) < 0.1,
        "stably_compliant": rng.random(n_e) < 0.95, "scattered_class": "none",
        "fugitive_control_done_on": pd.to_datetime("2018-01-01") + pd.to_timedelta(rng.integers(0, 700, n_e), unit="D"),
        "capacity_utilisation_2018": np.round(rng.uniform(40, 120, n_e), 2),
        "heavy_diesel_vehicles": rng.integers(0, 200, n_e), "rail_share": np.round(rng.uniform(0, 100, n_e), 2),
        "contact_person": "张三", "contact_phone": "0311-1234567", "contact_email": "",
    })
    owner = rng.integers(0, n_e, n_l)
    owner[:n_e if n_l >= n_e else n_l] = np.arange(min(n_e, n_l))  # every enterprise has a line
    order = np.argsort(owner, kind="stable")
    owner = owner[order]
    seq = pd.Series(owner).groupby(owner).cumcount().to_numpy() + 1
    kinds, fuels, statuses = LineKind.codes(), Fuel.codes(), EmissionStatus.codes()
    lines = pd.DataFrame({
        "uscc": np.asarray(usccs)[owner], "code": [f"L{k:02d}" for k in seq], "name": [f"{k}号生产线" for k in seq],
        "sector": sectors[owner], "sub_type": "none",
        "kind": np.asarray(kinds)[rng.integers(0, len(kinds), n_l)], "fuel": np.asarray(fuels)[rng.integers(0, len(fuels), n_l)],
        "capacity": np.round(rng.uniform(1, 500, n_l), 3), "capacity_unit": "10kt/a",
        "stack_height_m": np.round(rng.uniform(15, 120, n_l), 2), "has_cems": rng.random(n_l) < 0.6,
        "cems_transmission_rate": np.round(rng.uniform(80, 100, n_l), 2),
        "daily_emission_so2_kg": np.round(rng.uniform(0, 900, n_l), 3),
    })
    # kinds and fuels drawn apart make impossible pairs (a cupola on electricity) the importer refuses (issue 14
    # point 9): such a row gets its kind's usual fuel instead
    from registry.enterprises.plausibility import FUEL_CANNOT

    usual = {"electric_furnace": "electricity", "cupola": "coke", "gas_furnace": "natural_gas", "blast_furnace": "coke",
             "coke_oven": "coke_oven_gas", "generating_unit": "coal", "coal_gas_producer": "coal"}
    for kind, cannot in FUEL_CANNOT.items():
        bad = lines["kind"].eq(kind) & lines["fuel"].isin(cannot)
        lines.loc[bad, "fuel"] = usual[kind]
    for p in ("pm", "so2", "nox"):
        has = rng.random(n_l) < 0.8
        lines[f"{p}_status"] = np.where(has, np.asarray(statuses)[rng.integers(0, len(statuses), n_l)], None)
        lines[f"{p}_reached_on"] = pd.to_datetime(np.where(has, "2017-09-01", None))
        lines[f"{p}_concentration"] = np.where(has, np.round(rng.uniform(1, 50, n_l), 3), np.nan)
    pick = np.sort(rng.choice(n_l, size=min(n_q, n_l), replace=False))
    equipment = pd.DataFrame({
        "uscc": lines["uscc"].to_numpy()[pick], "line_code": lines["code"].to_numpy()[pick],
        "name": [f"{i}#设备" for i in range(len(pick))], "kind": lines["kind"].to_numpy()[pick],
        "fuel": lines["fuel"].to_numpy()[pick], "capacity": lines["capacity"].to_numpy()[pick],
        "capacity_unit": "10kt/a", "quantity": rng.integers(1, 4, len(pick)),
    })
    holder = np.arange(n_p) % n_e
    permits = pd.DataFrame({
        "number": [f"{usccs[h]}{i // n_e + 1:03d}P" for i, h in enumerate(holder)], "uscc": np.asarray(usccs)[holder],
        "kind": "full", "status": "issued", "industry": [dd.ENTERPRISES.field("sector").vocabulary(s).label_zh for s in sectors[holder]],
        "issued_on": pd.to_datetime("2017-06-30"), "valid_until": pd.to_datetime("2030-06-29"),
        "discharging_per_permit": True,
    })
    frames = {"enterprises": ent, "lines": lines, "equipment": equipment, "permits": permits}
    with open(path, "wb") as f:
        write_xlsx(f, frames, "zh")
    return {k: len(v) for k, v in frames.items()}


# ---- steps, each in its own process ----

def _app(url: str):
    from config import Testing
    from registry import create_app

    class Config(Testing):
        SQLALCHEMY_DATABASE_URI = url
        EXCHANGE_MAX_BYTES = 512 * 1024 * 1024
        EXCHANGE_MAX_UNCOMPRESSED = 8 * 1024 ** 3

    return create_app(Config)


def step_migrate(url: str) -> dict:
    from flask_migrate import upgrade

    from registry.core.regions import load_regions
    from registry.extensions import db

    app = _app(url)
    with app.app_context():
        if url.startswith("postgresql"):
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        load_regions()
        db.session.commit()
    return {}


def step_floor(url: str, path: str) -> dict:
    """calamine read of the file + Core executemany of the same rows (then rolled back).

    On a database that already holds the import, the rows go in under fresh ids and keys (a suffix), so the
    floor never collides with what is stored."""
    import pandas as pd
    from sqlalchemy import text

    from registry.core import dictionary as dd
    from registry.enterprises import bulk as writer
    from registry.exchange.validator import canonical
    from registry.extensions import db

    app = _app(url)
    with app.app_context(), app.test_request_context():
        t0, c0 = time.perf_counter(), time.process_time()
        frames = pd.read_excel(path, sheet_name=None, engine="calamine", dtype=object)
        read, read_cpu = time.perf_counter() - t0, time.process_time() - c0
        # the same rows as Python records, outside the timing (the floor's write is the executemany itself)
        sheets = {s.key: frames[s.title("zh")] for s in dd.SHEETS}
        canon = {}
        for s in dd.SHEETS:
            f = sheets[s.key]
            f.columns = [fl.key for fl in s.fields]
            cols = {}
            for fl in s.fields:
                raw = f[fl.key].map({"是": True, "否": False}) if fl.type.value == "boolean" else f[fl.key]
                col = canonical(fl, raw)
                cols[fl.key] = col.where(col.notna(), fl.default) if fl.default is not None else col
            canon[s.key] = pd.DataFrame(cols)
        for s in dd.SHEETS:
            for fl in s.fields:
                if fl.vocabulary is not None:
                    labels = {label: code for code, label in fl.vocabulary.choices()}
                    canon[s.key][fl.key] = canon[s.key][fl.key].map(lambda v, t=labels: t.get(v, v))
        offset = db.session.execute(text("SELECT COALESCE(MAX(id), 0) FROM production_line")).scalar() + 1_000_000
        suffix = "" if offset == 1_000_000 else "Z"  # never a USCC character
        ent_rows = writer.records(canon["enterprises"], writer._own_fields(dd.ENTERPRISES))
        for i, r in enumerate(ent_rows):
            r.update(id=offset + i + 1, status="approved", version=1)
            r["uscc"] = r["uscc"][:17] + suffix if suffix else r["uscc"]
        uscc_id = {u: r["id"] for u, r in zip(canon["enterprises"]["uscc"].tolist(), ent_rows)}
        line_rows = writer.records(canon["lines"], writer._own_fields(dd.LINES))
        for i, (r, u) in enumerate(zip(line_rows, canon["lines"]["uscc"].tolist())):
            r.update(id=offset + i + 1, enterprise_id=uscc_id[u], version=1)
        line_id = {(r["enterprise_id"], r["code"]): r["id"] for r in line_rows}
        em_rows = writer._emission_rows(canon["lines"], [r["id"] for r in line_rows])
        eq_rows = writer.records(canon["equipment"], writer._own_fields(dd.EQUIPMENT))
        for r, u, c in zip(eq_rows, canon["equipment"]["uscc"].tolist(), canon["equipment"]["line_code"].tolist()):
            r["line_id"] = line_id[(uscc_id[u], c)]
        p_rows = writer.records(canon["permits"], writer._own_fields(dd.PERMITS))
        for r, u in zip(p_rows, canon["permits"]["uscc"].tolist()):
            r.update(enterprise_id=uscc_id[u], version=1, number=r["number"] + suffix)
        t = db.metadata.tables
        t0, c0 = time.perf_counter(), time.process_time()
        for name, rows in (("enterprise", ent_rows), ("production_line", line_rows), ("line_emission", em_rows),
                           ("equipment", eq_rows), ("permit", p_rows)):
            db.session.execute(t[name].insert(), rows)
        db.session.flush()
        write, write_cpu = time.perf_counter() - t0, time.process_time() - c0
        db.session.rollback()
    return {"read_s": read, "write_s": write, "cpu_s": read_cpu + write_cpu,
            "rows": len(ent_rows) + len(line_rows) + len(em_rows) + len(eq_rows) + len(p_rows)}


def step_import(url: str, path: str, dry_run: bool = False) -> dict:
    from registry.accounts.auth import SYSTEM
    from registry.exchange import operations as ops
    from registry.extensions import db

    app = _app(url)
    with app.app_context(), app.test_request_context():
        data = Path(path).read_bytes()
        t0, c0 = time.perf_counter(), time.process_time()
        outcome = ops.import_workbook(SYSTEM, data, Path(path).name, dry_run=dry_run)
        if outcome.report.written:
            db.session.commit()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        report = outcome.report
        assert report.ok, [p.as_dict() for p in report.problems[:10]]
    return {"seconds": seconds, "cpu_s": cpu, "written": report.written,
            "sheets": {s.key: [s.create, s.update, s.unchanged] for s in report.sheets}}


def step_export(url: str, out: str, body: str = "stream") -> dict:
    """The export as `flask export` runs it (streamed: exporter.export_sources + workbook.write_xlsx_rows);
    body=frames times the former export instead (every sheet read whole into canonical frames, then written
    column-wise), for comparison in the same run."""
    from registry.accounts.auth import SYSTEM
    from registry.exchange import exporter, workbook
    from registry.exchange import operations as ops

    app = _app(url)
    with app.app_context(), app.test_request_context():
        t0, c0 = time.perf_counter(), time.process_time()
        if body == "frames":
            import io

            buf = io.BytesIO()
            workbook.write_xlsx(buf, exporter.export_frames(SYSTEM, exporter.KINDS), "zh")
            data = buf.getvalue()
        else:
            data = ops.export(SYSTEM, "all", "xlsx", "zh").data
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        Path(out).write_bytes(data)
    return {"seconds": seconds, "cpu_s": cpu, "bytes": len(data), "body": body}


def step_export_floor(url: str, exported: str) -> dict:
    """The least any xlsx export of these rows does: read every row of the five tables with Core straight from
    the cursor (no conversion, no join, no order), and deflate the export's own sheet XML — already built and
    encoded — into a zip (no formatting, no XML building, no temporary files at all). CPU and wall time."""
    import io
    import zipfile

    from sqlalchemy import select

    from registry.exchange.plan import fetch_raw
    from registry.extensions import db

    app = _app(url)
    with app.app_context():
        t0, c0 = time.perf_counter(), time.process_time()
        n = 0
        for name in ("enterprise", "production_line", "line_emission", "equipment", "permit"):
            n += len(fetch_raw(select(db.metadata.tables[name])))
        read, read_cpu = time.perf_counter() - t0, time.process_time() - c0
    with zipfile.ZipFile(exported) as z:
        sheets = {name: z.read(name) for name in z.namelist() if name.startswith("xl/worksheets/")}
    t0, c0 = time.perf_counter(), time.process_time()
    with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sheets.items():
            z.writestr(name, data)
    deflate, deflate_cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"read_s": read, "deflate_s": deflate, "read_cpu_s": read_cpu, "deflate_cpu_s": deflate_cpu,
            "cpu_s": read_cpu + deflate_cpu, "rows": n, "sheet_xml_mib": sum(map(len, sheets.values())) / 1048576}


STEPS = {"migrate": step_migrate, "floor": step_floor, "import": step_import, "export": step_export,
         "export_floor": step_export_floor}


def _run_step(name: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "_step", name, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"step {name} failed:\n{proc.stderr[:3000]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine() -> str:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    return f"nproc {os.cpu_count()}, CPU {cpu or platform.processor()}, RAM {mem:.0f} GiB, Python {platform.python_version()}"


def _pg_start(tmp: str) -> str:
    return subprocess.run([str(ROOT / "scripts" / "pg_throwaway.sh"), "start", f"{tmp}/pg"], capture_output=True, text=True,
                          check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 60k enterprises, 300k lines, 150k equipment, 60k permits")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", help="An empty PostgreSQL database (default: a throwaway cluster)")
    parser.add_argument("--file", help="Reuse this generated workbook instead of generating one")
    parser.add_argument("--export-only", metavar="URL", help="Skip generation and import: time the export of this "
                        "already imported database (floor, column-wise body, former cell-by-cell body)")
    args = parser.parse_args()
    if args.export_only:
        export_only(args.export_only)
        return

    tmp = tempfile.mkdtemp(prefix="lantian-bench-")
    path = Path(args.file) if args.file else Path(tmp) / f"province-{args.scale:g}.xlsx"
    print(f"# machine: {_machine()}", flush=True)
    if not args.file:
        t0 = time.perf_counter()
        counts = _run_step("generate", str(path), str(args.scale), str(args.seed))
        print(f"# generated {path.name}: {counts} in {time.perf_counter() - t0:.1f} s, {path.stat().st_size / 1048576:.1f} MiB",
              flush=True)
    databases = []
    if args.db in ("sqlite", "both"):
        databases.append(("SQLite", f"sqlite:///{tmp}/bench.sqlite3", None))
    if args.db in ("postgresql", "both"):
        url = args.pg_url or _pg_start(tmp)
        databases.append(("PostgreSQL", url, None if args.pg_url else f"{tmp}/pg"))
    rows = []
    for name, url, cluster in databases:
        try:
            _run_step("migrate", url)
            # the floor is measured before and after the import and the faster run is kept: on a shared machine
            # a busy minute would otherwise flatter (or spoil) the ratio
            floors = [_run_step("floor", url, str(path))]
            imp = _run_step("import", url, str(path))
            floors.append(_run_step("floor", url, str(path)))
            again = _run_step("import", url, str(path))
            exports = [_run_step("export", url, f"{tmp}/export-{name}.xlsx")]
            exp_floor = _run_step("export_floor", url, f"{tmp}/export-{name}.xlsx")
            exports.append(_run_step("export", url, f"{tmp}/export-{name}-2.xlsx"))
            floor = min(floors, key=lambda f: f["cpu_s"])
            floor["runs_cpu_s"] = [round(f["cpu_s"], 1) for f in floors]
        finally:
            if cluster:
                subprocess.run([str(ROOT / "scripts" / "pg_throwaway.sh"), "stop", cluster], check=False)
        exp = min(exports, key=lambda e: e["cpu_s"])
        exp["runs_cpu_s"] = [round(e["cpu_s"], 1) for e in exports]
        exp["peak_rss_mib"] = max(e["peak_rss_mib"] for e in exports)
        rows.append((name, floor, imp, again, exp, exp_floor))
        print(json.dumps({"db": name, "floor": floor, "import": imp, "reimport": again, "export": exports,
                          "export_floor": exp_floor, "load": os.getloadavg()[0]}), flush=True)
    print()
    print(f"Scale {args.scale:g} (seed {args.seed}): {path.stat().st_size / 1048576:.1f} MiB workbook; {_machine()}; "
          f"load average at the end {os.getloadavg()[0]:.1f}")
    print()
    print("CPU seconds (time.process_time) of each step in its own process; wall seconds in brackets.")
    print()
    print("| database | import floor: read + executemany | import | ratio | peak RSS import | re-import (all unchanged) "
          "| peak RSS re-import | export floor: Core read + deflate | export (best of 2) | ratio | peak RSS export |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, floor, imp, again, exp, ef in rows:
        print(f"| {name} | {floor['cpu_s']:.1f} s (runs {', '.join(f'{x:g}' for x in floor['runs_cpu_s'])}) "
              f"| {imp['cpu_s']:.1f} s ({imp['seconds']:.0f} s) | **{imp['cpu_s'] / floor['cpu_s']:.2f}×** "
              f"| {imp['peak_rss_mib']:.0f} MiB | {again['cpu_s']:.1f} s ({again['cpu_s'] / floor['cpu_s']:.2f}×) "
              f"| {again['peak_rss_mib']:.0f} MiB | {ef['read_cpu_s']:.1f} s + {ef['deflate_cpu_s']:.1f} s = {ef['cpu_s']:.1f} s "
              f"| {exp['cpu_s']:.1f} s ({exp['seconds']:.0f} s; runs {', '.join(f'{x:g}' for x in exp['runs_cpu_s'])}) "
              f"| **{exp['cpu_s'] / ef['cpu_s']:.2f}×** | {exp['peak_rss_mib']:.0f} MiB |")


def export_only(url: str) -> None:
    """Export figures for docs/performance.md on an already imported database, in one run: the floor, the
    streamed export twice, and the former export (sheets read whole into frames) once."""
    tmp = tempfile.mkdtemp(prefix="lantian-bench-export-")
    print(f"# machine: {_machine()}; load {os.getloadavg()[0]:.1f}", flush=True)
    first = _run_step("export", url, f"{tmp}/stream.xlsx", "stream")
    floor = _run_step("export_floor", url, f"{tmp}/stream.xlsx")
    former = _run_step("export", url, f"{tmp}/frames.xlsx", "frames")
    again = _run_step("export", url, f"{tmp}/stream2.xlsx", "stream")
    best = min((first, again), key=lambda e: e["cpu_s"])
    print(json.dumps({"floor": floor, "export": [first, again], "former": former}), flush=True)
    print(f"# load after: {os.getloadavg()[0]:.1f}")
    print("| floor: Core read + deflate (CPU) | streamed export (CPU, best of 2) | ratio | peak RSS "
          "| former export (frames) | peak RSS |")
    print("|---|---|---|---|---|---|")
    print(f"| {floor['read_cpu_s']:.1f} s + {floor['deflate_cpu_s']:.1f} s = {floor['cpu_s']:.1f} s "
          f"| {best['cpu_s']:.1f} s (runs {first['cpu_s']:.1f}, {again['cpu_s']:.1f}; wall {best['seconds']:.0f} s) "
          f"| **{best['cpu_s'] / floor['cpu_s']:.2f}×** | {max(first['peak_rss_mib'], again['peak_rss_mib']):.0f} MiB "
          f"| {former['cpu_s']:.1f} s ({former['cpu_s'] / floor['cpu_s']:.2f}×) | {former['peak_rss_mib']:.0f} MiB |")


def _step_main(name: str, *args: str) -> None:
    if name == "generate":
        from registry import create_app

        app = create_app("testing")
        with app.app_context():
            result = generate(Path(args[0]), float(args[1]), int(args[2]))
    elif name == "import":
        result = step_import(*args)
    else:
        result = STEPS[name](*args)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_step":
        _step_main(sys.argv[2], *sys.argv[3:])
    else:
        main()
