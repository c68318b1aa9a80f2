"""Screenshots of each role's dashboard (issue 16) for the README: the demo city served from a throwaway database.

    .venv/bin/python scripts/dashboard_screenshots.py [--out docs/screenshots] [--lang zh|en]

Builds a fresh SQLite database like scripts/screenshots.py (whose app and server it reuses), adds the demo
schedules and compiles Langfang's emergency list, sets the demo's calendar to a day of Langfang's published
2017-18 heating season for the enterprise (so it has measures in force "today"), and saves dashboard-province,
dashboard-city, dashboard-county and dashboard-enterprise at 1440×900. Nothing outside the temporary directory
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
SHOTS = (("hebei", "dashboard-province"), ("langfang", "dashboard-city"), ("anci", "dashboard-county"),
         ("qiye", "dashboard-enterprise"))


def seed(app):
    """The demo city, its schedules and Langfang's list; returns the demo day (a day qiye has measures)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.core.regions import load_regions
    from registry.demo import build_demo
    from registry.emergency import operations as em_ops
    from registry.extensions import db
    from registry.schedules.demo import build_schedule_demo
    from registry.schedules.models import Schedule, ScheduleEntry

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_regions()
        build_demo(per_city=20)
        build_schedule_demo()
        langfang = db.session.scalar(select(User).where(User.username == "langfang"))
        em_ops.compile_list(langfang, {"region_code": "131000", "pack_id": "langfang-2017-18"})
        db.session.commit()
        qiye = db.session.scalar(select(User).where(User.username == "qiye"))
        published = db.session.scalar(select(Schedule).where(Schedule.region_code == "131000")).versions[0]
        entry = db.session.scalar(select(ScheduleEntry).where(
            ScheduleEntry.version_id == published.id, ScheduleEntry.enterprise_id == qiye.enterprise_id,
            ScheduleEntry.measure != "none").order_by(ScheduleEntry.phase_start))
        return entry.phase_start if entry is not None else None


def shoot(base: str, out: Path, lang: str, day=None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from registry.demo import DEMO_PASSWORD

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=screenshots.CHROMIUM, headless=True, args=screenshots.CHROMIUM_ARGS)
        from registry.core import timeutil

        today = timeutil.beijing_today
        for username, name in SHOTS:
            # the enterprise's "today": a day of the published heating season (the officials' stays the real one,
            # so the grades decided by the demo stand)
            timeutil.beijing_today = (lambda: day) if username == "qiye" and day is not None else today
            context = browser.new_context(viewport=VIEWPORT, base_url=base, color_scheme="light",
                                          locale="zh-CN" if lang == "zh" else "en-GB")
            page = context.new_page()
            page.goto(f"/lang/{lang}")
            page.goto("/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url("**/dashboard/")
            for chart in page.locator(".dash-chart").all():
                chart.wait_for(state="attached")
            page.wait_for_timeout(600)  # ECharts' entry animation
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
            context.close()
        browser.close()
    return saved


def main() -> int:
    return screenshots.run(__doc__, seed, shoot)


if __name__ == "__main__":
    raise SystemExit(main())
