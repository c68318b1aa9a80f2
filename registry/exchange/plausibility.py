"""Plausibility of imported rows against permits: warnings an official should look at, never refusals.

The permit model records the permit's catalogue industry but no permitted capacity, so
"capacity vs permit" is checked as: a line that has a capacity belongs to an enterprise holding
a permit (or registration) in force. The industry check compares the permit's industry text
with the enterprise's sector by the sector's usual words in the permit catalogue.
"""
from __future__ import annotations

import pandas as pd

# Words that a permit catalogue industry (排污许可分类管理名录) uses for each sector.
SECTOR_KEYWORDS: dict[str, tuple[str, ...]] = {
    "steel": ("钢", "铁", "烧结", "球团", "轧"),
    "coking": ("焦",),
    "foundry": ("铸", "锻"),
    "cement": ("水泥", "熟料"),
    "brick_tile": ("砖", "瓦"),
    "ceramics": ("陶", "瓷"),
    "glass": ("玻璃",),
    "glass_wool": ("玻璃棉", "玻璃纤维", "矿物棉"),
    "rock_wool": ("岩棉", "矿物棉"),
    "gypsum_board": ("石膏",),
    "refractory": ("耐火",),
    "building_materials_other": ("建材", "建筑材料", "非金属矿物"),
    "carbon": ("炭", "碳", "石墨"),
    "recycled_nonferrous": ("再生", "有色"),
    "nonferrous_other": ("有色", "冶炼"),
    "alumina": ("氧化铝", "铝"),
    "electrolytic_aluminium": ("电解铝", "铝"),
    "copper_smelting": ("铜",),
    "lime_kiln": ("石灰",),
    "ferroalloy": ("铁合金",),
    "chemicals": ("化工", "化学", "化肥", "树脂", "烧碱", "硫酸"),
    "refining_petrochemical": ("炼油", "石油", "石化"),
    "pharmaceuticals": ("制药", "药"),
    "pesticides": ("农药",),
    "coatings": ("涂料",),
    "inks": ("油墨",),
    "thermal_power": ("火电", "热电", "电力", "发电", "锅炉"),
    "board_processing": ("板材", "木材"),
    "packaging_printing": ("印刷", "包装"),
    "furniture": ("家具",),
    "wood_panels": ("人造板", "木材"),
}

IN_FORCE = ("issued", "rectify_after")


def industry_mismatch(industry: pd.Series, sector: pd.Series) -> pd.Series:
    """True where a non-blank permit industry shares no usual word with the holder's sector."""
    out = pd.Series(False, index=industry.index)
    text = industry.fillna("").astype(str)
    for code, words in SECTOR_KEYWORDS.items():
        rows = sector.eq(code) & text.ne("")
        if rows.any():
            hit = pd.Series(False, index=text.index)
            for w in words:
                hit |= text.str.contains(w, regex=False)
            out |= rows & ~hit
    return out


def permit_in_force(status: pd.Series, valid_until: pd.Series, today: pd.Timestamp) -> pd.Series:
    return status.isin(IN_FORCE) & (valid_until.isna() | (valid_until >= today))
