"""grading.batch.line_decisions_over (a schedule's cuts in one grouping) = evaluate_frame at each date."""
from __future__ import annotations

import pytest

from bench.province import documents, province_frame
from grading.batch import evaluate_frame, frame_from_documents, line_decisions_over
from registry.schedules import provenance


@pytest.mark.parametrize("pack,season", [("jiyuan-2018-19", 2018), ("shijiazhuang-2018-20", 2019), ("langfang-2017-18", 2017),
                                         ("jizhou-2018-19", 2018)])
def test_decisions_over_the_cuts_equal_one_batch_evaluation_per_date(pack, season):
    start, end = provenance.season_bounds(pack, season)
    cuts = provenance.evaluation_dates(pack, start, end) + [end.replace(day=1)]  # an extra date inside the season
    docs = documents(province_frame(300, 1500, seed=6), pack, start.isoformat(), "none")
    frame = frame_from_documents(docs)
    codes, per_date = line_decisions_over(frame, pack, cuts)
    for on, decided in zip(cuts, per_date):
        lines, _ents = evaluate_frame(frame, pack, on, "none", workers=1)
        assert [decided[c] for c in codes] == list(lines["decision"]), on
