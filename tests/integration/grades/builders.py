"""Moved to tests/builders/grades.py; this name stays for tests that still import it."""
from tests.builders.answers import PDF, STEEL_ANSWERS  # noqa: F401
from tests.builders.grades import (  # noqa: F401
    EVIDENCE_DIR,
    STATES,
    approved_enterprise,
    build_application,
    person_client,
    second_official,
    use_temp_evidence_dir,
)
