"""Short form of the load test (issue 9 §8) for every `make test`: 20 people for 30 s on a tiny province.

It runs the real runner end to end — throwaway PostgreSQL, import of the synthetic workbook,
gunicorn, locust — and fails only when a request failed or the report is missing. Timings are
reported, never asserted (speed is measured in bench/, see docs/performance.md "Load").
"""
from __future__ import annotations

import glob
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(not glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                       reason="PostgreSQL server binaries not installed (make system-deps)"),
    pytest.mark.slow,  # a cluster, gunicorn and 30 s of load: `make test` only
]


def test_short_load_run_has_no_errors_and_writes_its_report(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "bench/load/run.py"), "--users", "20", "--spawn-rate", "10",  # noqa: S603
                           "--duration", "30", "--scale", "0.005", "--workers", "2", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1200)
    reports = sorted(tmp_path.glob("load-*.json"))
    assert reports and (tmp_path / reports[-1].name.replace(".json", ".md")).exists(), proc.stdout[-2000:] + proc.stderr[-3000:]
    result = json.loads(reports[-1].read_text(encoding="utf-8"))
    print(reports[-1].with_suffix(".md").read_text(encoding="utf-8"))
    assert result["summary"]["requests"] > 0
    assert result["summary"]["failures"] == 0, result["failures"]
    assert {r["name"] for r in result["requests"]} >= {"trivial: GET /healthz", "list: GET /enterprises/ (page)"}
    assert proc.returncode == 0, proc.stderr[-3000:]
