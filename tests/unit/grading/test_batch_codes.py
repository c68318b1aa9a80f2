"""Issue 18 item 1: the batch path reads facts as integer codes. However a frame codes its columns (object columns,
frame_from_documents' categoricals, categoricals whose categories are in any order, with missing values, lines of
one enterprise not adjacent), evaluate_frame decides exactly as on the plain object frame - and as the
per-enterprise path, which the property test (test_batch_property.py) and the scenario cases check."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from bench.province import documents, province_frame
from grading.batch import enterprise_summary, evaluate_frame, frame_from_documents, line_decisions_over
from grading.contract import evaluate

CASES = [("jiyuan-2018-19", "2018-12-10", "orange"), ("shijiazhuang-2018-20", "2018-12-10", "yellow"),
         ("jizhou-2018-19", "2018-12-10", "orange"), ("langfang-2017-18", "2017-12-10", "yellow"),
         ("jjj-2019-20", "2019-12-10", "orange")]


def _shuffled_categoricals(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Every column as a categorical whose categories are in a random order (codes not in order of appearance)."""
    rng = np.random.default_rng(seed)
    out = {}
    for c in frame.columns:
        values = frame[c].astype(object).where(frame[c].notna(), None)
        uniq = pd.unique(values.dropna().to_numpy(dtype=object))
        out[c] = pd.Categorical(values, categories=pd.Index(uniq[rng.permutation(len(uniq))], dtype=object))
    return pd.DataFrame(out)


def _outcome(frame: pd.DataFrame, pack: str, day: str, level: str) -> tuple[list, list]:
    lines, ents = evaluate_frame(frame, pack, date.fromisoformat(day), level)
    by_line = sorted(zip(lines["enterprise_id"].astype(str), lines["line_id"].astype(str), lines["decision"]))
    summaries = sorted((str(r["enterprise_id"]), enterprise_summary(r)) for r in ents.to_dict("records"))
    return by_line, summaries


@pytest.mark.parametrize("pack,day,level", CASES)
def test_any_coding_of_the_frame_decides_alike(pack, day, level):
    """Object columns, frame_from_documents' categoricals, shuffled categoricals and a row order that interleaves
    enterprises all give the same decision per line and the same summary per enterprise."""
    plain = province_frame(250, 1250, seed=18)
    docs = documents(plain, pack, day, level)
    expected = _outcome(plain, pack, day, level)
    assert _outcome(frame_from_documents(docs), pack, day, level) == expected
    assert _outcome(_shuffled_categoricals(plain, seed=1), pack, day, level) == expected
    # every enterprise's first line, then every second line…: enterprises interleaved, each one's lines in order
    nth = plain.groupby("enterprise_id", sort=False).cumcount().to_numpy()
    interleaved = plain.iloc[np.argsort(nth, kind="stable")].reset_index(drop=True)
    assert _outcome(interleaved, pack, day, level) == expected
    assert _outcome(_shuffled_categoricals(interleaved, seed=3), pack, day, level) == expected


def test_frame_from_documents_codes_enterprise_facts_once_per_enterprise():
    """Enterprise columns are categoricals (codes repeated over the enterprise's lines); line columns stay plain;
    nested facts are canonical JSON as before; the per-enterprise path agrees on a document with decisions."""
    docs = documents(province_frame(50, 200, seed=4), "jiyuan-2018-19", "2018-12-10", "none")
    docs[0]["official_decisions"] = [{"flag": "excluded_stop_or_strictest", "choice": "strictest_curtailment",
                                      "by": "official", "line": "L0"}]
    frame = frame_from_documents(docs)
    assert isinstance(frame["sector"].dtype, pd.CategoricalDtype)
    assert not isinstance(frame["line.kind"].dtype, pd.CategoricalDtype)
    assert len(frame) == sum(len(d["enterprise"]["lines"]) for d in docs)
    assert frame["decisions.line"].iloc[0] != "[]" and frame["decisions.line"].iloc[1] == "[]"
    lines, _ = evaluate_frame(frame, "jiyuan-2018-19", date(2018, 12, 10), "none")
    first = evaluate(docs[0])
    got = [(lid, d.measure.value) for lid, d, eid in zip(lines["line_id"], lines["decision"], lines["enterprise_id"])
           if eid == docs[0]["enterprise"]["enterprise_id"]]
    assert got == [(l["line_id"], l["measure"]) for l in first["lines"]]


def test_decisions_over_dates_accept_categorical_frames():
    """line_decisions_over groups a categorical frame as the object frame (same profiles, same decisions)."""
    plain = province_frame(200, 1000, seed=9)
    dates = [date(2018, 11, 15), date(2018, 12, 10)]
    codes_a, per_a = line_decisions_over(plain, "jiyuan-2018-19", dates)
    codes_b, per_b = line_decisions_over(_shuffled_categoricals(plain, seed=5), "jiyuan-2018-19", dates)
    for a, b in zip(per_a, per_b):
        assert [a[c] for c in codes_a] == [b[c] for c in codes_b]
