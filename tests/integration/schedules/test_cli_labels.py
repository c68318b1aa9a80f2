"""Issue 16 item 1: the CLI's human output (the progress lines of `flask schedule generate`) names the generation
phases in words, as the pages do, not as codes (`evaluating`)."""
from __future__ import annotations

import json


def test_generate_progress_lines_are_labels(db_app, make_user, make_enterprise):
    make_user("city", "131000", username="lf.cli")
    make_enterprise(approved_by=make_user("county", "131002"))
    result = db_app.test_cli_runner().invoke(args=[
        "schedule", "generate", "--as", "lf.cli", "--region", "131000", "--pack", "langfang-2017-18", "--season", "2017"])
    assert result.exit_code == 0, result.output + result.stderr
    assert json.loads(result.stdout)["entries"] > 0
    progress = result.stderr.splitlines()
    assert progress and not any(line.split()[0] in {"reading", "evaluating", "storing"} for line in progress), progress
