"""`flask emergency compile|totals|optimize|orders|export` on the demo city."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import select

from registry.emergency.models import EmergencyList, Proposal
from registry.extensions import db


@pytest.mark.demo_city(per_city=12)
def test_cli_compile_totals_optimize_orders_export(db_app, tmp_path, demo_city):
    run = db_app.test_cli_runner().invoke
    out = run(args=["emergency", "compile", "131000", "langfang-2017-18", "--as-user", "langfang"])
    assert out.exit_code == 0, out.output
    list_id = db.session.scalar(select(EmergencyList.id))
    out = run(args=["emergency", "totals", str(list_id), "--level", "blue"])
    rows = [json.loads(x) for x in out.output.splitlines()]
    assert {r["pollutant"]: r["target_percent"] for r in rows} == {"so2": None, "nox": None, "pm": 5.0, "vocs": 5.0}
    out = run(args=["emergency", "optimize", str(list_id), "--level", "red", "--as-user", "langfang"])
    assert out.exit_code == 0, out.output
    head = json.loads(out.output.splitlines()[0])
    assert head["reaches_targets"] and head["status"] in ("optimal", "gap")
    assert db.session.scalar(select(Proposal.id).limit(1)) is not None
    out = run(args=["emergency", "orders", str(list_id), "--date", "2018-01-10", "--level", "red"])
    assert out.exit_code == 0, out.output
    assert all("transport" in json.loads(x) for x in out.output.splitlines())
    target = tmp_path / "list.xlsx"
    out = run(args=["emergency", "export", str(list_id), "--out", str(target)])
    assert out.exit_code == 0 and "城市汇总" in pd.read_excel(target, sheet_name=None, engine="calamine")
    out = run(args=["emergency", "optimize", str(list_id), "--level", "red", "--as-user", "anci"])
    assert out.exit_code == 2 and "not_found" in out.output  # outside its scope: existence does not leak
