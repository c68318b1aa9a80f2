"""R-V-05 (000:71): a county is listed for supervision (挂牌督办) when automatic monitoring falls below 90 % or several
enterprises exceed in a month; the readings (whose rate, how many is 几家) are declared and cited (issue 14 point 7)."""
from __future__ import annotations

import copy
from dataclasses import replace

from grading.facts import EnterpriseFacts, LineFacts
from grading.packs import get_pack
from grading.rules.supervision import county_listings
from grading.vocab import EmissionStatus, LineKind, Sector


def _ent(eid: str, rate=None, status="compliant") -> EnterpriseFacts:
    line = LineFacts("L1", LineKind.BOILER, has_cems=rate is not None, cems_transmission_rate=rate,
                     emission_status=EmissionStatus(status))
    return EnterpriseFacts(eid, Sector.STEEL, (line,))


def _with(pack, **values):
    data = copy.deepcopy(pack.data)
    for k, v in values.items():
        data["settings"][k]["value"] = v
    return replace(pack, data=data)


def test_county_listed_for_low_transmission_or_several_exceeders_with_readings_cited():
    pack = get_pack("langfang-2017-18")
    rows = [("131002", _ent("a", 88)), ("131002", _ent("b", 99)), ("131003", _ent("c", 95)),
            ("131022", _ent("d", status="non_compliant")), ("131022", _ent("e", status="non_compliant"))]
    out = {c.county: c for c in county_listings(pack, rows)}
    assert out["131002"].listed and out["131002"].low_transmission == ("a",)
    assert not out["131003"].listed
    assert out["131022"].listed and out["131022"].exceeding == ("d", "e")
    for c in out.values():
        notes = " ".join(r.note for r in c.reasons)
        assert "pack setting county_rate_reading=" in notes and "pack setting several_exceeding_enterprises=" in notes
    # the other readings change the outcome, and the rows still cite them
    avg = {c.county: c for c in county_listings(_with(pack, county_rate_reading="county_average"), rows)}
    assert not avg["131002"].listed and avg["131002"].mean_rate == 93.5
    three = {c.county: c for c in county_listings(_with(pack, several_exceeding_enterprises=3), rows)}
    assert not three["131022"].listed
    assert "several_exceeding_enterprises=3" in " ".join(r.note for r in three["131022"].reasons)


def test_packs_without_the_clause_list_nothing():
    assert county_listings(get_pack("jjj-2019-20"), [("130102", _ent("a", 50))]) == []
