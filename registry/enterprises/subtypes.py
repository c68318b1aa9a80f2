"""Which 细分类型 (SubType) belongs to which sector (issue 16: the sub-type select offers only the sector's).

The grading vocabulary lists sub-types per sector (grading/vocab.py, grouped by comment); this is that grouping
as data, for the forms (the select shows the chosen sector's sub-types), the schemas (a mismatch is refused
beside the 细分类型 field) and the Excel import (the same rule, schemas.CROSS_FIELD_RULES). 'none' fits every
sector. The livelihood sub-types (重大民生保障工程, 重点建设项目, 集中供热配套设施) belong to construction projects
(000:143), and a heating plant may be 集中供热配套设施.
"""
from __future__ import annotations

from grading.vocab import Sector, SubType

NONE = SubType.NONE.value

BY_SECTOR: dict[str, tuple[str, ...]] = {
    Sector.STEEL.value: ("steel_blast_furnace", "steel_sinter", "steel_converter", "steel_rolling"),
    Sector.CEMENT.value: ("cement_kiln", "cement_grinding_station", "cement_special", "cement_products"),
    Sector.BRICK_TILE.value: ("brick_sintered", "brick_aerated_block"),
    Sector.GLASS.value: ("glass_flat", "glass_electronic", "glass_daily_use"),
    Sector.REFRACTORY.value: ("refractory_fired", "refractory_pressed", "refractory_fused_cast"),
    Sector.RECYCLED_NONFERROUS.value: ("recycled_copper", "recycled_aluminium", "recycled_lead", "recycled_zinc"),
    Sector.CHEMICALS.value: ("chem_inorganic", "chem_resin", "chem_caustic_pvc", "chem_sulphuric_acid"),
    Sector.PHARMACEUTICALS.value: ("pharma_api", "pharma_formulation"),
    Sector.PESTICIDES.value: ("pesticide_solvent", "pesticide_other"),
    Sector.CONSTRUCTION_PROJECT.value: ("major_livelihood_project", "key_construction_project", "central_heating_infrastructure"),
    Sector.THERMAL_POWER.value: ("central_heating_infrastructure",),
}

ALLOWED: frozenset[str] = frozenset(f"{sector}|{sub}" for sector, subs in BY_SECTOR.items() for sub in subs)


def subtypes_for(sector: str | None) -> tuple[str, ...]:
    """The sub-types a form offers for `sector` ('none' first; every sub-type when no sector is chosen yet)."""
    if not sector:
        return (NONE, *sorted({s for subs in BY_SECTOR.values() for s in subs}))
    return (NONE, *BY_SECTOR.get(sector, ()))


def mismatch(sector, sub_type):
    """True where `sub_type` is not one of `sector`'s: plain values (one record) or pandas Series (a sheet)."""
    if hasattr(sector, "astype"):  # a whole column of the Excel import
        pairs = sector.astype(str) + "|" + sub_type.astype(str)
        return ~(pairs.isin(ALLOWED) | sub_type.isin([NONE]) | sub_type.isna())
    return sub_type not in (None, "", NONE) and f"{sector}|{sub_type}" not in ALLOWED
