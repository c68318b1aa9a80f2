"""The batch path (profile grouping + broadcast) agrees with the per-enterprise path on random facts."""
from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grading.batch import evaluate_documents, evaluate_frame, frame_from_documents, line_decision
from grading.contract import evaluate
from grading.decisions import to_jsonable

PACK_DATES = {"langfang-2017-18": ["2017-10-20", "2017-12-10", "2018-03-10"],
              "jiyuan-2018-19": ["2018-10-10", "2018-12-10", "2019-02-01", "2019-03-16"],
              "jizhou-2018-19": ["2018-10-25", "2018-11-05", "2018-12-10"],
              "jjj-2019-20": ["2019-12-10"], "shijiazhuang-2018-20": ["2018-12-10", "2019-06-01"]}
SECTORS = ["steel", "coking", "foundry", "cement", "brick_tile", "ceramics", "rock_wool", "refractory", "carbon",
           "recycled_nonferrous", "pharmaceuticals", "thermal_power", "chemicals", "building_materials_other", "glass"]
KINDS = ["blast_furnace", "sinter_machine", "coke_oven", "cement_kiln", "grinding_mill", "brick_kiln", "ceramic_kiln",
         "cupola", "electric_furnace", "gas_furnace", "melting_casting", "voc_process", "boiler", "generating_unit",
         "carbon_baking_kiln", "refractory_kiln", "press_forming", "other_kiln"]
FUELS = ["coal", "coke", "natural_gas", "electricity", "piped_coal_gas", "biomass", "none", "other"]
STATUS = ["non_compliant", "compliant", "special_limits", "ultra_low"]
opt = lambda s: st.one_of(st.none(), s)  # noqa: E731

line_st = st.fixed_dictionaries({
    "kind": st.sampled_from(KINDS), "fuel": st.sampled_from(FUELS), "emission_status": st.sampled_from(STATUS),
}, optional={
    "sector": st.sampled_from(SECTORS),
    "sub_type": st.sampled_from(["none", "cement_grinding_station", "refractory_pressed", "brick_aerated_block", "pharma_api"]),
    "status_reached_on": st.sampled_from(["2018-09-30", "2018-10-31", "2018-11-20"]),
    "firing_process": st.booleans(), "enclosed": st.booleans(), "on_furnace_list": opt(st.booleans()),
    "livelihood_task": opt(st.sampled_from(["residential_heating", "hazardous_waste", "other"])),
    "livelihood_max_load": st.sampled_from([40, 60]), "livelihood_filed_on": st.sampled_from(["2017-09-25", "2017-10-05"]),
    "concentrations": st.fixed_dictionaries({"pm": st.sampled_from([5, 15, 25]), "so2": st.sampled_from([20, 80, 150])}),
    "percent_of_limit": st.fixed_dictionaries({"pm": st.sampled_from([10, 30, 50])}),
    "stack_height_m": st.sampled_from([30, 60]), "has_cems": st.booleans(), "cems_transmission_rate": st.sampled_from([80, 95]),
    "capacity": st.floats(0.1, 10),
})

enterprise_st = st.fixed_dictionaries({
    "sector": st.sampled_from(SECTORS), "lines": st.lists(line_st, min_size=1, max_size=4),
}, optional={
    "stably_compliant": st.booleans(), "meets_permit_requirements": st.booleans(),
    "autumn_winter_tasks_completed": st.booleans(), "cems_data_valid": st.booleans(),
    "permit_status": st.sampled_from(["issued", "none", "rectify_after"]), "restricted_category": st.booleans(),
    "ultra_low_retrofit": st.sampled_from(["none", "partial", "complete"]),
    "product_level": st.sampled_from(["high", "mid", "low"]), "transport_structure": st.sampled_from(["rational", "basically_rational", "other"]),
    "technology_level": st.sampled_from(["advanced", "ordinary"]), "ultra_low_evaluation_fraud": st.booleans(),
    "capacity_utilisation_2018": st.sampled_from([90, 125]),
    "emergency_grades": st.lists(st.fixed_dictionaries({"industry": st.sampled_from(["steel", "coking", "glass"]),
                                                        "grade": st.sampled_from(["A", "B", "C"])}), max_size=2),
    "key_vehicle_user": opt(st.booleans()), "heavy_diesel_vehicles": st.sampled_from([0, 25]),
    "city_logistics": st.booleans(),
    "vehicles": st.lists(st.fixed_dictionaries({"vehicle_id": st.sampled_from(["v1", "v2"]),
                                                "standard": st.sampled_from(["china_3", "china_4", "china_5"]),
                                                "purpose": st.sampled_from(["bulk_materials", "safe_production", "livelihood_goods"])}), max_size=2),
    "approvals": st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["city_government_approval", "provincial_air_office_filing"])}), max_size=2),
    "fugitive_controls_done": st.booleans(), "coal_project_without_replacement": st.booleans(),
    "location_flags": st.sampled_from([[], ["key_area"]]), "staggering_list_filed": opt(st.booleans()),
    "sub_type": st.sampled_from(["none", "pharma_api", "major_livelihood_project", "cement_products"]),
    "voc_class": opt(st.sampled_from(["A", "B", "C"])), "staggering_tier": opt(st.sampled_from(["none", "middle", "low", "stop"])),
    "benchmark_enterprise": opt(st.booleans()), "scattered_class": st.sampled_from(["none", "rectify"]),
    "relocation_overdue": st.booleans(), "voc_remediation_done": st.booleans(), "conforms_to_industrial_policy": st.booleans(),
    "staggering_list_changed_without_filing": st.booleans(), "baseline_class": st.sampled_from(["industrial", "mobile"]),
    "normal_daily_emissions": st.fixed_dictionaries({"so2": st.sampled_from([1, 2.5])}),
})


@st.composite
def documents(draw):
    pack = draw(st.sampled_from(sorted(PACK_DATES)))
    levels = ["none", "blue", "yellow", "orange", "red"] if pack.startswith("langfang") else ["none", "yellow", "orange", "red"]
    day, level = draw(st.sampled_from(PACK_DATES[pack])), draw(st.sampled_from(levels))
    ents = draw(st.lists(enterprise_st, min_size=1, max_size=4))
    ents = ents + ents[: draw(st.integers(0, len(ents)))]  # identical facts under other ids share profiles
    for e in ents[: draw(st.integers(0, len(ents)))]:  # copies differing only in facts the batch path may mask
        lines = [dict(l, enclosed=draw(st.booleans()), firing_process=draw(st.booleans()),
                      status_reached_on=draw(st.sampled_from(["2018-09-30", "2018-11-20"])),
                      concentrations={"pm": draw(st.sampled_from([5, 25])), "so2": 50},
                      emission_status=draw(st.sampled_from(STATUS)), fuel=draw(st.sampled_from(FUELS)),
                      stack_height_m=draw(st.sampled_from([30, 60, 70])), cems_transmission_rate=draw(st.sampled_from([80, 95, 99])))
                 for l in e["lines"]]
        ents.append(dict(e, lines=lines, ultra_low_retrofit=draw(st.sampled_from(["none", "complete"])),
                         cems_data_valid=draw(st.booleans()), autumn_winter_tasks_completed=draw(st.booleans()),
                         voc_class=draw(st.sampled_from([None, "A", "C"])), staggering_list_filed=draw(st.sampled_from([None, False])),
                         heavy_diesel_vehicles=draw(st.sampled_from([0, 3, 25, 30])),
                         product_level=draw(st.sampled_from(["high", "low"]))))
    docs = []
    for n, e in enumerate(ents):
        e = dict(e, enterprise_id=f"E{n}", lines=[dict(l, line_id=f"L{i}") for i, l in enumerate(e["lines"])])
        d = {"pack": pack, "date": day, "alert_level": level, "enterprise": e}
        codes = draw(st.lists(st.sampled_from(["emergency_exemption", "benchmark_exemption", "exemption_X-07",
                                               "excluded_stop_or_strictest", "tier_mixed_attributes", "emergency_list_inclusion"]),
                              max_size=2))
        choices = ["exempt", "not_exempt", "strictest_curtailment", "middle", "include"]
        d["official_decisions"] = [{"flag": c, "choice": draw(st.sampled_from(choices)), "by": "official",
                                    "line": draw(st.sampled_from([None, "L0"]))} for c in codes]
        docs.append(d)
    return docs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_batch_agrees_with_per_enterprise_on_random_facts(docs):
    """DESIGN.md §3: one implementation of each rule; grouping by profile must not change any decision."""
    assert evaluate_documents(docs) == [evaluate(d) for d in docs]


def test_batch_frame_groups_identical_lines_into_one_profile():
    """300,000 lines share few profiles: identical facts (apart from ids, names, capacity) run once."""
    docs = [{"pack": "jiyuan-2018-19", "date": "2018-12-10", "alert_level": "none",
             "enterprise": {"enterprise_id": f"E{i}", "sector": "steel",
                            "lines": [{"line_id": f"L{j}", "kind": "blast_furnace", "capacity": float(i * 10 + j)} for j in range(3)]}}
            for i in range(20)]
    lines, ents = evaluate_frame(frame_from_documents(docs), "jiyuan-2018-19", date(2018, 12, 10), "none")
    assert lines["profile"].nunique() == 1 and len(lines) == 60 and len(ents) == 20
    assert to_jsonable(line_decision(lines.iloc[5]))["line_id"] == "L2"
    assert set(lines["measure"]) == {"curtail"}


def test_enterprise_level_aggregate_separates_profiles():
    """A non-compliant line makes the whole enterprise fail the gate (R-E-01): its compliant lines differ from another
    enterprise's identical compliant lines - the aggregate is part of the profile."""
    mk = lambda eid, status: {"pack": "jjj-2019-20", "date": "2019-12-10", "alert_level": "orange",  # noqa: E731
                              "enterprise": {"enterprise_id": eid, "sector": "glass",
                                             "emergency_grades": [{"industry": "glass", "grade": "A"}],
                                             "lines": [{"line_id": "a", "kind": "glass_furnace"},
                                                       {"line_id": "b", "kind": "glass_furnace", "emission_status": status}]}}
    docs = [mk("good", "compliant"), mk("bad", "non_compliant")]
    out = evaluate_documents(docs)
    assert out == [evaluate(d) for d in docs]
    assert out[0]["lines"][0]["measure"] == "none" and out[1]["lines"][0]["measure"] == "stop"


# Issue 14 point 3: exemptions the clauses grant to ENTERPRISES (002:595 …的钢铁企业, 002:609, 000:143, 001:99) are
# decided on all lines; the batch path computes the enterprise aggregate once per line profile and must agree.
ENT_LEVEL = {"jiyuan-2018-19": (["steel", "coking", "cement", "carbon", "recycled_nonferrous"], ["2019-02-01", "2018-12-10"]),
             "langfang-2017-18": (["thermal_power", "foundry", "ceramics", "chemicals"], ["2017-12-10"]),
             "jizhou-2018-19": (["foundry", "brick_tile", "cement"], ["2018-12-10"])}
ent_line_st = st.fixed_dictionaries({
    "kind": st.sampled_from(["blast_furnace", "converter", "coke_oven", "cement_kiln", "grinding_mill", "carbon_baking_kiln",
                             "melting_casting", "cupola", "electric_furnace", "brick_kiln", "generating_unit", "other"]),
    "fuel": st.sampled_from(["coal", "coke", "natural_gas", "electricity", "none"]),
    "emission_status": st.sampled_from(STATUS),
    "status_reached_on": st.sampled_from(["2018-09-30", "2018-11-20"]),
    "concentrations": st.fixed_dictionaries({"pm": st.sampled_from([10, 25]), "so2": st.sampled_from([50, 150])}),
    "has_cems": st.booleans(),
}, optional={"percent_of_limit": st.fixed_dictionaries({"pm": st.sampled_from([20, 40])}),
             "sub_type": st.sampled_from(["none", "cement_grinding_station"])})


@st.composite
def enterprise_level_documents(draw):
    pack = draw(st.sampled_from(sorted(ENT_LEVEL)))
    sectors, dates = ENT_LEVEL[pack]
    day = draw(st.sampled_from(dates))
    level = draw(st.sampled_from(["none", "yellow"]))
    docs = []
    for n in range(draw(st.integers(1, 5))):
        lines = draw(st.lists(ent_line_st, min_size=1, max_size=4))
        e = {"enterprise_id": f"E{n}", "sector": draw(st.sampled_from(sectors)),
             "lines": [dict(l, line_id=f"L{i}") for i, l in enumerate(lines)]}
        docs.append({"pack": pack, "date": day, "alert_level": level, "enterprise": e})
    return docs + [dict(d, enterprise=dict(d["enterprise"], enterprise_id=d["enterprise"]["enterprise_id"] + "b",
                                           lines=d["enterprise"]["lines"][:1])) for d in docs]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(enterprise_level_documents())
def test_batch_agrees_on_enterprise_level_exemptions(docs):
    """The same line in a one-line enterprise and in a mixed one may be decided differently; both paths agree."""
    assert evaluate_documents(docs) == [evaluate(d) for d in docs]
