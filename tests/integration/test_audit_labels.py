"""Issue 16 item 1 on the audit log: actions and audited objects in words ("发布错峰生产清单 · 廊坊市…错峰生产清单
第2版", not `schedule.publish` / `schedule_version #9`), the action filter a select of labels (no `grade.` placeholder).

Every action string the code writes (each `audit.record(user, ACTION, …)` and each bulk-inserted entry's
"action") must have a label in registry/audit/labels.py ("audit.action"); computed actions are expanded from
their known parts here, so a new computed action fails until it is listed.
(New msgids wait in registry/translations/pending/labels.tsv until the integrator merges them.)
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from registry.core import codes
from registry.demo import DEMO_PASSWORD
from registry.extensions import db
from registry.schedules.demo import build_schedule_demo
from tests.builders import login
from tests.integration.schedules.test_schedule_labels import SNAKE, english_words, visible_text

ROOT = Path(__file__).resolve().parents[2]
# Actions whose last part is computed: the constant part → every value it takes.
COMPUTED = {
    "enterprise.uscc_claim_": ["enterprise.uscc_claim_granted", "enterprise.uscc_claim_rejected"],  # claim.status
    "grade.": ["grade.violation", "grade.fraud"],  # FindingInput.kind (registry/grades/operations.py)
}


def written_actions() -> dict[str, str]:
    """{action: where} for every audit action string in registry/ (record()'s second argument, "action" keys)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "registry").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name == "record" and len(node.args) >= 2:
                    for part in ast.walk(node.args[1]):
                        if isinstance(part, ast.Constant) and isinstance(part.value, str) and "." in part.value:
                            for action in COMPUTED.get(part.value, [part.value]):
                                found.setdefault(action, where)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if isinstance(key, ast.Constant) and key.value == "action" and isinstance(value, ast.Constant):
                        found.setdefault(value.value, where)
    return found


def test_every_action_written_anywhere_has_a_label(app):
    import registry.audit.labels  # noqa: F401  (registers audit.action)

    actions = written_actions()
    assert len(actions) > 50 and "schedule.publish" in actions and "emergency.list.file" in actions
    missing = {a: w for a, w in actions.items() if not codes.known("audit.action", a)}
    assert not missing, missing
    with app.test_request_context("/"), force_locale("zh"):
        assert codes.label("audit.action", "schedule.publish") == "发布错峰生产清单"
        assert codes.label("audit.action", "emergency.list.file") == "备案应急减排清单"
        for action in actions:
            text = codes.label("audit.action", action)
            assert re.search(r"[\u4e00-\u9fff]", text) and not SNAKE.search(text), (action, text)


@pytest.mark.demo_city(per_city=4)
def test_the_audit_page_shows_actions_and_objects_in_words(client, demo_city):
    build_schedule_demo()
    db.session.commit()
    login(client, "shenji", DEMO_PASSWORD)
    html = client.get("/audit/?action=schedule.", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    text = visible_text(html, "audit-entries")
    assert "发布错峰生产清单" in text
    assert "廊坊市2017-2018年采暖季错峰生产清单 第1版" in text  # the published version, by its title and number
    assert "schedule_version" not in text and "schedule.publish" not in text
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    assert 'title="schedule.publish"' in html  # the code stays on hover
    # the filter: a select of labels, the search keeps the choice; no `grade.` placeholder
    assert 'placeholder="grade."' not in html
    assert re.search(r'<select name="action"[^>]*>', html)
    assert re.search(r'<option value="schedule\.publish"[^>]*>\W*发布错峰生产清单</option>', html)
    assert re.search(r'<option value="schedule\."[^>]* selected', html)
    filters = visible_text(html, "audit-filters")
    usual = {"API", "Excel", "CSV", "IP"}  # the terms Chinese forms use as they are
    assert not [w for w in english_words(filters) if w not in usual], english_words(filters)


def test_an_audit_exports_filters_read_as_words(app):
    from registry.audit.labels import summary_text

    with app.test_request_context("/"), force_locale("zh"):
        text = summary_text({"action": "audit.export", "summary": '{"action": "schedule.", "object_type": "permit"}'})
        assert "错峰" in text and "排污许可证" in text and "schedule" not in text
        assert summary_text({"action": "user.login_unknown", "summary": "someone"}) == "someone"


def test_every_table_an_entry_may_name_has_a_kind_label(app):
    """object_type is a table's name: every table of the registry has a label in "audit.object" (so the audit page
    never shows `schedule_version`), but for the few that are never audited objects."""
    import registry.audit.labels  # noqa: F401

    never_objects = {"region",  # reference data, loaded by `flask regions`, not audited per row
                     "password_history",  # kept inside the account's own entries
                     "alembic_version"}
    tables = {t.name for t in db.metadata.sorted_tables} - never_objects
    assert "schedule_version" in tables
    assert not sorted(t for t in tables if not codes.known("audit.object", t))
