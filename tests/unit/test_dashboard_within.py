"""registry/core/dashboard.within (issue 16, the dashboard at province scale): a scope prefix as a range of region
codes — exactly the codes that start with the prefix — so the index answers a city's or a county's counts."""
from __future__ import annotations

import pytest
from sqlalchemy import column

from registry.core.dashboard import within

CODES = ["130000", "130100", "130102", "131000", "131002", "131003", "131081", "131099", "131100", "139001", "140000",
         "419001", "120119"]


@pytest.mark.parametrize("prefix", ["1310", "131002", "1301", "4190", "419001", "1319"])
def test_the_range_holds_exactly_the_codes_under_the_prefix(prefix):
    low, high = (c.right.value for c in within(column("region_code"), prefix))
    assert [c for c in CODES if low <= c < high] == [c for c in CODES if c.startswith(prefix)]


@pytest.mark.parametrize("prefix", [None, "", "-", "13"])
def test_no_range_for_no_scope_a_non_code_or_a_province(prefix):
    assert within(column("region_code"), prefix) == []
