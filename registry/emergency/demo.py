"""Demo daily emissions (kg/d per pollutant) for demo lines, so the demo city has an emergency base.

Plausible orders of magnitude per line kind, scaled by a seeded random factor; only lines with no
daily emissions on record are filled. Set directly (demo data, one flush) to keep the demo fast.
"""
from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import func, select

from registry.enterprises.models import Enterprise, ProductionLine
from registry.extensions import db

# kind → typical daily emissions (so2, nox, pm, vocs) in kg/d
_TYPICAL: dict[str, tuple[float, float, float, float]] = {
    "blast_furnace": (300, 500, 400, 0), "sinter_machine": (900, 1500, 600, 20), "converter": (50, 80, 300, 0),
    "rolling_mill": (40, 120, 60, 10), "coke_oven": (400, 1200, 300, 150), "cement_kiln": (200, 1500, 250, 0),
    "grinding_mill": (0, 0, 120, 0), "brick_kiln": (150, 120, 80, 0), "ceramic_kiln": (120, 180, 60, 0),
    "glass_furnace": (300, 900, 100, 0), "cupola": (60, 40, 90, 5), "electric_furnace": (0, 10, 40, 0),
    "gas_furnace": (5, 40, 10, 0), "melting_casting": (20, 30, 50, 5), "voc_process": (0, 0, 10, 120),
    "boiler": (150, 250, 50, 0), "generating_unit": (800, 1200, 200, 0), "carbon_baking_kiln": (200, 150, 80, 60),
    "lime_kiln": (80, 200, 120, 0), "refractory_kiln": (60, 100, 50, 0), "press_forming": (0, 0, 30, 0),
    "coal_gas_producer": (100, 40, 30, 20),
}


def add_daily_emissions(seed: int = 2017) -> int:
    """Fill daily emissions of demo lines that have none; returns how many lines were filled."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # reproducible demo data, not security
    lines = db.session.scalars(select(ProductionLine).where(ProductionLine.daily_emission_so2_kg.is_(None),
                                                            ProductionLine.daily_emission_nox_kg.is_(None),
                                                            ProductionLine.daily_emission_pm_kg.is_(None),
                                                            ProductionLine.daily_emission_vocs_kg.is_(None))
                               .order_by(ProductionLine.id)).all()
    for line in lines:
        so2, nox, pm, vocs = _TYPICAL.get(line.kind, (20, 30, 20, 10))
        k = rng.uniform(0.4, 1.6)
        line.daily_emission_so2_kg = Decimal(f"{so2 * k:.3f}")
        line.daily_emission_nox_kg = Decimal(f"{nox * k:.3f}")
        line.daily_emission_pm_kg = Decimal(f"{pm * k:.3f}")
        line.daily_emission_vocs_kg = Decimal(f"{vocs * k:.3f}")
    db.session.flush()
    return len(lines)


# The city's non-industrial inventory (全社会, 000:143, 000:149; issue 14 point 8) for the demo: each category's
# daily emission as a share of the demo city's industrial daily emission of that pollutant (mobile sources carry
# most NOx and VOCs, dust most PM, residential burning SO2 and PM), and the share of it each level's measures
# remove (truck bans and odd/even plates, site and road-dust stops, 散煤 bans). Made up, marked as demo.
_AREA_SHARE: dict[str, dict[str, float]] = {
    "mobile": {"so2": 0.02, "nox": 0.45, "pm": 0.06, "vocs": 0.4},
    "dust": {"pm": 0.5},
    "residential_burning": {"so2": 0.25, "nox": 0.04, "pm": 0.2, "vocs": 0.08},
    "other": {"so2": 0.03, "nox": 0.03, "pm": 0.03, "vocs": 0.1},
}
_AREA_REDUCTION: dict[str, tuple[int, int, int, int]] = {  # blue, yellow, orange, red (%)
    "mobile": (5, 10, 20, 30), "dust": (20, 30, 50, 70), "residential_burning": (5, 10, 20, 30), "other": (0, 10, 20, 25),
}
AREA_NOTE = "演示数据（虚构）：按本市演示工业日排放量的比例估算，非真实排放清单"


def add_area_sources(official, region_code: str) -> int:
    """Enter the demo city's non-industrial sources through the audited operation, as its list official would;
    the city is `region_code` (its enterprises' codes start with its prefix). Returns how many rows were entered."""
    from registry.emergency.operations import save_area_source

    prefix = region_code[:4] if region_code.endswith("00") else region_code
    cols = {"so2": ProductionLine.daily_emission_so2_kg, "nox": ProductionLine.daily_emission_nox_kg,
            "pm": ProductionLine.daily_emission_pm_kg, "vocs": ProductionLine.daily_emission_vocs_kg}
    industrial = {p: float(db.session.scalar(select(func.coalesce(func.sum(c), 0)).join(Enterprise, ProductionLine.enterprise_id == Enterprise.id)
                                             .where(Enterprise.region_code.startswith(prefix))) or 0) for p, c in cols.items()}
    n = 0
    for category, shares in _AREA_SHARE.items():
        blue, yellow, orange, red = _AREA_REDUCTION[category]
        for pollutant, share in shares.items():
            daily = round(industrial[pollutant] * share, -1)
            if daily <= 0:
                continue
            save_area_source(official, {"region_code": region_code, "category": category, "pollutant": pollutant,
                                        "daily_kg": f"{daily:.3f}", "reduction_blue": blue, "reduction_yellow": yellow,
                                        "reduction_orange": orange, "reduction_red": red, "note": AREA_NOTE})
            n += 1
    return n
