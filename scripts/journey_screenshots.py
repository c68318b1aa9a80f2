"""Screenshots of the decision and alert pages (issues 16 and 17) for the README: the whole demo (every domain's demo
builder, as `make run` loads it) served from a throwaway database.

    .venv/bin/python scripts/journey_screenshots.py [--out docs/screenshots] [--lang zh|en]

Saves, at 1440×900: schedule-decisions (a city official's 待决定事项 table), alert-episode (the active Langfang
episode: level history and each enterprise's delivered / read / acknowledged), alert-today (the enterprise's
今日须执行) and alert-report (a finished episode's report with its charts). Nothing outside the temporary directory
and the output folder is touched.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import screenshots  # noqa: E402  (scripts/screenshots.py: build_app, serve, the Chromium settings)

VIEWPORT = {"width": 1440, "height": 900}


def seed(app) -> dict:
    """The whole demo; the ids the shots open."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from registry.alerts.models import AlertEpisode
    from registry.core import unit_of_work
    from registry.core.demo_builders import builders
    from registry.core.regions import load_regions
    from registry.extensions import db
    from registry.schedules.models import Schedule

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_regions()
        db.session.commit()
        for builder in builders(app):
            with unit_of_work.transaction():
                builder.build(False)
        schedule = db.session.scalar(select(Schedule).where(Schedule.region_code == "131000"))
        episodes = db.session.scalars(select(AlertEpisode).order_by(AlertEpisode.id)).all()
        langfang = [e for e in episodes if e.region_code == "131000"]
        active = next((e for e in langfang if e.status != "lifted"), langfang[-1])
        finished = next((e for e in langfang if e.status == "lifted"), langfang[0])
        return {"schedule": schedule.id, "active": active.id, "finished": finished.id}


def shoot(base: str, out: Path, lang: str, ids: dict) -> list[Path]:
    shots = (
        ("langfang", f"/schedules/{ids['schedule']}#flags", "schedule-decisions", "#flagged"),
        ("langfang", f"/alerts/episodes/{ids['active']}", "alert-episode", None),
        ("qiye", "/alerts/today", "alert-today", None),
        ("langfang", f"/alerts/reports/episodes/{ids['finished']}", "alert-report", None),
    )
    return screenshots.shoot_pages(base, out, lang, shots, VIEWPORT)


def main() -> int:
    return screenshots.run(__doc__, seed, shoot)


if __name__ == "__main__":
    raise SystemExit(main())
