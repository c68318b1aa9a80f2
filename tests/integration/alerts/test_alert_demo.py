"""Issue 17 item 5: demo alerts for every source jurisdiction — one finished and one active episode each, every
covered enterprise with an order at every level the episode reached, some enterprises unacknowledged."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.alerts.demo import DEMO, build_alert_demo
from registry.alerts.models import AlertEpisode, AlertOrder, Receipt
from registry.emergency.queries import covered_enterprises
from registry.extensions import db

pytestmark = pytest.mark.demo_city(per_city=6)


def test_demo_alerts_per_jurisdiction(demo_city):
    made = build_alert_demo()
    db.session.commit()
    assert made["episodes"] == 2 * len(DEMO)
    for _user, region, first, raised, *_ in DEMO:
        eps = db.session.scalars(select(AlertEpisode).where(AlertEpisode.region_code == region)).all()
        assert sorted(e.status for e in eps) == ["active", "lifted"], region
        covered = {e.id for e in covered_enterprises(region)}
        lifted = next(e for e in eps if e.status == "lifted")
        levels = {o.level for o in db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == lifted.id))}
        assert levels == ({first, raised} if covered else set()), region
        for ep in eps:
            got = {o.enterprise_id for o in db.session.scalars(select(AlertOrder).where(AlertOrder.episode_id == ep.id))}
            assert got == covered, region
    active_orders = db.session.scalar(select(func.count()).select_from(AlertOrder).where(AlertOrder.window_end.is_(None)))
    acked = db.session.scalar(select(func.count()).select_from(Receipt).join(AlertOrder).where(AlertOrder.window_end.is_(None)))
    assert 0 < acked < active_orders  # some enterprises unacknowledged
    assert build_alert_demo()["episodes"] == 0  # idempotent
