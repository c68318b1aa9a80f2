"""Item 4 from the command line: a city's notices written to one PDF (one notice a page) or a ZIP of per-enterprise
PDFs, with the progress on stderr (`flask schedule notices`, `flask emergency notices`)."""
from __future__ import annotations

import json
import zipfile

from registry.emergency import operations as em_ops
from registry.extensions import db
from registry.schedules import operations as ops
from tests.integration.notices.support import flat, pdf_text


def test_cli_writes_a_whole_list_of_notices_with_progress(db_app, tmp_path, make_user, make_enterprise):
    official = make_user("city", "131000", username="lf.city")
    county = make_user("county", "131002")
    ents = [make_enterprise(approved_by=county)[0] for _ in range(3)]
    schedule = ops.create_schedule(official, {"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017})
    version = ops.generate(official, schedule.id)
    lst = em_ops.compile_list(official, {"region_code": "131000", "pack_id": "langfang-2017-18"})
    db.session.commit()
    run = db_app.test_cli_runner().invoke  # click ≥ 8.2 keeps stderr apart

    out = run(args=["schedule", "notices", "--as", "lf.city", str(version.id), "--out", str(tmp_path / "all.pdf")])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout.splitlines()[-1])["notices"] == len(ents)
    assert f"{len(ents)}/{len(ents)}" in out.stderr
    pages, text = pdf_text((tmp_path / "all.pdf").read_bytes())
    assert pages == len(ents) and all(e.name in flat(text) for e in ents)

    out = run(args=["emergency", "notices", str(lst.id), "--date", "2018-01-10", "--level", "red", "--as-user", "lf.city",
                    "--out", str(tmp_path / "all.zip")])
    assert out.exit_code == 0, out.output
    archive = zipfile.ZipFile(tmp_path / "all.zip")
    assert len(archive.namelist()) == len(ents)
    assert all(pdf_text(archive.read(n))[0] == 1 for n in archive.namelist())

