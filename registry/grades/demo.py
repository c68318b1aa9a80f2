"""Demo grade applications in every state (draft, submitted, returned, publicity, effective, downgraded).

Built through the operations from the demo city's approved Langfang enterprises in graded industries,
so the demo shows the whole procedure: the printed accounts `anci` (county) and `langfang` (city)
review and approve; officials of other Langfang counties are created as needed.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from registry.accounts.auth import SYSTEM
from registry.accounts.models import User
from registry.accounts.operations import create_user
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.grades import operations as ops
from registry.policy.grades import GRADED_INDUSTRIES, get_criteria

GRADED = {s.value for s in GRADED_INDUSTRIES}
DEMO_PASSWORD = "lantian-demo-2026"  # noqa: S105  # nosec B105  # registry.demo's published demo password; not imported (it imports this module)
PDF = b"%PDF-1.4\n% demo evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# The demo's applications, in this order, one enterprise each.
STATES = ("draft", "submitted", "returned", "publicity", "effective", "downgraded", "effective_b")


def _answer(ind, level: str):
    t = ind.a if level == "A" else ind.b
    if ind.kind == "choice":
        return t.value[-1]
    if ind.kind == "bool":
        return True
    return t.value


def answers_for(industry: str, weak: tuple[str, ...] = ()) -> dict:
    """A-level answers, except B-level for the indicators in `weak` (short-board → B)."""
    crit = get_criteria(industry)
    return {i.key: _answer(i, "B" if i.key in weak else "A") for i in crit.indicators}


def _county_official(code: str) -> User:
    user = db.session.scalar(select(User).where(User.role == "county", User.region_code == code))
    if user is None:
        user = create_user(SYSTEM, {"username": f"county-{code}", "password": DEMO_PASSWORD, "role": "county",
                                    "region_code": code, "full_name": f"县级审核员 {code}"})
    return user


def build_grade_demo(city: User, publisher: User | None = None) -> dict[str, int]:
    """Applications for up to len(STATES) approved Langfang enterprises of the 15 industries."""
    owners = {u.enterprise_id: u for u in db.session.scalars(select(User).where(User.enterprise_id.is_not(None)))}
    candidates = [e for e in db.session.scalars(select(Enterprise).where(Enterprise.status == "approved",
                                                                         Enterprise.region_code.startswith("1310"))
                                                .order_by(Enterprise.id))
                  if e.id in owners and any(line.sector in GRADED for line in e.lines)]
    counts: dict[str, int] = {}
    for state, ent in zip(STATES, candidates):
        owner = owners[ent.id]
        county = _county_official(ent.region_code)
        by_industry: dict[str, list[int]] = {}
        for line in ent.lines:
            if line.sector in GRADED:
                by_industry.setdefault(line.sector, []).append(line.id)
        weak = ("clean_transport_share",) if state in ("effective_b", "returned") else ()
        app = ops.create_application(owner, {"enterprise_id": ent.id, "industries": {
            ind: {"line_ids": ids, "answers": answers_for(ind, weak)} for ind, ids in by_industry.items()}})
        first = sorted(by_industry)[0]
        ops.add_evidence(owner, app.id, "监测报告.pdf", PDF, industry=first, indicator="cems_transmission_rate")
        counts[state] = counts.get(state, 0) + 1
        if state == "draft":
            continue
        ops.submit_application(owner, app.id, {"version": app.version})
        if state == "submitted":
            continue
        if state == "returned":
            ops.review_documents(county, app.id, {"version": app.version, "note": "请补充运输合同。", "verdicts": {
                f"{first}.clean_transport_share": {"verdict": "returned", "reason": "铁路运输比例缺少运输合同佐证"}}})
            continue
        ops.review_documents(county, app.id, {"version": app.version})
        if state == "publicity":
            ops.approve(city, app.id, {"version": app.version})
            ops.file_objection(app.id, {"name": "市民", "text": "该企业门口常有柴油货车排队，请核查运输方式。"})
            continue
        # effective ones: a publicity period that has already ended (demo data only)
        saved = current_app.config.get("GRADE_PUBLICITY_DAYS")
        current_app.config["GRADE_PUBLICITY_DAYS"] = 0
        try:
            ops.approve(city, app.id, {"version": app.version})
        finally:
            if saved is None:
                current_app.config.pop("GRADE_PUBLICITY_DAYS")
            else:
                current_app.config["GRADE_PUBLICITY_DAYS"] = saved
        ops.make_effective(publisher or city, app.id, {"version": app.version})  # four eyes: not the approver
        if state == "downgraded":
            ops.record_finding(city, ent.id, {"kind": "fraud", "reason": "超低排放评估中在线监测数据弄虚作假"})
    db.session.flush()
    return counts
