"""Schedule generation, publication, immutability, diff and out-of-date detection (issue 6)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from grading.contract import evaluate
from registry.extensions import db
from registry.schedules import diffing, generation, queries
from registry.schedules import operations as ops
from registry.schedules.models import FrozenError, ScheduleVersion
from tests.builders import JIYUAN, line_payload

DEMO = {"131000": "langfang-2017-18", "130100": "shijiazhuang-2018-20", "419001": "jiyuan-2018-19", "120119": "jizhou-2018-19"}
CITY_USER = {"131000": "langfang", "130100": "shijiazhuang", "419001": "jiyuan", "120119": "jizhou"}
SEASON = {"langfang-2017-18": 2017, "shijiazhuang-2018-20": 2018, "jiyuan-2018-19": 2018, "jizhou-2018-19": 2018}


def _user(username):
    from registry.accounts.models import User

    return db.session.scalar(select(User).where(User.username == username))


def _schedule(actor, region, pack, season):
    schedule = ops.create_schedule(actor, {"region_code": region, "pack_id": pack, "season_year": season})
    version = ops.generate(actor, schedule.id)
    db.session.commit()
    return schedule, version


def _rows(version):
    return [generation.comparable(r) for r in queries.entry_dicts(list(version.entries))]


@pytest.mark.parametrize("region", sorted(DEMO))
def test_demo_city_entries_equal_the_engines_decision_per_enterprise(demo_city, region):
    """Batch generation = contract.evaluate per enterprise, at each stretch's first day."""
    pack = DEMO[region]
    schedule, version = _schedule(_user(CITY_USER[region]), region, pack, SEASON[pack])
    assert version.entries, "the demo city has submitted registrations with lines"
    docs = {i.enterprise_id: i.document for i in version.inputs}
    for entry in version.entries:
        if entry.exemption:
            continue
        doc = dict(docs[entry.enterprise_id], date=entry.phase_start.isoformat())
        doc["enterprise"] = dict(doc["enterprise"], enterprise_id=str(entry.enterprise_id))
        line = next(l for l in evaluate(doc)["lines"] if l["line_id"] == entry.line_ref)
        assert line["measure"] == entry.measure
        assert line["reasons"] == entry.reasons and line["flags"] == entry.flags
        pmin = float(entry.percentage_min) if entry.percentage_min is not None else None
        assert line["percentage_min"] == pmin and line["basis"] == entry.basis
    # every line of every input appears, stretches tile the season
    lines = {(i.enterprise_id, l["line_id"]) for i in version.inputs for l in i.document["enterprise"]["lines"]}
    assert lines == {(e.enterprise_id, e.line_ref) for e in version.entries}
    for key in lines:
        stretch = [e for e in version.entries if (e.enterprise_id, e.line_ref) == key]
        assert stretch[0].phase_start == version.season_start and stretch[-1].phase_end == version.season_end
        assert all(a.phase_end == b.phase_start for a, b in zip(stretch, stretch[1:]))


def test_generating_twice_from_the_same_inputs_yields_identical_entries(demo_city):
    actor = _user("jiyuan")
    schedule, version = _schedule(actor, "419001", "jiyuan-2018-19", 2018)
    first = _rows(version)
    again = ops.generate(actor, schedule.id)
    db.session.commit()
    assert _rows(again) == first
    assert [generation.comparable(r) for r in ops.reproduce(again)] == first


def test_jiyuan_coke_oven_special_limits_by_end_october_exempt_1_jan_to_15_mar(make_user, make_enterprise):
    """002:595 (R-JY-04, X-08): special limits reached by end October → no staggering 2019-01-01..03-15."""
    official = make_user("county", "419001")
    ent, owner = make_enterprise(JIYUAN, sector="coking")
    from registry.enterprises import operations as eops

    eops.add_line(owner, ent.id, line_payload("CO1", sector="coking", sub_type="none", kind="coke_oven", fuel="coke_oven_gas",
                                               emissions=[{"pollutant": p, "status": "special_limits", "reached_on": "2018-10-20"}
                                                          for p in ("so2", "nox", "pm")], equipment=[]))
    eops.submit_registration(owner, ent.id, {"version": ent.version})
    eops.approve_registration(official, ent.id, {"version": ent.version})
    db.session.commit()
    schedule, version = _schedule(official, "419001", "jiyuan-2018-19", 2018)
    co1 = [e for e in version.entries if e.line_ref == "CO1"]
    assert [(e.measure, e.phase_start, e.phase_end) for e in co1] == [
        ("extend_coking", date(2018, 11, 15), date(2019, 1, 1)),
        ("none", date(2019, 1, 1), date(2019, 3, 16)),
    ]
    assert co1[1].windows == [{"start": "2019-01-01", "end": "2019-03-16"}]
    assert {r["rule"] for r in co1[1].reasons} >= {"X-08"}
    assert [f["code"] for f in co1[1].flags] == ["exemption_X-08"]  # in principle: listed for decision

    # the official records a choice: the flag is resolved, cited, and the draft re-evaluated
    ops.record_flag_choice(official, schedule.id, {"enterprise_id": ent.id, "line_ref": "CO1", "flag": "exemption_X-08",
                                                   "choice": "not_exempt", "reason": "核查未通过"})
    db.session.commit()
    db.session.expire_all()
    co1 = [e for e in ops.latest_version(schedule).entries if e.line_ref == "CO1"]
    assert [e.measure for e in co1] == ["extend_coking", "extend_coking"] and not any(e.flags for e in co1)
    assert co1[1].applied_decisions[0]["flag"] == "exemption_X-08"  # the stretch from 1 Jan cites the choice
    # only this enterprise was re-evaluated, and the draft still reproduces from what it recorded
    draft = ops.latest_version(schedule)
    assert [generation.comparable(r) for r in ops.reproduce(draft)] == _rows(draft)


def test_published_version_is_frozen_in_operations_orm_and_database(make_user, make_enterprise):
    official = make_user("city", "131000")
    make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
    schedule, version = _schedule(official, "131000", "langfang-2017-18", 2017)
    ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局、市环保局"})
    db.session.commit()
    assert version.published and version.pack_sha256 and version.engine_version

    from registry.core.errors import Conflict

    with pytest.raises(Conflict):
        ops.generate(official, schedule.id)
    with pytest.raises(Conflict):
        ops.publish(official, schedule.id, {"filed_on": "2017-11-02", "recipients": "x"})
    entry = version.entries[0]
    entry.measure = "none"
    with pytest.raises(FrozenError):
        db.session.flush()
    db.session.rollback()
    version.recipients = "nobody"
    with pytest.raises(FrozenError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(FrozenError):
        db.session.delete(db.session.get(ScheduleVersion, version.id))
        db.session.flush()
    db.session.rollback()
    # a raw UPDATE bypassing the ORM is refused by the database's triggers (and a DELETE on PostgreSQL)
    raw = [f"UPDATE schedule_entry SET measure = 'none' WHERE id = {entry.id}",
           f"UPDATE schedule_version SET recipients = 'x' WHERE id = {version.id}",
           f"INSERT INTO schedule_input (version_id, position, enterprise_id, uscc, region_code, document, facts_sha256) "
           f"VALUES ({version.id}, 99, 999999, 'x', '131002', '{{}}', 'x')"]
    if db.engine.dialect.name == "postgresql":
        raw += [f"DELETE FROM schedule_entry WHERE id = {entry.id}", f"DELETE FROM schedule_version WHERE id = {version.id}"]
    for sql in raw:
        with pytest.raises(Exception, match="immutable"):
            db.session.execute(text(sql))
            db.session.flush()
        db.session.rollback()
    assert db.session.get(ScheduleVersion, version.id).recipients == "市工信局、市环保局"


def test_refiling_needs_a_reason_and_versions_compare_line_by_line(make_user, make_enterprise):
    official = make_user("city", "131000")
    ent, owner = make_enterprise(approved_by=make_user("county", "131002"))
    schedule, v1 = _schedule(official, "131000", "langfang-2017-18", 2017)
    ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局"})
    db.session.commit()

    # facts change after publication: v1 is now out of date (F-15) for this enterprise
    from registry.enterprises import operations as eops

    eops.reopen_registration(owner, ent.id, {"version": ent.version})
    eops.add_line(owner, ent.id, line_payload("L2", name="2号高炉"))
    eops.submit_registration(owner, ent.id, {"version": ent.version})
    db.session.commit()
    assert ops.out_of_date(v1)["changed"] == []  # an amendment counts once approved (issue 14 point 10)
    eops.approve_registration(make_user("county", "131002"), ent.id, {"version": ent.version})
    db.session.commit()
    assert ops.out_of_date(v1)["changed"] == [ent.id]

    v2 = ops.new_version(official, schedule.id)
    db.session.commit()
    assert v2.number == 2 and v2.supersedes_id == v1.id
    from registry.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        ops.publish(official, schedule.id, {"filed_on": "2017-11-20", "recipients": "市工信局"})
    ops.publish(official, schedule.id, {"filed_on": "2017-11-20", "recipients": "市工信局", "filing_reason": "新增2号高炉"})
    db.session.commit()
    changes = diffing.diff(queries.entry_dicts(list(v1.entries)), queries.entry_dicts(list(v2.entries)))
    assert [(c.line_ref, c.change) for c in changes] == [("L2", "added")]
    assert ops.out_of_date(v2) == {"changed": [], "added": [], "removed": []}


def test_approved_livelihood_max_load_changes_the_entry_in_the_next_version(make_user, make_enterprise):
    """000:133: a livelihood task runs at its filed maximum load; the emergency plan still applies."""
    official = make_user("city", "131000")
    ent, owner = make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
    schedule, v1 = _schedule(official, "131000", "langfang-2017-18", 2017)
    app = ops.apply(owner, schedule.id, ent.id, {"line_ref": "L1", "kind": "livelihood_max_load", "clause": "000:133",
                                                  "evidence": "供暖合同", "requested_start": "2018-01-01",
                                                  "requested_end": "2018-02-01", "max_load": "60"})
    db.session.commit()
    from registry.core.errors import Forbidden

    with pytest.raises(Forbidden):
        ops.decide_application(owner, app.id, {"approve": True, "reason": "x", "version": app.row_version})
    ops.decide_application(official, app.id, {"approve": True, "reason": "保供暖", "residual": "仍执行重污染天气应急预案",
                                              "version": app.row_version})
    ops.generate(official, schedule.id)
    db.session.commit()
    l1 = [e for e in ops.latest_version(schedule).entries if e.line_ref == "L1"]
    mid = next(e for e in l1 if e.exemption)
    assert (mid.measure, float(mid.percentage_min), mid.phase_start, mid.phase_end) == ("max_load", 60.0, date(2018, 1, 1), date(2018, 2, 1))
    assert any(r["note"] == "仍执行重污染天气应急预案" for r in mid.residual_obligations)
    assert l1[0].phase_start == date(2017, 11, 15) and l1[-1].phase_end == date(2018, 3, 16)
    # the enterprise sees only its own lines
    assert {e.enterprise_id for e in queries.entries(owner, ops.latest_version(schedule))} == {ent.id}


def test_officials_act_only_within_their_region(make_user, make_enterprise):
    from registry.core.errors import Forbidden, NotFound

    make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
    schedule, _v = _schedule(make_user("city", "131000"), "131000", "langfang-2017-18", 2017)
    with pytest.raises(NotFound):
        ops.generate(make_user("city", "130100"), schedule.id)
    with pytest.raises(Forbidden):
        ops.generate(make_user("province", "130000"), schedule.id)  # province reads, the city drafts
    with pytest.raises(Forbidden):
        ops.create_schedule(make_user("county", "131002"), {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})


def test_cli_generate_publish_diff_export(make_user, make_enterprise, tmp_path):
    import json

    make_user("city", "131000", username="lf.city")
    make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
    from flask import current_app

    runner = current_app.test_cli_runner()
    out = runner.invoke(args=["schedule", "generate", "--as", "lf.city", "--region", "131000", "--pack", "langfang-2017-18", "--season", "2017"])
    assert out.exit_code == 0, out.output
    made = json.loads(out.stdout.strip().splitlines()[-1])
    assert made["number"] == 1 and made["entries"] >= 1
    out = runner.invoke(args=["schedule", "publish", "--as", "lf.city", str(made["schedule_id"]), "--filed-on", "2017-11-01",
                              "--recipients", "市工信局、市环保局"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(args=["schedule", "generate", "--as", "lf.city", "--region", "131000", "--pack", "langfang-2017-18", "--season", "2017"])
    second = json.loads(out.stdout.strip().splitlines()[-1])
    assert second["number"] == 2
    out = runner.invoke(args=["schedule", "diff", "--as", "lf.city", str(made["id"]), str(second["id"])])
    assert out.exit_code == 0 and out.stdout.strip() == ""  # nothing changed
    target = tmp_path / "schedule.xlsx"
    out = runner.invoke(args=["schedule", "export", "--as", "lf.city", str(made["id"]), str(target)])
    assert out.exit_code == 0, out.output
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert rows[2][1] and rows[2][6]  # USCC and measure of the first line
    out = runner.invoke(args=["schedule", "publish", "--as", "lf.city", str(made["schedule_id"]), "--filed-on", "2017-11-02",
                              "--recipients", "x"])
    assert out.exit_code == 2, out.output  # a re-filed version needs a filing reason


def test_effective_grade_feeds_the_engine_and_a_lowered_grade_makes_the_version_out_of_date(make_user, make_enterprise):
    """Grades come from registry.grades' current decisions, kept apart by system (R-G-13)."""
    from registry.grades.models import GradeDecision

    official = make_user("city", "131000")
    ent, _owner = make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
    first = GradeDecision(enterprise_id=ent.id, region_code=ent.region_code, system="emergency", industry="steel", grade="A",
                          kind="approval")
    db.session.add(first)
    db.session.commit()
    schedule, v1 = _schedule(official, "131000", "langfang-2017-18", 2017)
    assert v1.inputs[0].document["enterprise"]["emergency_grades"] == [{"industry": "steel", "grade": "A"}]
    ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局"})
    db.session.add(GradeDecision(enterprise_id=ent.id, region_code=ent.region_code, system="emergency", industry="steel",
                                 grade="C", kind="fraud", supersedes_id=first.id))
    db.session.commit()
    assert ops.out_of_date(v1)["changed"] == [ent.id]


def test_bulk_storage_into_a_published_version_is_refused_by_the_database(make_user, make_enterprise):
    """storage.py's executemany (SQLite) / COPY (PostgreSQL, one check per statement) meets the triggers too."""
    from registry.schedules import storage

    official = make_user("city", "131000")
    make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
    schedule, version = _schedule(official, "131000", "langfang-2017-18", 2017)
    rows = ops.reproduce(version)  # generation's rows, as _fill stores them
    ops.publish(official, schedule.id, {"filed_on": "2017-11-01", "recipients": "市工信局"})
    db.session.commit()
    with pytest.raises(Exception, match="immutable"):
        storage.insert_entries(version.id, rows)
        db.session.flush()
    db.session.rollback()
    assert len(db.session.get(ScheduleVersion, version.id).entries) == len(rows)
