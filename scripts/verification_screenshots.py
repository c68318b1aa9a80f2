"""Screenshots of the verification and pack-authoring pages (issues 19 and 20) for the README: the whole demo (every
domain's demo builder, as `make run` loads it) served from a throwaway database.

    .venv/bin/python scripts/verification_screenshots.py [--out docs/screenshots] [--lang zh|en]

Saves, at 1440×900: verification-anomalies (a city official's anomaly list of the demo episode), verification-anomaly
(one anomaly's evidence: baseline against actual, the order's window shaded), packs-list (the policy packs, the demo
draft among them) and packs-edit (a section of the demo draft as its generated form, citations beside the values).
Nothing outside the temporary directory and the output folder is touched.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import journey_screenshots  # noqa: E402  (the whole demo, seeded as the journey screenshots do)
import screenshots  # noqa: E402  (scripts/screenshots.py: build_app, serve, the Chromium settings)

VIEWPORT = {"width": 1440, "height": 900}


def seed(app) -> dict:
    """The whole demo; the anomaly with the most evidence and the demo draft pack."""
    from sqlalchemy import select

    from registry.authoring.models import AuthoredPack
    from registry.compliance.models import Anomaly
    from registry.extensions import db

    journey_screenshots.seed(app)
    with app.app_context():
        anomaly = db.session.scalar(select(Anomaly).where(Anomaly.check_code == "curtailment_shortfall")) or \
            db.session.scalar(select(Anomaly).order_by(Anomaly.id))
        draft = db.session.scalar(select(AuthoredPack).order_by(AuthoredPack.id))
        return {"anomaly": anomaly.id if anomaly else None, "draft": draft.id if draft else None}


def shoot(base: str, out: Path, lang: str, ids: dict) -> list[Path]:
    shots = [("langfang", "/compliance/", "verification-anomalies", None)]
    if ids["anomaly"]:
        shots.append(("langfang", f"/compliance/anomalies/{ids['anomaly']}", "verification-anomaly", None))
    shots.append(("langfang", "/packs/", "packs-list", None))
    if ids["draft"]:
        shots.append(("langfang", f"/packs/{ids['draft']}/edit/sector_measures", "packs-edit", None))
    return screenshots.shoot_pages(base, out, lang, shots, VIEWPORT)


def main() -> int:
    return screenshots.run(__doc__, seed, shoot)


if __name__ == "__main__":
    raise SystemExit(main())
