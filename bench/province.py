"""Seedable synthetic province for benchmarks: 60,000 enterprises, 300,000 production lines.

A realistic-looking mix (not real data): sectors weighted like a Hebei prefecture, line kinds and fuels that
fit the sector, emission states mostly compliant/special limits, a few non-compliers, grades A/B/C for the
graded industries, tier attributes, key vehicle users with small fleets. Output is the batch DataFrame
(grading.batch column layout) and, for a sample, the equivalent evaluate documents.
"""
from __future__ import annotations

import json
from typing import Optional

import numpy as np
import pandas as pd

from grading.batch import DECISION_COLUMNS, ENTERPRISE_COLUMNS, LINE_COLUMNS, NESTED

SECTORS = {  # sector: (weight, [(kind, fuel choices)])
    "steel": (4, [("blast_furnace", ["coal", "coke"]), ("sinter_machine", ["coke_oven_gas"]), ("converter", ["none"]), ("rolling_mill", ["natural_gas"])]),
    "coking": (2, [("coke_oven", ["coke_oven_gas"]), ("other", ["none"])]),
    "foundry": (12, [("cupola", ["coke"]), ("electric_furnace", ["electricity"]), ("gas_furnace", ["natural_gas"]), ("other", ["none"])]),
    "cement": (5, [("cement_kiln", ["coal"]), ("grinding_mill", ["electricity"])]),
    "brick_tile": (10, [("brick_kiln", ["coal", "natural_gas", "electricity"])]),
    "ceramics": (5, [("ceramic_kiln", ["natural_gas", "coal", "electricity", "piped_coal_gas"])]),
    "glass": (2, [("glass_furnace", ["natural_gas", "oil"])]),
    "rock_wool": (1, [("cupola", ["coke"]), ("electric_furnace", ["electricity"])]),
    "refractory": (2, [("refractory_kiln", ["coal", "natural_gas", "electricity"]), ("press_forming", ["none"])]),
    "carbon": (1, [("carbon_baking_kiln", ["natural_gas", "coal"])]),
    "recycled_nonferrous": (3, [("melting_casting", ["natural_gas", "coal"]), ("rolling_mill", ["natural_gas"])]),
    "pharmaceuticals": (2, [("voc_process", ["none"]), ("boiler", ["natural_gas"])]),
    "pesticides": (1, [("voc_process", ["none"]), ("other", ["none"])]),
    "chemicals": (8, [("other", ["none"]), ("boiler", ["coal", "natural_gas"])]),
    "thermal_power": (1, [("generating_unit", ["coal"]), ("boiler", ["coal"])]),
    "furniture": (12, [("voc_process", ["none"]), ("other", ["none"])]),
    "packaging_printing": (10, [("voc_process", ["none"])]),
    "building_materials_other": (4, [("other_kiln", ["coal", "natural_gas"])]),
    "other": (15, [("boiler", ["natural_gas", "coal", "biomass"]), ("other", ["none"])]),
}
SUBTYPES = {"cement": ["none", "cement_special", "cement_grinding_station"], "brick_tile": ["brick_sintered", "brick_aerated_block"],
            "refractory": ["refractory_fired", "refractory_pressed", "refractory_fused_cast"],
            "recycled_nonferrous": ["recycled_aluminium", "recycled_copper", "recycled_lead"],
            "pharmaceuticals": ["pharma_api", "pharma_formulation"], "pesticides": ["pesticide_solvent", "pesticide_other"]}
GRADED = {"steel", "coking", "carbon", "ceramics", "glass", "foundry", "pharmaceuticals", "pesticides", "alumina",
          "electrolytic_aluminium", "copper_smelting", "lime_kiln", "refining_petrochemical", "coatings", "inks"}
FLEETS = [[], [{"vehicle_id": "v1", "standard": "china_5", "purpose": "bulk_materials"}],
          [{"vehicle_id": "v1", "standard": "china_4", "purpose": "bulk_materials"}, {"vehicle_id": "v2", "standard": "china_5", "purpose": "safe_production"}],
          [{"vehicle_id": "v1", "standard": "china_3", "purpose": "bulk_materials"}]]
CONCENTRATIONS = [{}, {"pm": 8, "so2": 30}, {"pm": 15, "so2": 80}, {"pm": 25, "so2": 120}, {"pm": 18, "so2": 95, "nox": 150}]


def _pick(rng, options, n, p=None):
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def province_frame(n_enterprises: int = 60_000, n_lines: int = 300_000, seed: int = 20181210) -> pd.DataFrame:
    """The whole province as one DataFrame, one row per line, enterprise facts repeated (grading.batch layout)."""
    rng = np.random.default_rng(seed)
    names = list(SECTORS)
    w = np.array([SECTORS[s][0] for s in names], float)
    e_sector = np.asarray(names, dtype=object)[rng.choice(len(names), n_enterprises, p=w / w.sum())]
    counts = rng.multinomial(n_lines - n_enterprises, np.full(n_enterprises, 1 / n_enterprises)) + 1
    E = pd.DataFrame({"enterprise_id": [f"E{i:06d}" for i in range(n_enterprises)], "sector": e_sector})
    E["name"] = E["enterprise_id"].radd("企业")
    E["sub_type"] = [SUBTYPES.get(s, ["none"])[rng.integers(len(SUBTYPES.get(s, ["none"])))] for s in e_sector]
    E["permit_status"] = _pick(rng, ["issued", "none", "rectify_after"], n_enterprises, [0.95, 0.02, 0.03])
    E["permit_kind"] = "full"
    for col, p_true in (("meets_permit_requirements", 0.97), ("stably_compliant", 0.95), ("autumn_winter_tasks_completed", 0.96),
                        ("cems_data_valid", 0.98), ("conforms_to_industrial_policy", 0.98), ("fugitive_controls_done", 0.98),
                        ("voc_remediation_done", 0.97)):
        E[col] = rng.random(n_enterprises) < p_true
    for col, p_true in (("restricted_category", 0.03), ("ultra_low_evaluation_fraud", 0.002), ("relocation_overdue", 0.003),
                        ("coal_project_without_replacement", 0.005), ("staggering_list_changed_without_filing", 0.005)):
        E[col] = rng.random(n_enterprises) < p_true
    E["capacity_utilisation_2018"] = np.where(E["sector"] == "steel", _pick(rng, [95.0, 110.0, 125.0], n_enterprises), None)
    g = _pick(rng, ["A", "B", "C"], n_enterprises, [0.1, 0.4, 0.5])
    E["emergency_grades"] = [json.dumps([{"industry": s, "grade": gr}], sort_keys=True) if s in GRADED else "[]"
                             for s, gr in zip(e_sector, g)]
    E["ultra_low_retrofit"] = _pick(rng, ["none", "partial", "complete"], n_enterprises, [0.5, 0.35, 0.15])
    E["technology_level"] = _pick(rng, ["advanced", "ordinary"], n_enterprises, [0.3, 0.7])
    E["transport_structure"] = _pick(rng, ["rational", "basically_rational", "other"], n_enterprises, [0.2, 0.5, 0.3])
    E["product_level"] = _pick(rng, ["high", "mid", "low"], n_enterprises, [0.2, 0.5, 0.3])
    for col in ("staggering_tier", "benchmark_enterprise", "baseline_class"):
        E[col] = None
    E["voc_class"] = _pick(rng, [None, "A", "B", "C"], n_enterprises, [0.85, 0.05, 0.05, 0.05])
    E["scattered_class"] = _pick(rng, ["none", "rectify"], n_enterprises, [0.99, 0.01])
    E["location_flags"] = _pick(rng, ["[]", '["key_area"]', '["built_up_area"]'], n_enterprises, [0.8, 0.1, 0.1])
    heavy = rng.random(n_enterprises) < 0.15
    E["key_vehicle_user"] = np.where(heavy, True, None)
    E["heavy_diesel_vehicles"] = np.where(heavy, 25, rng.integers(0, 10, n_enterprises))
    E["city_logistics"] = False  # 城市物流配送企业 (004:394); no draw, so the other columns keep their random sequence
    E["vehicles"] = [json.dumps(FLEETS[k], sort_keys=True) for k in np.where(heavy, rng.integers(1, len(FLEETS), n_enterprises), 0)]
    E["staggering_list_filed"] = _pick(rng, [True, False, None], n_enterprises, [0.9, 0.02, 0.08])
    E["approvals"] = "[]"
    E["normal_daily_emissions"] = "{}"
    E["decisions.enterprise"] = "[]"

    idx = np.repeat(np.arange(n_enterprises), counts)
    L = E.iloc[idx].reset_index(drop=True)
    pos = np.concatenate([np.arange(c) for c in counts])
    L["line.line_id"] = [f"L{p}" for p in pos]
    kinds, fuels = [], []
    r = rng.random(n_lines)
    r2 = rng.random(n_lines)
    for s, a, b in zip(L["sector"].to_numpy(), r, r2):
        opts = SECTORS[s][1]
        k, fs = opts[int(a * len(opts))]
        kinds.append(k)
        fuels.append(fs[int(b * len(fs))])
    L["line.kind"], L["line.fuel"] = kinds, fuels
    L["line.name"] = None
    L["line.sector"] = None
    L["line.sub_type"] = "none"
    L["line.capacity"] = np.round(rng.lognormal(0, 1, n_lines), 2)
    L["line.capacity_unit"] = "万吨/年"
    L["line.emission_status"] = _pick(rng, ["non_compliant", "compliant", "special_limits", "ultra_low"], n_lines, [0.03, 0.5, 0.32, 0.15])
    improved = L["line.emission_status"].isin(["special_limits", "ultra_low"]).to_numpy()
    L["line.status_reached_on"] = np.where(improved, _pick(rng, ["2018-09-30", "2018-10-31", "2018-11-20"], n_lines, [0.5, 0.3, 0.2]), None)
    L["line.concentrations"] = [json.dumps(CONCENTRATIONS[k], sort_keys=True) if s == "foundry" else "{}"
                                for s, k in zip(L["sector"].to_numpy(), rng.integers(0, len(CONCENTRATIONS), n_lines))]
    L["line.percent_of_limit"] = "{}"
    # monitoring and furnace facts are recorded for combustion units only (stacks, kilns, furnaces, boilers)
    kinds_arr = L["line.kind"].to_numpy()
    combustion = np.isin(kinds_arr, ["blast_furnace", "sinter_machine", "coke_oven", "cement_kiln", "brick_kiln", "ceramic_kiln",
                                     "glass_furnace", "cupola", "electric_furnace", "gas_furnace", "boiler", "generating_unit",
                                     "carbon_baking_kiln", "refractory_kiln", "other_kiln", "melting_casting"])
    L["line.stack_height_m"] = np.where(combustion, _pick(rng, [30.0, 60.0], n_lines, [0.75, 0.25]), None)
    L["line.has_cems"] = combustion & (rng.random(n_lines) < 0.8)
    L["line.cems_transmission_rate"] = np.where(L["line.has_cems"], _pick(rng, [85.0, 95.0, 99.0], n_lines, [0.05, 0.45, 0.5]), None)
    L["line.on_furnace_list"] = np.where(combustion, rng.random(n_lines) < 0.98, None)
    L["line.found_unlisted_on"] = None
    L["line.firing_process"] = ~((L["sector"] == "refractory").to_numpy() & (kinds_arr == "press_forming"))
    L["line.enclosed"] = (L["sector"] == "brick_tile").to_numpy() & (rng.random(n_lines) < 0.6)
    task = (L["sector"] == "cement") & (rng.random(n_lines) < 0.1)
    L["line.livelihood_task"] = np.where(task, "residential_heating", None)
    L["line.livelihood_max_load"] = np.where(task, 60.0, None)
    L["line.livelihood_filed_on"] = np.where(task, "2017-09-25", None)
    L["decisions.line"] = "[]"
    return L[ENTERPRISE_COLUMNS + LINE_COLUMNS + DECISION_COLUMNS]


def documents(frame: pd.DataFrame, pack: str, day: str, level: str, limit: Optional[int] = None) -> list[dict]:
    """The same enterprises as evaluate documents (the per-enterprise path's input)."""
    out = []
    ent_cols = [c for c in ENTERPRISE_COLUMNS]
    for _eid, grp in frame.groupby("enterprise_id", sort=False):
        first = grp.iloc[0]
        ent = {}
        for c in ent_cols:
            v = first[c]
            if v is None or (isinstance(v, float) and np.isnan(v)):
                continue
            ent[c] = json.loads(v) if c in NESTED else (v.item() if isinstance(v, np.generic) else v)
        lines = []
        for _, row in grp.iterrows():
            line = {}
            for c in LINE_COLUMNS:
                v = row[c]
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    continue
                line[c[5:]] = json.loads(v) if c in NESTED else (v.item() if isinstance(v, np.generic) else v)
            lines.append(line)
        ent["lines"] = lines
        out.append({"pack": pack, "date": day, "alert_level": level, "enterprise": ent})
        if limit and len(out) >= limit:
            break
    return out
