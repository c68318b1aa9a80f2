"""`flask seed` / `flask demo-data` build a realistic city per source jurisdiction, once."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.demo import build_demo
from registry.enterprises.models import Enterprise, ProductionLine
from registry.extensions import db


def test_demo_builds_each_city_with_lines_permits_and_every_state(db_app):
    counts = build_demo(per_city=12)
    db.session.commit()
    assert counts["enterprises"] == 48 and counts["lines"] >= 48 and counts["permits"] == 48
    prefixes = {e.region_code[:4] for e in db.session.scalars(select(Enterprise))}
    assert {"1310", "1301", "4190", "1201"} <= prefixes  # Langfang, Shijiazhuang, Jiyuan, Jizhou
    states = set(db.session.scalars(select(Enterprise.status).distinct()))
    assert {"draft", "submitted", "approved"} <= states
    sectors = set(db.session.scalars(select(ProductionLine.sector).distinct()))
    assert {"steel", "coking", "foundry", "cement", "brick_tile"} <= sectors
    assert build_demo() is None  # a second run on a non-empty database does nothing


def test_seed_command_loads_demo_and_prints_logins(db_app):
    runner = db_app.test_cli_runner()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "lantian-demo-2026" in result.output and "anci" in result.output
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 200


def test_create_user_command_reports_bad_region(db_app):
    runner = db_app.test_cli_runner()
    result = runner.invoke(args=["create-user", "boss", "--role", "county", "--region", "999999", "--password", "Long-enough-pw-1"])
    assert result.exit_code != 0
    assert "region_code" in result.output


def test_production_configuration_refuses_demo_accounts(db_app, monkeypatch):
    """Demo accounts share a published password: never in production (bandit finding)."""
    monkeypatch.setitem(db_app.config, "ALLOW_DEMO_DATA", False)
    runner = db_app.test_cli_runner()
    assert runner.invoke(args=["demo-data"]).exit_code != 0
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
