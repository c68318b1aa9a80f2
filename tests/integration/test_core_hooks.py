"""`core` is the ground floor (issue 15 item 3): the domains register with it what it shows and runs — their
events in an enterprise's history, the audit visibility rules (issue 13 Medium 8), the demo builders — instead
of `core` importing them. These tests check that the application wires every hook, and that a hook missing
makes the audit search refuse rather than show more."""
from __future__ import annotations

import pytest
from flask import Flask

from registry.core import audit_scope, labels
from registry.core.demo_builders import builders
from registry.core.hooks import registered


def test_the_domains_register_their_hooks_with_core(db_app):
    assert set(registered(labels.KIND)) >= {"grades", "emergency"}
    assert set(registered(audit_scope.KIND)) >= set(audit_scope.SCOPED_OBJECT_TYPES)
    names = [b.build.__module__ for b in builders(db_app)]
    # the city first: the others build on it (readings' meters on its enterprises, the checks on the alert demo's
    # episode and the readings, the draft pack on Langfang's pack)
    assert names == ["registry.demo", "registry.schedules.cli", "registry.alerts.cli", "registry.readings.cli",
                     "registry.authoring.cli", "registry.compliance.cli"]


def test_other_domains_events_get_their_labels_in_the_history(db_app):
    """An emergency plan's filing and a grade event are labelled by their own domains; the enterprise's own
    actions are left to the enterprise pages (None)."""
    with db_app.test_request_context("/?lang=en"):
        plan = labels.history_view({"action": "emergency.plan.file"})
        assert plan == {"action_label": "Emergency plan (one plant, one policy) filed", "diff": []}
        grade = labels.history_view({"action": "grade.apply.submit", "after": {"system": "emergency"}})
        assert grade is not None and grade["action_label"]
        assert labels.history_view({"action": "enterprise.update"}) is None


def test_a_missing_visibility_rule_refuses_instead_of_showing_drafts():
    """Issue 13 Medium 8 fails closed: an app where the grades rule is not registered cannot answer an
    official's audit search with entries about never-submitted grade applications."""
    bare = Flask("bare")
    audit_scope.register_visible_objects(bare, "enterprise", lambda actor: None)
    with bare.app_context(), pytest.raises(RuntimeError, match="grade_application"):
        audit_scope.visible_object_conditions(actor=None)
