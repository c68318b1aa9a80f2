"""Screenshots for the README: the demo city served from a throwaway database, shot in Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--lang zh|en]

Builds a fresh SQLite database (migrations, regions, registry.demo), serves the app on a free
local port and saves login, enterprise-list, enterprise-detail, line-form, review and confirm-return at
1280×800. Nothing outside the temporary directory and the output folder is touched.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
MAX_BYTES = 300 * 1024


def build_app(db_path: Path):
    from config import Default
    from registry import create_app

    class Shots(Default):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
        SECRET_KEY = "screenshots-only"  # noqa: S105  # a throwaway app for screenshots, never served
        LOGIN_RATE_LIMIT = "1000 per minute"
        ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}

    return create_app(Shots)


def seed(app) -> dict:
    """The demo city, and the accounts/records each screenshot needs."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.core.regions import load_regions
    from registry.demo import build_demo
    from registry.enterprises.models import Enterprise
    from registry.extensions import db

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_regions()
        build_demo(per_city=20)
        db.session.commit()
        waiting = db.session.scalar(
            select(Enterprise).join(User, User.enterprise_id == Enterprise.id).where(User.username == "qiye")
        )
        returned = [
            e for e in db.session.scalars(
                select(Enterprise).where(Enterprise.status == "returned").order_by(Enterprise.id)
            )
            if e.lines and any(l.emissions and l.equipment for l in e.lines)
        ]
        if not returned:
            returned = list(db.session.scalars(select(Enterprise).where(Enterprise.status.in_(("returned", "draft"))).order_by(Enterprise.id)))
        fixme = returned[0]
        owner = db.session.scalar(select(User).where(User.enterprise_id == fixme.id))
        # The line form looks best with a line that has several pollutant rows and equipment.
        editable = db.session.scalars(select(Enterprise).where(Enterprise.status.in_(("returned", "draft"))))
        line = max((l for e in editable for l in e.lines), key=lambda l: (len(l.emissions) >= 2, len(l.equipment), len(l.emissions)))
        line_owner = db.session.scalar(select(User).where(User.enterprise_id == line.enterprise_id))
        return {
            "waiting_id": waiting.id,
            "returned_id": fixme.id,
            "returned_owner": owner.username,
            "line_id": line.id,
            "line_owner": line_owner.username,
        }


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def shoot(base: str, ids: dict, out: Path, lang: str, extra: bool = False) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from registry.demo import DEMO_PASSWORD

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        def session(username: str | None):
            context = browser.new_context(viewport=VIEWPORT, base_url=base, color_scheme="light",
                                          locale="zh-CN" if lang == "zh" else "en-GB")
            page = context.new_page()
            page.goto(f"/lang/{lang}")
            if username:
                page.goto("/login")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("form[action='/login'] button[type=submit]")
                page.wait_for_load_state()
            return page

        def save(page, name: str) -> None:
            path = out / f"{name}.png"
            page.screenshot(path=str(path))
            saved.append(path)

        page = session(None)
        page.goto("/login")
        save(page, "login")

        page = session("langfang")
        page.goto("/enterprises/")
        save(page, "enterprise-list")

        page = session(ids["returned_owner"])
        page.goto(f"/enterprises/{ids['returned_id']}")
        save(page, "enterprise-detail")
        page = session(ids["line_owner"])
        page.goto(f"/enterprises/lines/{ids['line_id']}/edit")
        page.locator("#emissions").scroll_into_view_if_needed()
        page.evaluate("document.querySelector('#emissions').scrollIntoView({block: 'start'}); window.scrollBy(0, -90)")
        save(page, "line-form")

        page = session("anci")
        page.goto(f"/enterprises/{ids['waiting_id']}")
        page.fill("textarea[name=reason]", "请补充 2 号烧结机的在线监测联网证明。")
        save(page, "review")
        page.click(f"button[formaction='/enterprises/{ids['waiting_id']}/return']")  # issue 16: asks first
        page.wait_for_selector("#confirm")
        save(page, "confirm-return")

        if extra:  # more pages, for reviewing the look (not used by the README)
            page = session(ids["returned_owner"])
            page.goto(f"/enterprises/{ids['returned_id']}/history")
            save(page, "history")
            page.goto(f"/enterprises/{ids['returned_id']}#lines")
            save(page, "enterprise-lines")
            page.goto(f"/enterprises/{ids['returned_id']}#permits")
            save(page, "enterprise-permits")
            page.goto(f"/enterprises/{ids['returned_id']}/edit")
            save(page, "enterprise-form")
            page.fill("input[name=uscc]", "91131002MA0000000X")
            page.fill("input[name=capacity_utilisation_2018]", "-3")
            page.click("form.record-form button.btn-primary")
            save(page, "enterprise-form-errors")
            page = session("admin")
            page.goto("/admin/users")
            save(page, "users")
            page.goto("/account/tokens")
            save(page, "tokens")
        browser.close()
    return saved


def shoot_pages(base: str, out: Path, lang: str, shots, viewport: dict, wait_ms: int = 800) -> list[Path]:
    """Each (username, url, name, element or None) signed in as that demo user in its own context, saved as
    out/name.png: the element alone when given and present, else the window. One loop for the README's pages."""
    from playwright.sync_api import sync_playwright

    from registry.demo import DEMO_PASSWORD

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for username, url, name, element in shots:
            context = browser.new_context(viewport=viewport, base_url=base, color_scheme="light",
                                          locale="zh-CN" if lang == "zh" else "en-GB")
            page = context.new_page()
            page.goto(f"/lang/{lang}")
            page.goto("/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_load_state()
            page.goto(url)
            page.wait_for_timeout(wait_ms)  # ECharts' entry animation
            path = out / f"{name}.png"
            if element and page.locator(element).count():
                page.locator(element).first.screenshot(path=str(path))
            else:
                page.screenshot(path=str(path), full_page=False)
            saved.append(path)
            context.close()
        browser.close()
    return saved


def shrink(path: Path) -> None:
    """Keep README images small: palette PNG when Pillow is available and the file is large."""
    if path.stat().st_size <= MAX_BYTES:
        return
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as img:
        img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def run(doc: str, seed_fn, shoot_fn) -> int:
    """The other screenshot scripts' main: --out and --lang, a throwaway demo database seeded by `seed_fn(app)`, the
    app served while `shoot_fn(base, out, lang, seeded)` saves its pictures."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lantian-shots-") as tmp:
        app = build_app(Path(tmp) / "shots.sqlite3")
        seeded = seed_fn(app)
        server, base = serve(app)
        try:
            for path in shoot_fn(base, Path(args.out), args.lang, seeded):
                print(f"{path} ({path.stat().st_size // 1024} KB)")
        finally:
            server.shutdown()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    parser.add_argument("--extra", action="store_true", help="also shoot history, forms with errors, users, tokens")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lantian-shots-") as tmp:
        app = build_app(Path(tmp) / "demo.sqlite3")
        ids = seed(app)
        server, base = serve(app)
        try:
            paths = shoot(base, ids, Path(args.out), args.lang, args.extra)
        finally:
            server.shutdown()
    for path in paths:
        shrink(path)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
