"""Evidence files: type by magic bytes, size bound, SHA-256 storage outside the web root, scoped download."""
from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from tests.builders import ANCI, GUANGYANG, login
from tests.builders.grades import PDF, build_application, person_client


def _ooxml(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{part}/document.xml", "<x/>")
    return out.getvalue()


OK_FILES = [
    ("scan.pdf", PDF), ("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20), ("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20),
    ("report.docx", _ooxml("word")), ("data.xlsx", _ooxml("xl")),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 20), ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 20),
]
BAD_FILES = [
    ("evil.pdf", b"MZ\x90\x00" + b"0" * 20),            # an executable named .pdf
    ("photo.png", PDF),                                  # a PDF named .png
    ("page.html", b"<html><script>alert(1)</script>"),  # not an accepted type
    ("fake.docx", b"PK\x03\x04not a zip"),              # broken zip
    ("empty.pdf", b""),
]


@pytest.fixture()
def draft(db_app, make_user, make_enterprise):
    from registry.extensions import db

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "draft")
    db.session.commit()
    return ent, owner, county, app


@pytest.mark.parametrize(("name", "data"), OK_FILES)
def test_accepted_types_are_stored_by_their_sha256_outside_the_web_root(draft, name, data, db_app):
    from registry.grades import evidence
    from registry.grades import operations as ops

    _ent, owner, _county, app = draft
    row = ops.add_evidence(owner, app.id, name, data)
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    path = evidence.path_for(row.sha256)
    assert path.read_bytes() == data
    assert "static" not in path.parts


@pytest.mark.parametrize(("name", "data"), BAD_FILES)
def test_a_file_whose_content_does_not_match_is_refused(draft, name, data):
    from registry.core.errors import ValidationFailed
    from registry.grades import operations as ops

    _ent, owner, _county, app = draft
    with pytest.raises(ValidationFailed) as err:
        ops.add_evidence(owner, app.id, name, data)
    assert "file" in err.value.errors


def test_a_file_over_the_size_limit_is_refused(draft, db_app):
    from registry.core.errors import ValidationFailed
    from registry.grades import operations as ops

    _ent, owner, _county, app = draft
    db_app.config["GRADE_EVIDENCE_MAX_BYTES"] = 100
    try:
        with pytest.raises(ValidationFailed):
            ops.add_evidence(owner, app.id, "big.pdf", PDF + b"0" * 200)
    finally:
        db_app.config.pop("GRADE_EVIDENCE_MAX_BYTES")


def test_download_in_scope_only_404_otherwise(db_app, make_user, make_enterprise):
    from registry.extensions import db

    county = make_user("county", ANCI)
    outsider = make_user("county", GUANGYANG)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "submitted")
    db.session.commit()
    url = f"/grades/evidence/{app.evidence[0].id}"
    for user, status in ((owner, 200), (county, 200), (outsider, 404)):
        c = person_client(db_app)
        login(c, user.username)
        r = c.get(url)
        assert r.status_code == status, user.username
        if status == 200:
            assert r.data == PDF and "attachment" in r.headers["Content-Disposition"]
    assert person_client(db_app).get(url).status_code == 302  # anonymous → log in


def test_deleting_a_draft_keeps_evidence_that_was_submitted(db_app, make_user, make_enterprise):
    """A returned application reopened as draft… is not deletable; a draft's unsubmitted files go, submitted ones stay."""
    from registry.extensions import db
    from registry.grades import operations as ops
    from registry.grades.models import Evidence

    county = make_user("county", ANCI)
    ent, owner = make_enterprise(ANCI, approved_by=county)
    app = build_application(owner, ent, "draft")
    kept = app.evidence[0]
    kept.submitted_at = kept.uploaded_at  # evidence that went to the county with an earlier submission
    fresh = ops.add_evidence(owner, app.id, "new.pdf", PDF + b"new")
    db.session.commit()
    kept_id, fresh_id = kept.id, fresh.id
    ops.delete_application(owner, app.id, {"version": app.version})
    db.session.commit()
    assert db.session.get(Evidence, fresh_id) is None
    row = db.session.get(Evidence, kept_id)
    assert row is not None and row.application_id is None and row.enterprise_id == ent.id
