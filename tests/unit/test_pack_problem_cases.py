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


def test_mangled_packs_never_crash_the_loader_and_both_modes_agree():
    """Issue 20: an official's draft may be any text. 600 random line edits of the shipped packs (deleted,
    duplicated, bracketed, nulled lines): check_pack never raises, parse_pack raises only PackError, exactly when
    check_pack reports a problem, and its first one."""
    import random

    texts = [p.read_text(encoding="utf-8") for p in sorted(PACK_DIR.glob("*.yaml"))]
    rng = random.Random(20261205)  # noqa: S311  # nosec B311  # reproducible mutations
    for n in range(600):
        lines = texts[n % len(texts)].splitlines()
        for _ in range(rng.randint(1, 3)):
            j, op = rng.randrange(len(lines)), rng.random()
            if op < 0.2:
                del lines[j]
            elif op < 0.35:
                lines.insert(j, lines[j])
            elif op < 0.5:
                lines[j] = lines[j].replace("[", "", 1)
            elif op < 0.65:
                lines[j] = lines[j].replace(": ", ": {x: ", 1) + "}"
            elif op < 0.75:
                lines[j] = lines[j].replace(": ", ": [", 1) + "]"
            elif op < 0.85:
                lines[j] = lines[j].replace(": ", ": null #", 1)
            else:
                lines[j] = lines[j].replace("1", "-", 1)
        text = "\n".join(lines)
        found = check_pack(text, "draft.yaml")
        try:
            parse_pack(text, "draft.yaml")
        except PackError as err:
            assert found and (err.key, err.code) == (found[0].key, found[0].code)
        else:
            assert found == []
