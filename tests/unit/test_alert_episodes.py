"""Alert episode rules, table-driven (tests/unit/alert_episode_cases.yaml; each case cites its clause):
R-W-02 lifting (000:147), R-W-03 merging on the strict side (000:147), R-W-06 advance notice (004:381)."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from grading.packs import get_pack
from grading.rules.episodes import EpisodeRules

CASES = yaml.safe_load((Path(__file__).parent / "alert_episode_cases.yaml").read_text(encoding="utf-8"))
T0 = datetime(2026, 12, 1, tzinfo=timezone.utc)


def _t(h) -> datetime:
    return T0 + timedelta(hours=float(h))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_episode_rule(case):
    assert case["clause"]
    rules = EpisodeRules.of(get_pack(case["pack"]))
    kind = case["kind"]
    if kind == "lift":
        for hours, ok in case["cases"].items():
            assert rules.may_lift(float(hours)) is ok, hours
        src = rules.grounds["lift"]["source"]
        assert (src == "local setting") is bool(case.get("local")), src
    elif kind == "plan":
        got = rules.plan([{**p, "start": _t(p["start"]), "end": _t(p["end"])} for p in case["processes"]])
        want = [{**e, "start": _t(e["start"]), "end": _t(e["end"])} for e in case["expect"]]
        assert [{k: g[k] for k in ("start", "end", "level", "processes")} for g in got] == want
        for g in got:
            assert bool(g["grounds"]) is (g["processes"] > 1)
            assert all(x["rule"] == "R-W-03" and x["source"] == "000:147" for x in g["grounds"])
    elif kind == "continues":
        for hours, ok in case["cases"].items():
            assert rules.continues(_t(case["lifted_at"]), _t(hours)) is ok, hours
        assert rules.continues(None, _t(1000)) is True
    elif kind == "change":
        for level, want in case["cases"].items():
            if want == "error":
                with pytest.raises(ValueError):
                    rules.change_kind(case["from"], level)
            else:
                assert rules.change_kind(case["from"], level) == want
    elif kind == "notice":
        for hours, flagged in case["cases"].items():
            flags = rules.notice_flags(T0, _t(hours))
            assert bool(flags) is flagged, hours
            assert all(f["rule"] == "R-W-06" and f["source"] == "004:381" for f in flags)


def test_every_pack_states_its_lifting_condition():
    """R-W-02: each pack carries alert_lift_hours, cited (000:147) or declared as a local setting."""
    from grading.packs import load_packs

    for pack in load_packs().values():
        rules = EpisodeRules.of(pack)
        assert rules.lift_hours == 36
        assert rules.grounds["lift"]["rule"] == "R-W-02"
