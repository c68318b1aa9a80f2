"""Schedules and emergency lists use reviewed facts only (issue 14 point 10).

Tried as a new user would: an enterprise reopens its approved registration, edits its lines to ultra-low and
does not resubmit. The next schedule draft must not exempt it (002:595's exemption is for ultra-low steel, and
the claim is unreviewed) and the emergency list must keep it with its approved lines and emissions (R-A-03,
003:50: the list covers every emitter). Once the amendment is approved, both follow it.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from registry.emergency import operations as eops
from registry.emergency import queries as equeries
from registry.enterprises import approved
from registry.enterprises import operations as ops
from registry.enterprises.models import ApprovedFacts, ProductionLine
from registry.extensions import db
from registry.schedules import operations as sops
from tests.builders import JIYUAN, enterprise_payload, line_payload, permit_payload

PACK = "jiyuan-2018-19"
ULTRA_LOW = [{"pollutant": p, "status": "ultra_low", "reached_on": "2018-06-01"} for p in ("so2", "nox", "pm")]


def _steel_works(make_user, official):
    owner = make_user("enterprise")
    ent = ops.register_enterprise(owner, enterprise_payload(41, JIYUAN, name="济源测试钢铁有限公司"))
    line = ops.add_line(owner, ent.id, line_payload(daily_emission_so2_kg="120", daily_emission_nox_kg="300",
                                                    daily_emission_pm_kg="80"))
    ops.add_permit(owner, ent.id, permit_payload("P-JY-41"))
    ops.submit_registration(owner, ent.id, {"version": ent.version})
    ops.approve_registration(official, ent.id, {"version": ent.version})
    db.session.commit()
    return owner, ent, line


def _claim_ultra_low(owner, ent, line):
    """Reopen and edit the line to ultra-low with lower emissions — without resubmitting."""
    ops.reopen_registration(owner, ent.id, {"version": ent.version})
    ops.update_line(owner, line.id, line_payload(emissions=ULTRA_LOW, daily_emission_so2_kg="10",
                                                 daily_emission_nox_kg="20", daily_emission_pm_kg="5"),
                    expected_version=line.version)
    db.session.commit()


def _measures(version, ent_id):
    return sorted((e.line_ref, e.phase_start, e.measure, bool(e.exemption)) for e in version.entries
                  if e.enterprise_id == ent_id)


def _generate(official, schedule_id):
    version = sops.generate(official, schedule_id)
    db.session.commit()
    return version


def test_reopened_ultra_low_claim_does_not_reach_the_schedule_until_approved(db_app, make_user):
    """002:595 (X-07): the exemption of ultra-low steel is decided on the approved facts; an unapproved
    amendment changes nothing in the next draft, an approved one does."""
    official = make_user("county", JIYUAN)
    owner, ent, line = _steel_works(make_user, official)
    schedule = sops.create_schedule(official, {"region_code": JIYUAN, "pack_id": PACK, "season_year": 2018})
    before = _measures(_generate(official, schedule.id), ent.id)
    assert before and all(measure != "none" for _, _, measure, _ in before)

    _claim_ultra_low(owner, ent, line)
    version = _generate(official, schedule.id)
    assert _measures(version, ent.id) == before
    doc = next(i.document for i in version.inputs if i.enterprise_id == ent.id)
    assert doc["enterprise"]["lines"][0]["emission_status"] == "special_limits"

    ops.submit_registration(owner, ent.id, {"version": ent.version})
    ops.approve_registration(official, ent.id, {"version": ent.version})
    db.session.commit()
    after = _measures(_generate(official, schedule.id), ent.id)
    assert after != before and any(measure == "none" for _, _, measure, _ in after)


def test_never_approved_registration_is_in_no_schedule(db_app, make_user):
    """Reviewed facts only: a submitted registration nobody has approved is not scheduled."""
    official = make_user("county", JIYUAN)
    owner = make_user("enterprise")
    ent = ops.register_enterprise(owner, enterprise_payload(42, JIYUAN))
    ops.add_line(owner, ent.id, line_payload())
    ops.submit_registration(owner, ent.id, {"version": ent.version})
    db.session.commit()
    schedule = sops.create_schedule(official, {"region_code": JIYUAN, "pack_id": PACK, "season_year": 2018})
    version = _generate(official, schedule.id)
    assert all(i.enterprise_id != ent.id for i in version.inputs)
    assert equeries.covered_enterprises(JIYUAN) == []


def test_reopened_enterprise_stays_on_the_emergency_list_with_its_approved_facts(db_app, make_user):
    """R-A-03 (003:50): the list covers every approved emitter; a reopened registration stays on it with the
    lines and daily emissions last approved, until its amendment is approved."""
    official = make_user("county", JIYUAN)
    owner, ent, line = _steel_works(make_user, official)
    _claim_ultra_low(owner, ent, line)
    lst = eops.compile_list(official, {"region_code": JIYUAN, "pack_id": PACK})
    db.session.commit()
    rows = [e for e in lst.entries if e.enterprise_id == ent.id]
    assert rows, "a reopened enterprise must not drop off the list"
    assert {float(e.daily_so2_kg) for e in rows} == {120.0} and {float(e.daily_nox_kg) for e in rows} == {300.0}
    assert equeries.line_facts(lst)[line.id].kind == "blast_furnace"

    ops.submit_registration(owner, ent.id, {"version": ent.version})
    ops.approve_registration(official, ent.id, {"version": ent.version})
    db.session.commit()
    again = eops.compile_list(official, {"region_code": JIYUAN, "pack_id": PACK})
    assert {float(e.daily_so2_kg) for e in again.entries if e.enterprise_id == ent.id} == {10.0}


def test_each_approval_keeps_a_numbered_copy_and_the_records_read_back_alike(db_app, make_user):
    """The approved copy reads back as the live records it was taken from (types included), and an approved
    amendment adds a copy instead of changing the old one (history is never overwritten)."""
    official = make_user("county", JIYUAN)
    owner, ent, line = _steel_works(make_user, official)
    (view,) = approved.reviewed([ent.id])
    assert view.lines[0].daily_emission_so2_kg == Decimal("120.000")
    assert view.lines[0].emissions[0].reached_on.isoformat() == "2017-09-01"
    assert [p.number for p in view.permits] == ["P-JY-41"] and view not in db.session
    _claim_ultra_low(owner, ent, line)
    ops.submit_registration(owner, ent.id, {"version": ent.version})
    ops.approve_registration(official, ent.id, {"version": ent.version})
    db.session.commit()
    rows = db.session.scalars(select(ApprovedFacts).where(ApprovedFacts.enterprise_id == ent.id)
                              .order_by(ApprovedFacts.number)).all()
    assert [(r.number, r.origin) for r in rows] == [(1, "registration"), (2, "amendment")]
    assert rows[0].data["lines"][0]["daily_emission_so2_kg"] == "120.000"
    assert db.session.scalar(select(func.count()).select_from(ProductionLine)) == 1


def test_migration_backfills_a_copy_for_every_approved_registration(db_app, make_user, make_enterprise):
    """Upgrading an existing registry: approved registrations get their approved facts as they stand, so
    schedules and lists keep them (issue 14 point 10); a draft or submitted one gets none."""
    from flask_migrate import downgrade, upgrade

    county = make_user("county", "131002")
    kept, _ = make_enterprise(approved_by=county)
    pending, _ = make_enterprise(submitted=True)
    kept_id, kept_uscc, pending_id = kept.id, kept.uscc, pending.id
    db.session.commit()
    db.session.remove()
    downgrade(revision="ra14a10f0001")  # the approved-facts migration is the newest that matters here
    downgrade(revision="-1")  # …and undo just it: later migrations' own downgrades are theirs to test
    upgrade()
    rows = db.session.scalars(select(ApprovedFacts).order_by(ApprovedFacts.enterprise_id)).all()
    assert [(r.enterprise_id, r.number, r.origin) for r in rows] == [(kept_id, 1, "backfill")]
    (view,) = approved.reviewed([kept_id])
    assert view.uscc == kept_uscc and [ln.code for ln in view.lines] == ["L1"]
    assert approved.reviewed([pending_id]) == []


def test_an_officials_import_is_approved_facts_and_a_reimport_adds_no_copy(db_app):
    """An official's (here the system's) import writes approved registrations: they get their approved facts
    at once; importing the same file again changes nothing and keeps no new copy."""
    from registry.accounts.auth import SYSTEM
    from registry.exchange import operations as xops
    from tests.builders.files import full_book

    book = full_book((1, 2))
    assert xops.import_workbook(SYSTEM, book, "register.xlsx", dry_run=False).report.written
    db.session.commit()
    rows = db.session.scalars(select(ApprovedFacts).order_by(ApprovedFacts.enterprise_id)).all()
    assert len(rows) == 2 and {r.origin for r in rows} == {"import"} and all(r.data["lines"] for r in rows)
    assert not xops.import_workbook(SYSTEM, book, "register.xlsx", dry_run=False).report.written
    assert db.session.scalar(select(func.count()).select_from(ApprovedFacts)) == 2


def test_enterprise_page_says_which_facts_schedules_and_lists_use(client, make_user):
    """A reopened registration's page says the approved version still counts (issue 14 point 10)."""
    from tests.builders import login

    official = make_user("county", JIYUAN)
    owner, ent, line = _steel_works(make_user, official)
    _claim_ultra_low(owner, ent, line)
    login(client, owner.username)
    page = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    assert 'id="approved-facts" data-number="1"' in page


def test_a_plan_floor_is_read_on_the_approved_facts(db_app, make_user):
    """003:50-51: a 一厂一策 plan may not be weaker than the pack for the line the list holds — the approved one.
    Relabelling the blast furnace as a gas boiler in an unapproved amendment does not lower its floor."""
    from grading.packs import get_pack
    from registry.emergency.minimum import floors
    from registry.emergency.orders import area_orders
    from registry.policy.packs import first_season_day

    official = make_user("county", JIYUAN)
    owner, ent, line = _steel_works(make_user, official)
    ops.reopen_registration(owner, ent.id, {"version": ent.version})
    ops.update_line(owner, line.id, line_payload(sector="other", sub_type="none", kind="boiler", fuel="natural_gas",
                                                 equipment=[]), expected_version=line.version)
    db.session.commit()
    season = first_season_day(get_pack(PACK))  # a heating-season alert day
    floor = floors(ent, get_pack(PACK), ["red"], None, on=season)[(line.id, "red")]
    assert (floor.measure, floor.percent) == ("curtail", 30.0) and any("R-JY-01" in c for c in floor.clauses)
    # issue 17: the plan's own floor is the alert's minimum (read before the season), but an order on a heating-season
    # alert day holds the approved blast furnace to the day's decision whatever the plan says (R-O-03)
    (order,) = area_orders(PACK, season, "red", enterprise_ids=[ent.id])
    item = next(i for i in order["lines"] if i["line_id"] == line.id)
    assert (item["measure"], item["percent"]) == ("curtail", 30.0) and "R-JY-01" in {r["rule"] for r in item["reasons"]}
