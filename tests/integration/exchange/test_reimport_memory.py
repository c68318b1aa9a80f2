"""Re-import at province scale within its memory (issue 18 item 2): the stored rows' equal texts are one object, and
the comparison copies only the rows that change — with the same create/update/unchanged counts and the same
before/after in the audit log as before (issue 8 §5: an import reports and records each changed row)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.builders.files import enterprise_row, full_book, line_row, workbook
from tests.builders.payloads import ANCI, valid_uscc
from tests.integration.exchange.conftest import problems


def test_stored_texts_are_one_object_per_value_across_query_chunks(do_import, admin, monkeypatch):
    """plan._select_in reads the stored rows in chunks of keys; equal texts of a column are shared across the chunks,
    None stays None, numbers are untouched, and every value equals a plain read of the same rows."""
    from registry.exchange import plan
    from registry.extensions import db

    assert do_import(admin, full_book((1, 2, 3))).written
    line = db.metadata.tables["production_line"]
    columns = [line.c.id, line.c.enterprise_id, line.c.kind, line.c.capacity_unit, line.c.name, line.c.capacity]
    ids = [r[0] for r in db.session.execute(select(line.c.enterprise_id)).all()]
    monkeypatch.setattr(plan, "CHUNK", 1)  # one enterprise per query: the sharing must cross chunks
    got = plan._select_in(columns, line.c.enterprise_id, ids).sort_values("id", ignore_index=True)
    plain = db.session.execute(select(*columns).order_by(line.c.id)).all()
    assert [tuple(r) for r in got.itertuples(index=False)] == [tuple(r) for r in plain]
    units = got["capacity_unit"].tolist()
    assert len(units) == 4 and len(set(units)) == 1 and all(u is units[0] for u in units)
    blast = got.loc[got["kind"].eq(got["kind"].iloc[0]), "kind"].tolist()
    assert len(blast) >= 2 and all(k is blast[0] for k in blast)


def test_reimport_in_another_order_updates_only_the_changed_rows_with_their_own_before(do_import, admin):
    """The column-wise comparison maps each file row to its own stored row: enterprises listed in another order, one
    name and one line changed — one update each, the rest unchanged, and the audit log's before is that row's."""
    from registry.core.models import AuditEntry
    from registry.extensions import db

    assert do_import(admin, full_book((1, 2, 3))).written
    data = workbook({
        "enterprises": [enterprise_row(3, name="改名后的企业三"), enterprise_row(1), enterprise_row(2)],
        "lines": [line_row(2, capacity=250), line_row(3), line_row(1),
                  line_row(1, "L2", name="2号烧结机", kind="烧结机", so2_status=None, so2_reached_on=None)],
    })
    report = do_import(admin, data)
    assert report.ok, problems(report)
    assert report.written
    assert {s.key: (s.create, s.update, s.unchanged) for s in report.sheets} == {
        "enterprises": (0, 1, 2), "lines": (0, 1, 3)}
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "enterprise.import")
                                 .order_by(AuditEntry.id.desc())).all()
    latest = {e.after["uscc"]: e for e in entries[:2]}
    assert set(latest) == {valid_uscc(2, ANCI), valid_uscc(3, ANCI)}
    assert latest[valid_uscc(3, ANCI)].before == {"name": "测试企业3有限公司"}
    assert latest[valid_uscc(3, ANCI)].after["fields"] == {"name": "改名后的企业三"}
    assert latest[valid_uscc(2, ANCI)].after["lines"] == {"updated": 1}
    # the update went to enterprise 2's line L1 (its stored id), not to the row at the same position
    from registry.enterprises.models import Enterprise, ProductionLine

    capacities = dict(db.session.execute(select(Enterprise.uscc, ProductionLine.capacity).join(ProductionLine)
                                         .where(ProductionLine.code == "L1")).all())
    assert {u: float(c) for u, c in capacities.items()} == {
        valid_uscc(1, ANCI): 200, valid_uscc(2, ANCI): 250, valid_uscc(3, ANCI): 200}


@pytest.mark.parametrize("seeds", [(1,), (1, 2, 3)])
def test_reimport_unchanged_reports_every_row_unchanged(do_import, admin, seeds):
    """Nothing changes: no update, nothing written (issue 8: a re-import of the same file writes nothing)."""
    assert do_import(admin, full_book(seeds)).written
    report = do_import(admin, full_book(seeds))
    assert report.ok and not report.written
    assert all(s.update == 0 and s.create == 0 for s in report.sheets)
