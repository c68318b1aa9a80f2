"""`flask readings check` (the checks over a period, added to the readings group by the application factory) and
`flask inspections list|record` (the county's tasks and the visit's record). Output: JSON, labels beside codes."""
from __future__ import annotations

import json
from datetime import date, timedelta

import click
from flask import Flask
from flask.cli import AppGroup

from registry.accounts.shell import actor as _actor
from registry.core import unit_of_work
from registry.core.shell import run_or_exit as _run

inspections = AppGroup("inspections", help="Inspection tasks and records of anomalies (issue 19).")






@click.command("check")
@click.option("--first", "first", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day (Beijing), default yesterday.")
@click.option("--last", "last", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day, default today.")
@click.option("--region", default=None, help="A region code within the user's scope.")
@click.option("--as-user", "username", default=None, help="Run in this official's scope (default: the server's shell).")
@unit_of_work.command
def check(first, last, region, username):
    """Run every check (R-CK-01..05) for every alert order and schedule window of the days; idempotent."""
    from registry.compliance import operations as ops
    from registry.core import timeutil

    today = timeutil.beijing_today()
    lo: date = first.date() if first else today - timedelta(days=1)
    hi: date = last.date() if last else today
    counts = _run(lambda: ops.run_checks(_actor(username), lo, hi, region_code=region))
    click.echo(json.dumps(counts, ensure_ascii=False))


@inspections.command("list")
@click.option("--status", type=click.Choice(["open", "done", "all"]), default="open", show_default=True)
@click.option("--as-user", "username", default=None)
def list_(status: str, username: str | None):
    """Inspection tasks in scope, one JSON object per line (check and status with their labels)."""
    from registry.compliance import queries
    from registry.core import codes

    for t in queries.tasks(_actor(username), "" if status == "all" else status):
        a = t.anomaly
        click.echo(json.dumps({"task_id": t.id, "anomaly_id": a.id, "enterprise_id": a.enterprise_id,
                               "region_code": t.region_code, "check": a.check_code,
                               "check_label": str(codes.label("compliance.check", a.check_code)),
                               "severity": a.severity, "due_at": t.due_at.isoformat(), "status": t.status,
                               "status_label": str(codes.label("compliance.task", t.status))}, ensure_ascii=False))


@inspections.command("record")
@click.argument("task_id", type=int)
@click.option("--inspectors", required=True, help="Names of those who visited.")
@click.option("--visited-at", required=True, help="Beijing time, e.g. 2026-12-05T10:30.")
@click.option("--found", required=True, help="What was found.")
@click.option("--outcome", type=click.Choice(["cleared", "violation", "falsified"]), required=True)
@click.option("--signature", "signatures", multiple=True, required=True, help="A signatory's name (repeatable).")
@click.option("--photo", "photos", multiple=True, type=click.Path(exists=True, dir_okay=False), help="JPEG or PNG.")
@click.option("--as-user", "username", required=True, help="The official who records (a person, not the shell).")
@unit_of_work.command
def record(task_id, inspectors, visited_at, found, outcome, signatures, photos, username):
    """Record the visit; violation / falsified go into the grades' findings (one step down / C)."""
    from pathlib import Path

    from registry.compliance import operations as ops

    blobs = [(Path(p).name, Path(p).read_bytes()) for p in photos]
    rec = _run(lambda: ops.record_inspection(_actor(username), task_id, {
        "inspectors": inspectors, "visited_at": visited_at, "found": found, "outcome": outcome,
        "signatures": ",".join(signatures)}, blobs))
    click.echo(json.dumps({"record_id": rec.id, "anomaly_id": rec.anomaly_id, "outcome": outcome,
                           "findings": rec.task.anomaly.finding_decision_ids}, ensure_ascii=False))


def _build_demo(_force: bool) -> str | None:
    from registry.compliance.demo import build_compliance_demo, found_vs_truth

    counts = build_compliance_demo()
    if counts is None:
        return "demo compliance: no demo readings, no checks run"
    found, planted = found_vs_truth()
    return (f"demo compliance: {counts['windows']} order windows checked, {counts['anomalies']} anomalies; "
            f"{len(found & planted)} of {len(planted)} planted violators found, {len(found - planted)} others")


def register(app: Flask, readings_group: AppGroup) -> None:
    from registry.core.demo_builders import DemoBuilder, register_demo_builder

    readings_group.add_command(check)
    app.cli.add_command(inspections)
    register_demo_builder(app, "compliance", DemoBuilder(order=50, build=_build_demo))  # after the demo readings
