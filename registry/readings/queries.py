"""Scoped reads for readings: the identities a file names (meters by USCC and code, stacks by MN, enterprises by
USCC) resolved for an actor, an enterprise's meters and stacks, and the batches an actor may see."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from registry.accounts.scopes import scope_prefix
from registry.core.regions import enclosing_codes
from registry.enterprises.models import Enterprise, ProductionLine
from registry.extensions import db
from registry.readings import auth
from registry.readings.ingest import Lookup
from registry.readings.models import Meter, ReadingBatch, Stack

CHUNK = 2000


def city_of(region_code: str) -> str:
    """The city (GB/T 2260) a county-level code belongs to: the store's partition key. A city-level code stands
    for itself (county-level cities directly under a province keep their own code)."""
    if region_code.endswith("0000"):
        return region_code
    return enclosing_codes(region_code)[1] if not region_code.endswith("00") else region_code


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def resolver(actor):
    """`resolve(kind, keys) -> Lookup` for ingest.check, reading only the identities the file names."""

    def resolve(kind: str, keys: list[str]) -> Lookup:
        keys = [k for k in keys if k]
        rows = []
        if kind == "electricity":
            usccs = sorted({k.split("|", 1)[0] for k in keys})
            for part in _chunks(usccs):
                stmt = (select(Meter.id, Meter.code, Meter.interval_minutes, Meter.active, Enterprise.id,
                               Enterprise.uscc, Enterprise.region_code)
                        .join(Enterprise, Enterprise.id == Meter.enterprise_id).where(Enterprise.uscc.in_(part)))
                for mid, code, interval, active, eid, uscc, region in db.session.execute(stmt):
                    rows.append({"key": f"{uscc}|{code}", "meter_id": mid, "enterprise_id": eid,
                                 "city_code": city_of(region), "interval_minutes": interval,
                                 "allowed": active and auth.can_load_for(actor, eid, region)})
        elif kind == "cems":
            for part in _chunks(sorted(set(keys))):
                stmt = (select(Stack.id, Stack.mn, Stack.active, Enterprise.id, Enterprise.region_code)
                        .join(Enterprise, Enterprise.id == Stack.enterprise_id).where(Stack.mn.in_(part)))
                for sid, mn, active, eid, region in db.session.execute(stmt):
                    rows.append({"key": mn, "stack_id": sid, "enterprise_id": eid, "city_code": city_of(region),
                                 "allowed": active and auth.can_load_for(actor, eid, region)})
        else:
            for part in _chunks(sorted(set(keys))):
                stmt = select(Enterprise.id, Enterprise.uscc, Enterprise.region_code).where(Enterprise.uscc.in_(part))
                for eid, uscc, region in db.session.execute(stmt):
                    rows.append({"key": uscc, "enterprise_id": eid, "city_code": city_of(region),
                                 "allowed": auth.can_load_for(actor, eid, region)})
        return Lookup.from_rows(rows)

    return resolve


def meters(enterprise_id: int) -> list[Meter]:
    return list(db.session.scalars(select(Meter).where(Meter.enterprise_id == enterprise_id).order_by(Meter.code)))


def stacks(enterprise_id: int) -> list[Stack]:
    return list(db.session.scalars(select(Stack).where(Stack.enterprise_id == enterprise_id).order_by(Stack.name)))


def lines(enterprise_id: int) -> list[ProductionLine]:
    return list(db.session.scalars(select(ProductionLine).where(ProductionLine.enterprise_id == enterprise_id)
                                   .order_by(ProductionLine.code)))


def batches(actor, limit: int = 100) -> list[ReadingBatch]:
    """The newest batches the actor may see: an official's region's, an enterprise's own."""
    if not auth.can_use_readings(actor):
        return []
    stmt = select(ReadingBatch).order_by(ReadingBatch.created_at.desc(), ReadingBatch.id.desc()).limit(limit)
    if getattr(actor, "is_system", False):
        return list(db.session.scalars(stmt))
    if actor.is_official:
        prefix = scope_prefix(actor)
        return list(db.session.scalars(stmt.where(ReadingBatch.region_code.startswith(prefix))))
    return list(db.session.scalars(stmt.where(ReadingBatch.enterprise_id == actor.enterprise_id)))


def enterprises_with_devices(actor, limit: int = 200) -> list[tuple[Enterprise, int, int]]:
    """(enterprise, meters, stacks) of the actor's region (or its own enterprise), those with devices first."""
    from sqlalchemy import func

    m = select(Meter.enterprise_id, func.count().label("n")).group_by(Meter.enterprise_id).subquery()
    s = select(Stack.enterprise_id, func.count().label("n")).group_by(Stack.enterprise_id).subquery()
    stmt = (select(Enterprise, func.coalesce(m.c.n, 0), func.coalesce(s.c.n, 0))
            .outerjoin(m, m.c.enterprise_id == Enterprise.id).outerjoin(s, s.c.enterprise_id == Enterprise.id)
            .order_by((func.coalesce(m.c.n, 0) + func.coalesce(s.c.n, 0)).desc(), Enterprise.name).limit(limit))
    if getattr(actor, "is_system", False):
        pass
    elif actor.is_official:
        stmt = stmt.where(Enterprise.region_code.startswith(scope_prefix(actor)))
    else:
        stmt = stmt.where(Enterprise.id == actor.enterprise_id)
    return [(e, int(a), int(b)) for e, a, b in db.session.execute(stmt)]
