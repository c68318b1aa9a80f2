"""Import a small register, re-import it (nothing changes), export it and import the export (nothing changes)."""
from __future__ import annotations

from tests.builders.files import full_book
from tests.integration.exchange.conftest import counts, problems


def test_import_creates_every_sheet_then_reimport_is_unchanged(do_import, admin):
    data = full_book()
    dry = do_import(admin, data, dry_run=True)
    assert dry.ok, problems(dry)
    assert counts()["enterprise"] == 0
    summary = {s.key: (s.create, s.update, s.unchanged) for s in dry.sheets}
    assert summary == {"enterprises": (2, 0, 0), "lines": (3, 0, 0), "equipment": (2, 0, 0), "permits": (2, 0, 0)}

    real = do_import(admin, data)
    assert real.ok and real.written
    c = counts()
    assert (c["enterprise"], c["production_line"], c["equipment"], c["permit"], c["line_emission"]) == (2, 3, 2, 2, 2)
    audit = c["audit_entry"]
    assert audit == 1 + 2  # one summary, one per enterprise

    again = do_import(admin, data)
    assert again.ok and not again.written
    assert {s.key: (s.create, s.update, s.unchanged) for s in again.sheets} == {
        "enterprises": (0, 0, 2), "lines": (0, 0, 3), "equipment": (0, 0, 2), "permits": (0, 0, 2)}
    assert counts()["audit_entry"] == audit
