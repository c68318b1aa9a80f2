"""grade decisions: the engine notes stored before issue 15 item 1 get their code and params

The grade pages render a reason's or an indicator's note from its `code` + `params` (grading/notes.py,
registry/grades/labels.py) and no longer parse English. Decisions stored before carry only the English `note`;
this data migration reads those notes once (the sentences the engine and registry.grades.operations wrote)
and adds `code` and `params`, keeping `note` as it is. Notes it does not recognise (typed by an official) are
left alone. Downgrade removes the two keys again.

Revision ID: ec15a1e0c0de
Revises: ra14a10f0001
Create Date: 2026-12-05 00:55:00

"""
import ast
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ec15a1e0c0de'
down_revision = 'ra14a10f0001'
branch_labels = None
depends_on = None


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


_NOTES = (
    (re.compile(r"^no answer$"), lambda m: ("grade.no_answer", {})),
    (re.compile(r"^does not meet B \((?P<v>.*)\)$", re.S), lambda m: ("grade.below_b", {"value": _literal(m["v"])})),
    (re.compile(r"^meets (?P<g>[ABC]) \((?P<v>.*)\)$", re.S),
     lambda m: ("grade.meets", {"grade": m["g"], "value": _literal(m["v"])})),
    (re.compile(r"^fraud in the ultra-low evaluation: (emergency )?grade lowered to C$"),
     lambda m: ("grade.fraud_to_c", {})),
    (re.compile(r"^preferential policies cancelled: no differentiated emergency measures for ultra-low emission$"),
     lambda m: ("grade.preferences_cancelled", {})),
    (re.compile(r"^violation: downgrade rule (?P<r>\w+)$"), lambda m: ("grade.violation_downgrade", {"rule": m["r"]})),
    (re.compile(r"^short-board principle: each industry takes its worst indicator; "
                r"a multi-industry enterprise takes its worst industry$"), lambda m: ("grade.short_board", {})),
    (re.compile(r"^not within grading: fails (?P<c>.*); shutdown or the strictest curtailment per production line$",
                re.S), lambda m: ("grade.excluded", {"conditions": [c.strip() for c in m["c"].split(",") if c.strip()]})),
)

grade_decision = sa.table("grade_decision", sa.column("id", sa.Integer), sa.column("reasons", sa.JSON),
                          sa.column("indicators", sa.JSON))


def _coded(item):
    if not isinstance(item, dict) or item.get("code") or not item.get("note"):
        return item
    for pattern, parse in _NOTES:
        m = pattern.match(str(item["note"]))
        if m:
            code, params = parse(m)
            return {**item, "code": code, "params": params}
    return item


def _uncoded(item):
    if not isinstance(item, dict) or not str(item.get("code") or "").startswith("grade."):
        return item
    return {k: v for k, v in item.items() if k not in ("code", "params")}


def _rewrite(change):
    bind = op.get_bind()
    rows = bind.execute(sa.select(grade_decision.c.id, grade_decision.c.reasons, grade_decision.c.indicators)).all()
    for row in rows:
        reasons = [change(r) for r in (row.reasons or [])]
        indicators = [change(r) for r in (row.indicators or [])]
        if reasons != (row.reasons or []) or indicators != (row.indicators or []):
            bind.execute(grade_decision.update().where(grade_decision.c.id == row.id)
                         .values(reasons=reasons, indicators=indicators))


def upgrade():
    _rewrite(_coded)


def downgrade():
    _rewrite(_uncoded)
