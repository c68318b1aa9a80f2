"""schedule_entry partitioned by season on PostgreSQL (issue 18 item 5; migration sc18a5e1b0c7, docs/scale.md).

The partitioning is the migration's: the session's database is migrated from nothing, so every PostgreSQL test
that writes schedules writes into the partitions. These tests check the catalogue, where rows land, that the
frozen-version triggers hold on the partitions, `flask partitions ensure` (rows waiting in the default
partition move into a new season's), and the migration's downgrade and upgrade with rows in the table.
"""
from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import select, text

from registry.core import partitions, timeutil
from registry.extensions import db
from registry.schedules import operations as ops
from registry.schedules.models import ScheduleEntry

PG = bool(os.environ.get("TEST_DATABASE_URL"))
pg_only = pytest.mark.skipif(not PG, reason="needs PostgreSQL (TEST_DATABASE_URL): SQLite has no partitions")


def _published_langfang(make_user, make_enterprise):
    official = make_user("city", "131000")
    make_enterprise(approved_by=make_user("county", "131002"))
    schedule = ops.create_schedule(official, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    version = ops.generate(official, schedule.id)
    db.session.commit()
    return official, schedule, version


_COPY = ("INSERT INTO schedule_entry (version_id, position, enterprise_id, enterprise_name, uscc, region_code, sector, "
         "line_ref, line_name, line_kind, capacity_unit, phase_start, phase_end, measure, windows, reasons, flags, "
         "applied_decisions, residual_obligations) SELECT version_id, 9999, enterprise_id, enterprise_name, uscc, "
         "region_code, sector, line_ref, line_name, line_kind, capacity_unit, :start, :end, measure, windows, reasons, "
         "flags, applied_decisions, residual_obligations FROM schedule_entry WHERE id = :i RETURNING id")


def _partition_of(entry_id: int) -> str:
    return db.session.execute(text("SELECT tableoid::regclass::text FROM schedule_entry WHERE id = :i"),
                              {"i": entry_id}).scalar_one()


@pg_only
def test_schedule_entry_is_partitioned_by_range_of_phase_start_with_seasons_and_a_default(db_app):
    """pg_partitioned_table: strategy range on phase_start; pg_inherits: one partition per season from 2017 to two
    seasons after today's, and the default partition (so no insert can fail for want of a partition)."""
    strategy, key = db.session.execute(text(
        "SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
        "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
        "WHERE p.partrelid = 'schedule_entry'::regclass")).one()
    assert (strategy, key) == ("r", "phase_start")
    names = set(db.session.scalars(text(
        "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'schedule_entry'::regclass")))
    current = partitions.season_of(timeutil.beijing_today())
    assert {f"schedule_entry_s{y}" for y in range(2017, current + 3)} | {"schedule_entry_default"} <= names
    pk = db.session.scalar(text("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                                "WHERE conrelid = 'schedule_entry'::regclass AND contype = 'p'"))
    assert pk == "PRIMARY KEY (id, phase_start)"
    assert partitions.is_partitioned(db.session.connection(), "schedule_entry")


@pg_only
def test_a_generated_and_published_schedule_lands_in_its_season_and_stays_frozen(make_user, make_enterprise):
    """Generation writes by COPY into the parent; every 2017-18 entry lands in schedule_entry_s2017. After
    publication the triggers recreated on the partitioned table refuse UPDATE, DELETE and INSERT (immutable)."""
    official, schedule, version = _published_langfang(make_user, make_enterprise)
    ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局、市环保局"})
    db.session.commit()
    ids = [e.id for e in version.entries]
    assert ids
    assert {_partition_of(i) for i in ids} == {"schedule_entry_s2017"}
    counts = {p.name: p.rows for p in partitions.partitions(db.session.connection(), "schedule_entry")}
    assert counts["schedule_entry_s2017"] == len(ids) and counts["schedule_entry_default"] == 0
    assert db.session.get(ScheduleEntry, ids[0]).version_id == version.id  # the ORM reads by id alone
    for sql in (f"UPDATE schedule_entry SET measure = 'none' WHERE id = {ids[0]}",
                f"DELETE FROM schedule_entry WHERE id = {ids[0]}",
                _COPY):
        with pytest.raises(Exception, match="immutable"):
            db.session.execute(text(sql), {"i": ids[0], "start": date(2017, 12, 1), "end": date(2017, 12, 2)})
            db.session.flush()
        db.session.rollback()


@pg_only
def test_ensure_creates_a_new_season_and_moves_waiting_rows_out_of_the_default(app, make_user, make_enterprise):
    """A row dated in a season without a partition goes to the default partition; `ensure` for that season makes
    the partition and moves the row (same id), also when its version has since been published (the default
    partition is detached while the rows move, so the frozen triggers do not see a change)."""
    official, schedule, version = _published_langfang(make_user, make_enterprise)
    first = version.entries[0]
    new_id = db.session.execute(text(_COPY), {"i": first.id, "start": date(2090, 10, 1), "end": date(2090, 10, 2)}
                                ).scalar_one()
    db.session.commit()
    assert _partition_of(new_id) == "schedule_entry_default"
    ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局、市环保局"})
    db.session.commit()
    db.session.close()
    try:
        with db.engine.begin() as conn:
            assert partitions.ensure(conn, "schedule_entry", since=2090, through=2090) == ["schedule_entry_s2090"]
            assert partitions.ensure(conn, "schedule_entry", since=2090, through=2090) == []  # idempotent
        assert _partition_of(new_id) == "schedule_entry_s2090"
        db.session.commit()
        rows = {p.name: p.rows for p in partitions.partitions(db.session.connection(), "schedule_entry")}
        assert rows["schedule_entry_default"] == 0 and rows["schedule_entry_s2090"] == 1
        with pytest.raises(Exception, match="immutable"):  # its clones of the triggers came back with the attach
            db.session.execute(text(f"UPDATE schedule_entry SET measure = 'none' WHERE id = {new_id}"))
        db.session.rollback()
    finally:
        db.session.close()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS schedule_entry_s2090")


@pg_only
def test_schedule_pages_and_exports_read_the_partitioned_table(make_user, make_enterprise, app):
    """The normal flows on the partitioned table: the version page and the Excel export read every entry."""
    official, schedule, version = _published_langfang(make_user, make_enterprise)
    n = len(version.entries)
    assert n and db.session.scalar(select(db.func.count()).select_from(ScheduleEntry)
                                   .where(ScheduleEntry.version_id == version.id)) == n
    plan = db.session.execute(text(f"EXPLAIN SELECT * FROM schedule_entry WHERE phase_start = DATE '2017-11-15' "
                                   f"AND version_id = {version.id}")).scalars().all()
    assert any("schedule_entry_s2017" in line for line in plan)
    assert not any("schedule_entry_s2018" in line for line in plan)  # pruned to its season


@pg_only
def test_downgrade_to_a_plain_table_and_upgrade_again_keep_every_row(app, make_user, make_enterprise):
    """The migration's downgrade swaps back to a plain table (PK id, same triggers and indexes) and its upgrade
    partitions again, the rows and their ids unchanged and back in their season."""
    from flask_migrate import downgrade, upgrade

    _, _, version = _published_langfang(make_user, make_enterprise)
    ids = sorted(e.id for e in version.entries)
    db.session.commit()
    db.session.close()
    try:
        downgrade(revision="reg16a0e1f2a3")
        assert not partitions.is_partitioned(db.session.connection(), "schedule_entry")
        assert sorted(db.session.scalars(text("SELECT id FROM schedule_entry"))) == ids
        triggers = set(db.session.scalars(text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'schedule_entry'::regclass "
                                               "AND NOT tgisinternal")))
        assert triggers == {"schedule_entry_frozen", "schedule_entry_frozen_insert"}
        db.session.commit()
        db.session.close()
    finally:
        upgrade()
    assert partitions.is_partitioned(db.session.connection(), "schedule_entry")
    assert sorted(db.session.scalars(text("SELECT id FROM schedule_entry"))) == ids
    assert {_partition_of(i) for i in ids} == {"schedule_entry_s2017"}
    db.session.commit()


def test_partitions_cli_on_either_database(app):
    """`flask partitions list|ensure`: the partitions with their rows on PostgreSQL; a plain sentence on SQLite."""
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["partitions", "list"])
    ensured = runner.invoke(args=["partitions", "ensure"])
    assert listed.exit_code == 0 and ensured.exit_code == 0, (listed.output, ensured.output)
    if PG:
        assert "schedule_entry_default\tDEFAULT\t" in listed.output
        assert ensured.output.startswith("schedule_entry: ")
    else:
        assert "SQLite" in listed.output and "SQLite" in ensured.output


def test_autogenerate_filter_leaves_out_only_the_season_partitions():
    """include_object (migrations/env.py): schedule_entry_s2019 and schedule_entry_default are the migration's, not
    the models'; schedule_entry itself and every other table are compared as before."""
    assert partitions.is_partition_name("schedule_entry_s2019") and partitions.is_partition_name("schedule_entry_default")
    assert not partitions.is_partition_name("schedule_entry") and not partitions.is_partition_name("schedule_input")
    assert not partitions.is_partition_name("audit_entry_default") and not partitions.is_partition_name(None)
    assert partitions.include_object(None, "schedule_entry", "table", True, None)
    assert not partitions.include_object(None, "schedule_entry_s2019", "table", True, None)
    assert partitions.season_of(date(2019, 6, 30)) == 2018 and partitions.season_of(date(2019, 7, 1)) == 2019
    assert partitions.season_bounds(2019) == (date(2019, 7, 1), date(2020, 7, 1))
