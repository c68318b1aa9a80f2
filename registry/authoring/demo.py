"""Demo data for officials' packs (issue 20): ONE draft copy of the Langfang pack for the 2026-27 heating season,
clearly marked as an unreviewed example (未经审核的示例). It is a draft: nothing decides with it."""
from __future__ import annotations

from sqlalchemy import select

from registry.authoring import operations as ops
from registry.authoring.models import AuthoredPack
from registry.extensions import db

DEMO_PACK_ID = "langfang-2026-27-example"
DEMO_TITLE = "廊坊市2026-2027年秋冬季大气污染综合治理攻坚行动方案（未经审核的示例）"


def build_pack_demo() -> dict[str, int]:
    if db.session.scalar(select(AuthoredPack.id).where(AuthoredPack.pack_id == DEMO_PACK_ID)) is not None:
        return {"drafts": 0}
    from registry.accounts.models import User

    author = db.session.scalar(select(User).where(User.username == "langfang"))
    if author is None:
        return {"drafts": 0}
    ops.copy_pack(author, parent="langfang-2017-18", region_code="131000", season_year=2026, pack_id=DEMO_PACK_ID,
                  title=DEMO_TITLE, example=True)
    db.session.flush()
    return {"drafts": 1}
