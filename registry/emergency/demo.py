"""Demo daily emissions (kg/d per pollutant) for demo lines, so the demo city has an emergency base.

Plausible orders of magnitude per line kind, scaled by a seeded random factor; only lines with no
daily emissions on record are filled. Set directly (demo data, one flush) to keep the demo fast.
"""
from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select

from registry.enterprises.models import ProductionLine
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
