"""bench/readings.py runs tiny (issue 19 "Speed": the scale flag lets tests and CI run it): every step answers, the
ingest stores every row once and a re-load none, and the check finds exactly the planted electricity violators."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_bench_readings_tiny(tmp_path):
    out = tmp_path / "readings.json"
    subprocess.run([sys.executable, "-m", "bench.readings", "--scale", "0.002", "--ingest-rows", "5000",  # noqa: S603
                    "--baseline-days", "5", "--work", str(tmp_path / "work"), "--output", str(out)],
                   check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3], timeout=600)
    result = json.loads(out.read_text())
    assert result["ingest"]["accepted"] == result["ingest"]["rows"] == 5000
    assert result["ingest"]["reload_duplicates"] == 5000 and result["ingest"]["reload_accepted"] == 0
    assert result["check"]["exact"] is True and result["check"]["violators_planted"] >= 2
    assert result["summary"]["ingest_ratio_to_duckdb_csv_scan_cpu"] is not None
    assert not (tmp_path / "work").exists()  # the generated files are removed
