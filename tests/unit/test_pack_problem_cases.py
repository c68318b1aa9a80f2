"""Issue 20: the loader's refusals as YAML cases (tests/unit/pack_problem_cases.yaml): each edit of a shipped pack
gives exactly the listed problems (code and path) from check_pack, and parse_pack raises the first of them — the
same loader for shipped and authored packs, every problem listed rather than only the first."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grading.errors import PackError
from grading.packs import PACK_DIR, PROBLEM_CODES, check_pack, parse_pack

CASES = yaml.safe_load((Path(__file__).parent / "pack_problem_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_pack_problem_case(case):
    text = (PACK_DIR / f"{case['pack']}.yaml").read_text(encoding="utf-8")
    for old, new in case["replace"]:
        assert old in text, old
        text = text.replace(old, new, 1)
    found = check_pack(text, "draft.yaml")
    assert [[e.code, e.key] for e in found] == case["problems"]
    with pytest.raises(PackError) as info:
        parse_pack(text, "draft.yaml")
    assert (info.value.code, info.value.key) == tuple(case["problems"][0])


def test_the_cases_cover_most_problem_codes():
    covered = {code for case in CASES for code, _path in case["problems"]}
    assert covered <= set(PROBLEM_CODES)
    assert len(covered) >= 20
