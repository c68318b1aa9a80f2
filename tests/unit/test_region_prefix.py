"""Issue 15 item 7: one region-prefix function (core/regions.region_prefix) for scopes, schedules, lists, filters."""
from __future__ import annotations

import pytest

from registry.core.regions import read_table, region_prefix


@pytest.mark.parametrize(("code", "prefix"), [
    ("130000", "13"), ("131000", "1310"), ("131002", "131002"),  # province, city, county
    ("110000", "11"), ("110100", "1101"),                          # a municipality and its 市辖区
    ("419000", "4190"), ("419001", "419001"),                      # 省直辖县级行政区划 and a county-level city
])
def test_prefix_by_code(code, prefix):
    assert region_prefix(code) == prefix


def test_prefix_matches_the_level_of_every_bundled_region():
    """The digits alone give the level's prefix for all of GB/T 2260 (province 2, city 4, county 6)."""
    length = {"province": 2, "city": 4, "county": 6}
    for row in read_table():
        assert region_prefix(row["code"]) == row["code"][:length[row["level"]]], row


def test_enclosing_codes():
    """A county's province and city, by its digits (the schedules an enterprise may read)."""
    from registry.core.regions import enclosing_codes

    assert enclosing_codes("131002") == ["130000", "131000"]
