"""Issue 20: `flask packs copy|validate|diff|export|import|submit|review|activate` — the same operations as the pages
(permissions, four eyes, audit), JSON out; and the province's dashboard lists a submitted pack to review."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from registry.authoring.models import AuthoredPack
from registry.extensions import db

pytestmark = pytest.mark.demo_city(per_city=2)


def test_cli_copy_validate_export_import_review_activate(demo_city, tmp_path):
    runner = demo_city.test_cli_runner()
    out = runner.invoke(args=["packs", "copy", "--user", "langfang", "--from", "langfang-2017-18", "--region", "131000",
                              "--season", "2026"])
    assert out.exit_code == 0, out.output
    made = json.loads(out.output)
    assert made["pack_id"] == "langfang-2026-27"
    pid = str(made["id"])
    assert runner.invoke(args=["packs", "validate", pid]).exit_code == 0
    diff = runner.invoke(args=["packs", "diff", pid, "--user", "langfang"])
    assert diff.exit_code == 0 and "period.start" in diff.output
    path = tmp_path / "pack.yaml"
    assert runner.invoke(args=["packs", "export", pid, "--user", "langfang", "--out", str(path)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(path.read_text(encoding="utf-8").replace("heating_season:", "heating_seasons:"), encoding="utf-8")
    assert runner.invoke(args=["packs", "validate", str(bad)]).exit_code == 1
    refused = runner.invoke(args=["packs", "import", str(bad), "--user", "langfang", "--region", "131000", "--season", "2026"])
    assert refused.exit_code == 2
    assert runner.invoke(args=["packs", "submit", pid, "--user", "langfang"]).exit_code == 0
    assert runner.invoke(args=["packs", "review", pid, "--user", "langfang", "--decision", "approve"]).exit_code == 2

    # the province's dashboard lists the pack to review
    from registry.demo import DEMO_PASSWORD
    from tests.builders import login

    client = demo_city.test_client()
    login(client, "hebei", DEMO_PASSWORD)
    assert f"/packs/{pid}/review" in client.get("/dashboard/").get_data(as_text=True)

    assert runner.invoke(args=["packs", "review", pid, "--user", "hebei", "--decision", "approve"]).exit_code == 0
    act = runner.invoke(args=["packs", "activate", pid, "--user", "langfang"])
    assert act.exit_code == 0 and act.output.strip() == "active"
    db.session.expire_all()
    assert db.session.scalar(select(AuthoredPack.status).where(AuthoredPack.id == int(pid))) == "active"
    listed = runner.invoke(args=["packs", "list", "--user", "shijiazhuang"])
    assert "langfang-2026-27" in listed.output  # an active pack is readable by everyone
