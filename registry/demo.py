"""Demo data: a small, realistic city in each source jurisdiction, built through the operations.

Langfang (000), Jizhou (001), Jiyuan (002) and Shijiazhuang (004) each get about fifty
enterprises across the sectors their documents name, with lines, equipment, emission status
per pollutant and permits, in every registration state; plus one account per role. Seeded, so
every `make run` on an empty database shows the same city.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from stdnum.cn import uscc as stdnum_uscc

from registry.accounts.auth import SYSTEM
from registry.accounts.models import User
from registry.accounts.operations import create_user
from registry.accounts.passwords import hash_password
from registry.core.demo_builders import DemoBuilder, register_demo_builder
from registry.emergency.demo import add_area_sources, add_daily_emissions
from registry.enterprises import operations as ops
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.grades.demo import build_grade_demo

DEMO_PASSWORD = "lantian-demo-2026"  # noqa: S105  # nosec B105  # the demo's published password; production refuses demo data


@dataclass(frozen=True)
class City:
    key: str
    name: str
    official_role: str
    official_region: str
    counties: tuple[tuple[str, str], ...]  # (code, short name used in enterprise names)
    sectors: tuple[str, ...]


CITIES = (
    City(
        "lf", "廊坊", "city", "131000",
        (("131002", "安次"), ("131003", "广阳"), ("131022", "固安"), ("131023", "永清"), ("131024", "香河"),
         ("131025", "大城"), ("131026", "文安"), ("131028", "大厂"), ("131081", "霸州"), ("131082", "三河")),
        ("steel", "foundry", "foundry", "cement", "brick_tile", "ceramics", "glass_wool", "rock_wool",
         "gypsum_board", "recycled_nonferrous", "pharmaceuticals", "pesticides", "thermal_power",
         "board_processing", "packaging_printing", "furniture"),
    ),
    City(
        "sjz", "石家庄", "city", "130100",
        (("130109", "藁城"), ("130110", "鹿泉"), ("130111", "栾城"), ("130121", "井陉"), ("130123", "正定"),
         ("130181", "辛集"), ("130183", "晋州"), ("130184", "新乐"), ("130126", "灵寿"), ("130131", "平山")),
        ("steel", "coking", "foundry", "cement", "brick_tile", "ceramics", "glass", "carbon",
         "pharmaceuticals", "pesticides", "chemicals", "thermal_power", "lime_kiln"),
    ),
    City(
        "jy", "济源", "county", "419001",
        (("419001", "济源"),),
        ("steel", "coking", "foundry", "cement", "brick_tile", "ceramics", "rock_wool", "gypsum_board",
         "refractory", "carbon", "recycled_nonferrous", "pharmaceuticals", "pesticides", "chemicals"),
    ),
    City(
        "jz", "蓟州", "county", "120119",
        (("120119", "蓟州"),),
        ("foundry", "brick_tile", "cement", "chemicals", "glass", "board_processing", "furniture",
         "packaging_printing", "refractory"),
    ),
)

STEMS = ("华信", "鑫达", "宏远", "金桥", "恒泰", "瑞丰", "永盛", "天成", "新兴", "兴旺", "东方", "润通",
         "德隆", "广源", "盛世", "中联", "冀东", "豫北", "太行", "燕山", "长城", "海河", "龙泉", "嘉禾")

SECTOR_NAMES = {
    "steel": "钢铁", "coking": "焦化", "foundry": "铸造", "cement": "水泥", "brick_tile": "新型建材",
    "ceramics": "陶瓷", "glass": "玻璃", "glass_wool": "玻璃棉", "rock_wool": "岩棉", "gypsum_board": "石膏板",
    "refractory": "耐火材料", "carbon": "炭素", "recycled_nonferrous": "再生金属", "pharmaceuticals": "制药",
    "pesticides": "农药", "chemicals": "化工", "thermal_power": "热电", "board_processing": "板材",
    "packaging_printing": "包装印刷", "furniture": "家具", "lime_kiln": "石灰",
}


def _emissions(rng: random.Random, best: str, reached: date) -> list[dict]:
    statuses = ["ultra_low", "special_limits", "compliant"]
    start = statuses.index(best) if best in statuses else 2
    out = []
    for pollutant in ("pm", "so2", "nox"):
        status = statuses[min(2, start + (1 if rng.random() < 0.15 else 0))]
        out.append({"pollutant": pollutant, "status": status, "reached_on": reached.isoformat()})
    return out


def _line(code, name, sector, kind, fuel, capacity, unit, *, sub_type="none", equipment=None, **extra) -> dict:
    data = {
        "code": code, "name": name, "sector": sector, "sub_type": sub_type, "kind": kind, "fuel": fuel,
        "capacity": str(capacity), "capacity_unit": unit,
        "equipment": equipment or [{"name": name.replace("生产线", "") + "1#", "kind": kind, "fuel": fuel,
                                    "capacity": str(capacity), "capacity_unit": unit}],
    }
    data.update(extra)
    return data


def _lines_for(sector: str, rng: random.Random) -> tuple[list[dict], str]:
    """Typical lines of a plant in this sector and the plant's sub-type."""
    best = rng.choice(["ultra_low", "special_limits", "special_limits", "compliant"])
    reached = date(2018, rng.choice([6, 8, 9, 10, 11]), rng.choice([1, 15, 28]))
    em = lambda: _emissions(rng, best, reached)  # noqa: E731
    cems = {"has_cems": True, "cems_transmission_rate": str(rng.choice([88, 92, 95, 98, 99])), "stack_height_m": str(rng.choice([40, 50, 60, 80]))}
    if sector == "steel":
        return [
            _line("SJ1", "1号烧结机", "steel", "sinter_machine", "coke_oven_gas", 180, "10kt/a", sub_type="steel_sinter", emissions=em(), **cems),
            _line("GL1", "1号高炉", "steel", "blast_furnace", "coke", rng.choice([120, 200, 260]), "10kt/a", sub_type="steel_blast_furnace", emissions=em(), electricity_meter="专变 1#", **cems),
            _line("ZL1", "1号转炉", "steel", "converter", "other", 150, "10kt/a", sub_type="steel_converter", emissions=em()),
            _line("ZG1", "热轧生产线", "steel", "rolling_mill", "natural_gas", 150, "10kt/a", sub_type="steel_rolling", emissions=em()),
        ], "steel_blast_furnace"
    if sector == "coking":
        return [_line("JL1", "1号焦炉", "coking", "coke_oven", "coke_oven_gas", 100, "10kt/a", coke_oven_height_m=str(rng.choice([4.3, 5.5, 6.0, 7.0])), emissions=em(), **cems)], "none"
    if sector == "foundry":
        kind, fuel = rng.choice([("cupola", "coke"), ("electric_furnace", "electricity"), ("gas_furnace", "natural_gas")])
        return [_line("ZZ1", "熔炼生产线", "foundry", kind, fuel, rng.choice([2, 3, 5]), "10kt/a", emissions=em(), has_cems=(kind == "cupola"))], "none"
    if sector == "cement":
        if rng.random() < 0.3:
            return [_line("FM1", "粉磨生产线", "cement", "grinding_mill", "electricity", 60, "10kt/a", sub_type="cement_grinding_station", emissions=em())], "cement_grinding_station"
        return [
            _line("SN1", "熟料生产线", "cement", "cement_kiln", "coal", 150, "10kt/a", sub_type="cement_kiln", emissions=em(), **cems),
            _line("FM1", "粉磨工序", "cement", "grinding_mill", "electricity", 200, "10kt/a", sub_type="cement_kiln", emissions=em()),
        ], "cement_kiln"
    if sector == "brick_tile":
        if rng.random() < 0.4:
            return [_line("ZY1", "加气砌块生产线", "brick_tile", "brick_kiln", rng.choice(["natural_gas", "electricity", "coal"]), 30, "m3/a", sub_type="brick_aerated_block", enclosed=rng.random() < 0.6, emissions=em())], "brick_aerated_block"
        return [_line("ZY1", "隧道窑", "brick_tile", "brick_kiln", rng.choice(["coal", "natural_gas"]), 6000, "pieces/a", sub_type="brick_sintered", emissions=em())], "brick_sintered"
    if sector == "ceramics":
        return [_line("TC1", "陶瓷辊道窑", "ceramics", "ceramic_kiln", rng.choice(["natural_gas", "coal", "electricity", "piped_coal_gas"]), 500, "m2/a", emissions=em())], "none"
    if sector == "glass":
        st = rng.choice(["glass_flat", "glass_daily_use"])
        return [_line("BL1", "玻璃熔窑", "glass", "glass_furnace", "natural_gas", 30, "10kt/a", sub_type=st, emissions=em(), **cems)], st
    if sector == "glass_wool":
        return [_line("BM1", "玻璃棉生产线", "glass_wool", "glass_furnace", rng.choice(["natural_gas", "coal"]), 2, "10kt/a", emissions=em())], "none"
    if sector == "rock_wool":
        kind = rng.choice(["cupola", "electric_furnace"])
        rng.choice(["coke", "electricity"])  # drawn as before, so the rest of the demo stays the same
        # a cupola burns coke and an electric furnace runs on electricity (the pairs drawn apart were nonsense, issue 14 point 9)
        fuel = "coke" if kind == "cupola" else "electricity"
        return [_line("YM1", "岩棉生产线", "rock_wool", kind, fuel, 3, "10kt/a", emissions=em())], "none"
    if sector == "gypsum_board":
        return [_line("SG1", "石膏板生产线", "gypsum_board", "other_kiln", rng.choice(["natural_gas", "coal"]), 3000, "m2/a", emissions=em())], "none"
    if sector == "refractory":
        if rng.random() < 0.5:
            return [_line("NC1", "压制成型生产线", "refractory", "press_forming", rng.choice(["none", "electricity"]), 5, "10kt/a", sub_type="refractory_pressed", has_firing_process=False, emissions=em())], "refractory_pressed"
        return [_line("NC1", "隧道窑", "refractory", "refractory_kiln", "coal", 5, "10kt/a", sub_type="refractory_fired", emissions=em())], "refractory_fired"
    if sector == "carbon":
        return [_line("TS1", "焙烧炉", "carbon", "carbon_baking_kiln", "natural_gas", 10, "10kt/a", emissions=em(), **cems)], "none"
    if sector == "recycled_nonferrous":
        st = rng.choice(["recycled_aluminium", "recycled_copper"])
        return [
            _line("RZ1", "熔铸工序", "recycled_nonferrous", "melting_casting", "natural_gas", 5, "10kt/a", sub_type=st, emissions=em()),
            _line("ZZ1", "压延工序", "recycled_nonferrous", "rolling_mill", "electricity", 5, "10kt/a", sub_type=st, emissions=em()),
        ], st
    if sector == "pharmaceuticals":
        return [_line("HC1", "原料药合成车间", "pharmaceuticals", "voc_process", "other", 800, "t/a", sub_type="pharma_api", emissions=[{"pollutant": "vocs", "status": "compliant"}])], "pharma_api"
    if sector == "pesticides":
        return [_line("NY1", "农药合成车间", "pesticides", "voc_process", "other", 2000, "t/a", sub_type="pesticide_solvent", emissions=[{"pollutant": "vocs", "status": "compliant"}])], "pesticide_solvent"
    if sector == "thermal_power":
        return [_line("FD1", "1号发电机组", "thermal_power", "generating_unit", "coal", 300, "MW", emissions=_emissions(rng, "ultra_low", reached), **cems)], "none"
    if sector == "chemicals":
        st = rng.choice(["chem_inorganic", "chem_resin", "chem_sulphuric_acid"])
        return [_line("HG1", "合成装置", "chemicals", "other", "natural_gas", 10, "10kt/a", sub_type=st, emissions=em())], st
    if sector == "lime_kiln":
        return [_line("SH1", "石灰窑", "lime_kiln", "lime_kiln", "coal", 20, "10kt/a", emissions=em())], "none"
    # board processing, printing, furniture: VOC-using processes
    return [_line("SC1", "生产车间", sector, "voc_process", "electricity", 50, "10kt/a", emissions=[{"pollutant": "vocs", "status": "compliant"}])], "none"


def _uscc(region: str, serial: int) -> str:
    body = f"91{region}{serial:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def _enterprise(rng: random.Random, city: City, county: tuple[str, str], sector: str, serial: int, sub_type: str) -> dict:
    code, short = county
    stem = rng.choice(STEMS)
    heavy = sector in ("steel", "coking", "cement", "recycled_nonferrous", "thermal_power", "chemicals")
    trucks = rng.choice([8, 15, 25, 40, 80]) if heavy else rng.choice([0, 2, 5])
    return {
        "uscc": _uscc(code, serial),
        "name": f"{city.name}市{short}{stem}{SECTOR_NAMES.get(sector, '')}有限公司",
        "region_code": code,
        "township": rng.choice(["经济开发区", "工业园区", "城关镇", "北关街道", "新区"]),
        "address": f"{city.name}市{short}{rng.choice(['工业园区', '经济开发区', '产业园'])}{rng.randint(1, 99)}号",
        "sector": sector,
        "sub_type": sub_type,
        "in_built_up_area": rng.random() < 0.15,
        "in_main_urban_area": rng.random() < 0.1,
        "in_key_area": rng.random() < 0.3,
        "restricted_category": rng.random() < 0.05,
        "stably_compliant": rng.random() > 0.08,
        "meets_permit_requirements": rng.random() > 0.05,
        "autumn_winter_tasks_done": rng.random() > 0.07,
        "technology_level": rng.choice(["advanced", "ordinary"]),
        "transport_structure": rng.choice(["rational", "basically_rational", "other"]),
        "product_level": rng.choice(["high", "mid", "low"]),
        "capacity_utilisation_2018": str(rng.choice([85, 95, 110, 125])) if sector == "steel" else None,
        "livelihood_task": "hazardous_waste" if sector == "cement" and rng.random() < 0.25 else None,
        "livelihood_max_load": "60" if sector == "cement" and rng.random() < 0.25 else None,
        "key_vehicle_user": trucks >= 20,
        "key_vehicle_basis": "自有或日常使用重型柴油货车≥20辆" if trucks >= 20 else "",
        "heavy_diesel_vehicles": trucks,
        "fleet_china5": trucks // 2,
        "fleet_china6": trucks - trucks // 2,
        "has_railway_siding": sector == "steel" and rng.random() < 0.5,
        "gate_video_retention_months": 3 if heavy else None,
        "key_pollutant_unit": heavy,
        "separate_metering": rng.random() < 0.6,
        "legal_representative": rng.choice(["王建国", "李志强", "张海燕", "刘振华", "陈立新", "赵文博"]),
        "contact_person": rng.choice(["孙丽", "周明", "吴涛", "郑伟", "冯静", "杨帆"]),
        "contact_phone": f"1{rng.choice([3, 5, 8])}{rng.randint(100000000, 999999999)}",
        "contact_email": "",
    }


_demo_hash: list[str] = []


def _account(username: str, role: str, region: str | None, full_name: str) -> User:
    if not _demo_hash:  # argon2 is slow by design: hash the shared demo password once
        _demo_hash.append(hash_password(DEMO_PASSWORD))
    return create_user(SYSTEM, {"username": username, "role": role, "region_code": region,
                                "full_name": full_name}, password_hash=_demo_hash[0])


DEMO_ACCOUNTS = (
    ("admin", "admin", None, "系统管理员"),
    ("anquan", "security_admin", None, "安全管理员"),  # 三员分立: the demo shows all three administrators
    ("shenji", "audit_admin", None, "审计管理员"),
    ("hebei", "province", "130000", "河北省生态环境厅"),
    ("langfang", "city", "131000", "廊坊市生态环境局"),
    # four eyes (issue 13 L11): the one who makes a grade effective is not the one who approved it
    ("langfang2", "city", "131000", "廊坊市生态环境局（公示复核）"),
    ("anci", "county", "131002", "廊坊市生态环境局安次区分局"),
    ("shijiazhuang", "city", "130100", "石家庄市生态环境局"),
    ("jiyuan", "county", "419001", "济源市生态环境局"),
    ("jizhou", "county", "120119", "天津市蓟州区生态环境局"),
)


def build_demo(*, force: bool = False, seed: int = 2017, per_city: int = 50,
               progress: Callable[[str], None] | None = None) -> dict[str, int] | None:
    """Create the demo city; returns counts, or None when enterprises already exist (the demo accounts
    missing from such a database, e.g. ones added to DEMO_ACCOUNTS later, are still created)."""
    officials: dict[str, User] = {}
    for username, role, region, full_name in DEMO_ACCOUNTS:
        existing = db.session.scalar(select(User).where(User.username == username))
        officials[username] = existing or _account(username, role, region, full_name)
    if not force and db.session.scalar(select(func.count()).select_from(Enterprise)):
        return None
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # reproducible demo data, not security
    reviewer = {"lf": "anci", "sjz": "shijiazhuang", "jy": "jiyuan", "jz": "jizhou"}
    counts = {"enterprises": 0, "lines": 0, "permits": 0}
    approvals: list[tuple[User, Enterprise, User | None]] = []
    serial = db.session.scalar(select(func.count()).select_from(Enterprise)) or 0
    for city in CITIES:
        for i in range(per_city):
            serial += 1
            sector = city.sectors[i % len(city.sectors)]
            county = city.counties[i % len(city.counties)]
            username = "qiye" if (city.key == "lf" and i == 0) else f"{city.key}-qiye-{i + 1:03d}"
            owner = db.session.scalar(select(User).where(User.username == username))
            if owner is None or owner.enterprise_id is not None:
                owner = _account(username if owner is None else f"{username}-{serial}", "enterprise", None, "")
            lines, sub_type = _lines_for(sector, rng)
            ent = ops.register_enterprise(owner, _enterprise(rng, city, county, sector, serial, sub_type))
            for line in lines:
                ops.add_line(owner, ent.id, line)
            ops.add_permit(owner, ent.id, {
                "number": f"{ent.uscc}001P", "kind": "full",
                "status": rng.choice(["issued", "issued", "issued", "rectify_after"]),
                "industry": SECTOR_NAMES.get(sector, "其他"), "issued_on": "2017-12-20", "valid_until": "2020-12-19",
                "discharging_per_permit": rng.random() > 0.05,
            })
            counts["enterprises"] += 1
            counts["lines"] += len(lines)
            counts["permits"] += 1
            roll = rng.random() if i else 0.5  # the printed demo enterprise waits for review
            official = officials[reviewer[city.key]] if city.key != "lf" else officials["anci" if county[0] == "131002" else "langfang"]
            if roll < 0.1:
                continue  # draft
            ops.submit_registration(owner, ent.id, {"version": ent.version})
            if city.key == "lf" and i == 0:
                # the printed demo enterprise: approved once, its amendment now waits for review — schedules and
                # lists keep its approved facts meanwhile (issue 14 point 10)
                approvals.append((official, ent, owner))
            elif roll < 0.2:
                ops.return_registration(official, ent.id, {"version": ent.version, "reason": "请补充排污许可证副本和在线监测联网证明。"})
            elif roll >= 0.6:
                approvals.append((official, ent, None))
            if progress and counts["enterprises"] % 25 == 0:
                progress(f"{counts['enterprises']} enterprises…")
    counts["daily_emissions"] = add_daily_emissions(seed)  # the emergency list's base (issue 7)
    # Approved last, so the approved facts that schedules and lists read include the daily emissions.
    for official, ent, amending in approvals:
        ops.approve_registration(official, ent.id, {"version": ent.version})
        if amending is not None:
            ops.reopen_registration(amending, ent.id, {"version": ent.version})
            ops.submit_registration(amending, ent.id, {"version": ent.version})
    # Each demo city's non-industrial inventory: every pack's targets are shares of all emissions (society-wide
    # base, 000:143, 000:149, 001:93, 003:50, 004:381), so the demo lists show both bases (issue 14 point 8).
    city_officials = {"lf": "langfang", "sjz": "shijiazhuang", "jy": "jiyuan", "jz": "jizhou"}
    counts["area_sources"] = sum(add_area_sources(officials[city_officials[c.key]], c.official_region) for c in CITIES)

    counts["grade_applications"] = sum(build_grade_demo(officials["langfang"], publisher=officials["langfang2"]).values())  # issue 5
    db.session.flush()
    return counts


def print_logins(echo: Callable[[str], None]) -> None:
    echo("")
    echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, role, region, full_name in DEMO_ACCOUNTS:
        echo(f"  {username:<14} {role:<14} {region or '':<7} {full_name}")
    echo(f"  {'qiye':<14} {'enterprise':<14} {'':<7} 廊坊市安次区的一家企业 (an enterprise user)")


def _build_city(force: bool) -> str | None:
    created = build_demo(force=force)
    if not created:
        return None
    return f"demo data: {created['enterprises']} enterprises, {created['lines']} lines, {created['permits']} permits"


def register_cli(app) -> None:
    """The demo city is the first of the demo builders `flask demo-data` and `flask seed` run (core/cli.py)."""
    register_demo_builder(app, "city", DemoBuilder(order=10, build=_build_city, logins=print_logins))
