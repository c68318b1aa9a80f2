"""Schemathesis against the generated OpenAPI document, over real HTTP (issue 9 item 4, ASVS V5).

The app runs under werkzeug's `make_server` in a thread on the test database (SQLite file, or
PostgreSQL in `make test`'s second pass). Schemathesis loads `/api/v1/openapi.json` from it and,
for EVERY operation, generates requests from the documented parameters and bodies — once as a
city official (131000) and once as an enterprise user, each with a Bearer token made by
`accounts.operations.create_token`. Each response must pass

- `not_a_server_error`: no 5xx;
- `response_schema_conformance`: the body matches the documented schema of its status;
- `status_code_conformance`: the status is one the operation documents.

Half of the cases aim at objects that exist (the world of tests/api/world.py: an approved
enterprise with a line and permit, a submitted grade application, a city schedule, an emergency
list and plan), so the fuzzer reaches the operations' validation and not only their 404s.
Bounded for CI: per operation 15 positive and 5 negative (schema-violating) cases as the
official, 6 and 3 as the enterprise user (`EXAMPLES`; `FUZZ_SCALE=4` for a longer local run),
from a fixed seed (the same cases every run), no deadline. Failures are collected
and reported together with the figures (cases per operation, total).
"""
from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_schema_conformance,
    status_code_conformance,
)

# Cases per operation: (positive, negative) for each actor; FUZZ_SCALE multiplies them for a longer local run.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
EXAMPLES = {"official": (15, 5), "enterprise": (6, 3)}
SEED = 20261127
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

# Figures of the last run, read by the report (docs/security.md "Bad input").
FIGURES: dict[str, Counter] = {}


def _world_ids(world) -> dict[str, int | str]:
    """Real ids for the path parameters, by (path prefix, parameter name)."""
    import tests.authz.emergency  # noqa: F401  (registers the lazy world builders)
    import tests.authz.schedules  # noqa: F401

    grade_application = world.values["application_id"]
    world.fill("{emergency_list_id} {emergency_plan_id} {schedule_id}")  # build the lazy parts
    return {
        "enterprise_id": world.enterprise.id,
        "line_id": world.line.id,
        "permit_id": world.permit.id,
        "token_id": world.token.id,
        "user_id": world.owner.id,
        "grade_application_id": grade_application,
        "schedule_application_id": world.values["application_id"],
        "objection_id": world.values.get("objection_id", 1),
        "list_id": world.values["emergency_list_id"],
        "proposal_id": world.values["emergency_proposal_id"],
        "plan_id": world.values["emergency_plan_id"],
        "schedule_id": world.values["schedule_id"],
        "version_id": world.values["published_id"],
        "industry": "steel",
        "kind": "enterprises",
    }


def _known(path: str, name: str, ids: dict) -> object:
    if name == "application_id":
        return ids["schedule_application_id" if path.startswith("/api/v1/schedule") else "grade_application_id"]
    return ids.get(name)


def _describe(operation, mode, case, response, failure) -> str:
    text = " ".join(line.strip() for line in str(failure).splitlines() if line.strip())
    body = response.text[:300].replace("\n", " ")
    return (f"{operation.label} [{mode.value}] → {response.status_code}: {text[:600]}\n"
            f"    path={case.path_parameters} query={case.query} body={str(case.body)[:200]!s}\n    response={body}")


def _fuzz_operation(operation, base_url: str, headers: dict, ids: dict, mode, examples: int, failures: list) -> int:
    """Run `examples` generated cases of `operation`; returns how many were sent."""
    sent = {"n": 0}
    path_names = [p.name for p in operation.path_parameters]

    @seed(SEED)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate])  # nothing raises, so there is nothing to shrink
    @given(case=operation.as_strategy(generation_mode=mode), aim=st.booleans())
    def run(case, aim):
        if aim and case.path_parameters is not None:
            for name in path_names:
                value = _known(operation.path, name, ids)
                if value is not None:
                    case.path_parameters[name] = value
        sent["n"] += 1
        try:
            response = case.call(base_url=base_url, headers=headers, timeout=60)
        except Exception as exc:  # a dropped connection is a failure too
            failures.append(f"{operation.label}: no response ({exc!r})")
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseExceptionGroup as group:  # schemathesis' FailureGroup: one entry per failed check
            for failure in group.exceptions:
                failures.append(_describe(operation, mode, case, response, failure))
        except Exception as failure:
            failures.append(_describe(operation, mode, case, response, failure))

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body): only positive cases
        assert mode is GenerationMode.NEGATIVE, f"{operation.label}: no valid request can be generated"
    return sent["n"]


def test_every_operation_survives_generated_requests_as_official_and_enterprise(live_server, db_app):
    from registry.accounts.models import User
    from registry.extensions import db
    from tests.api.world import bearer_headers, build_world

    world = build_world("grade_submitted", "city_in")
    ids = _world_ids(world)
    actors = (("official", world.actor.id), ("enterprise", world.owner.id))
    db.session.commit()

    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    # Revoking tokens last: the fuzzer may revoke the very token it authenticates with.
    operations.sort(key=lambda op: op.path.startswith("/api/v1/tokens/"))
    failures: list[str] = []
    per_operation: Counter = Counter()
    for actor_name, actor_id in actors:
        positive, negative = (max(1, round(n * SCALE)) for n in EXAMPLES[actor_name])
        for operation in operations:
            db.session.remove()  # read what the server committed
            # a fresh token each time: an earlier case may have revoked (or the user deactivated) one
            headers = bearer_headers(db.session.get(User, actor_id))
            for mode, examples in ((GenerationMode.POSITIVE, positive), (GenerationMode.NEGATIVE, negative)):
                if examples:
                    per_operation[operation.label] += _fuzz_operation(operation, live_server, headers, ids, mode, examples, failures)
    FIGURES["per_operation"] = per_operation
    total = sum(per_operation.values())
    report = "\n".join(f"{n:5d}  {label}" for label, n in sorted(per_operation.items()))
    print(f"\nschemathesis: {len(operations)} operations, {total} cases\n{report}")
    assert len(operations) >= 70, "the OpenAPI document lost operations"
    assert not failures, f"{len(failures)} failing cases of {total}:\n" + "\n".join(sorted(set(failures)))
