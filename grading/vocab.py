"""Controlled vocabularies shared by the engine, the database, forms, the API and Excel.

They live here, in the lowest layer, because `grading/` may import nothing from `registry/`
while the registry needs the very same codes: one definition, used everywhere (DOMAIN.md §4.3).
Each member's value is the stable English code stored in the database and used in the evaluate
contract; `label_zh` is the term the sources use. Add members freely; never rename a value.
"""
from __future__ import annotations

from enum import Enum

_RANKS: dict = {}


def _rank(member) -> int:
    """Position of a member in its (ordered) vocabulary, cached: ranks are compared in every rule."""
    r = _RANKS.get(member)
    if r is None:
        r = _RANKS[member] = list(type(member)).index(member)
    return r


class Vocabulary(str, Enum):
    """A str-valued enum whose members carry a Chinese label (the sources' term)."""

    def __new__(cls, value: str, label_zh: str = ""):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label_zh = label_zh or value
        return obj

    def __str__(self) -> str:  # so f-strings and templates print the code, not Class.member
        return self.value

    @classmethod
    def codes(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, 中文) pairs for select widgets and data-dictionary exports."""
        return [(m.value, m.label_zh) for m in cls]


class Sector(Vocabulary):
    """Industry sector (DOMAIN.md §4.3 Enterprise; 000:129–135, 002:335–353/595–609, 003:51, 004:388)."""

    STEEL = "steel", "钢铁"
    COKING = "coking", "焦化"
    FOUNDRY = "foundry", "铸造"
    CEMENT = "cement", "水泥"
    BRICK_TILE = "brick_tile", "砖瓦"
    CERAMICS = "ceramics", "陶瓷"
    GLASS = "glass", "玻璃"
    GLASS_WOOL = "glass_wool", "玻璃棉"
    ROCK_WOOL = "rock_wool", "岩棉"
    GYPSUM_BOARD = "gypsum_board", "石膏板"
    REFRACTORY = "refractory", "耐火材料"
    BUILDING_MATERIALS_OTHER = "building_materials_other", "其他建材"
    CARBON = "carbon", "炭素"
    RECYCLED_NONFERROUS = "recycled_nonferrous", "再生有色金属"
    NONFERROUS_OTHER = "nonferrous_other", "其他有色金属冶炼"
    ALUMINA = "alumina", "氧化铝"
    ELECTROLYTIC_ALUMINIUM = "electrolytic_aluminium", "电解铝"
    COPPER_SMELTING = "copper_smelting", "铜冶炼"
    LIME_KILN = "lime_kiln", "石灰窑"
    FERROALLOY = "ferroalloy", "铁合金"
    CHEMICALS = "chemicals", "化工"
    REFINING_PETROCHEMICAL = "refining_petrochemical", "炼油和石油化工"
    PHARMACEUTICALS = "pharmaceuticals", "制药"
    PESTICIDES = "pesticides", "农药"
    COATINGS = "coatings", "涂料"
    INKS = "inks", "油墨"
    THERMAL_POWER = "thermal_power", "火电"
    BOARD_PROCESSING = "board_processing", "板材加工"
    PACKAGING_PRINTING = "packaging_printing", "包装印刷"
    FURNITURE = "furniture", "家具"
    WOOD_PANELS = "wood_panels", "人造板"
    CONSTRUCTION_PROJECT = "construction_project", "重点建设项目"
    OTHER = "other", "其他"


class SubType(Vocabulary):
    """Sector sub-type; the exclusions of 000:133 and 002:602 turn on these."""

    NONE = "none", "无"
    # steel
    STEEL_BLAST_FURNACE = "steel_blast_furnace", "高炉炼铁"
    STEEL_SINTER = "steel_sinter", "烧结"
    STEEL_CONVERTER = "steel_converter", "转炉炼钢"
    STEEL_ROLLING = "steel_rolling", "轧钢"
    # cement
    CEMENT_KILN = "cement_kiln", "水泥熟料"
    CEMENT_GRINDING_STATION = "cement_grinding_station", "粉磨站"
    CEMENT_SPECIAL = "cement_special", "特种水泥"
    CEMENT_PRODUCTS = "cement_products", "水泥制品"
    # brick / tile
    BRICK_SINTERED = "brick_sintered", "烧结砖"
    BRICK_AERATED_BLOCK = "brick_aerated_block", "加气砌块砖"
    # glass
    GLASS_FLAT = "glass_flat", "平板玻璃"
    GLASS_ELECTRONIC = "glass_electronic", "电子玻璃"
    GLASS_DAILY_USE = "glass_daily_use", "日用玻璃"
    # refractory
    REFRACTORY_FIRED = "refractory_fired", "烧成耐材"
    REFRACTORY_PRESSED = "refractory_pressed", "压制成型耐材"
    REFRACTORY_FUSED_CAST = "refractory_fused_cast", "熔铸耐材"
    # recycled non-ferrous
    RECYCLED_COPPER = "recycled_copper", "再生铜"
    RECYCLED_ALUMINIUM = "recycled_aluminium", "再生铝"
    RECYCLED_LEAD = "recycled_lead", "再生铅"
    RECYCLED_ZINC = "recycled_zinc", "再生锌"
    # chemicals
    CHEM_INORGANIC = "chem_inorganic", "无机化学"
    CHEM_RESIN = "chem_resin", "合成树脂"
    CHEM_CAUSTIC_PVC = "chem_caustic_pvc", "烧碱/聚氯乙烯"
    CHEM_SULPHURIC_ACID = "chem_sulphuric_acid", "硫酸"
    # pharmaceuticals / pesticides
    PHARMA_API = "pharma_api", "原料药"
    PHARMA_FORMULATION = "pharma_formulation", "制剂"
    PESTICIDE_SOLVENT = "pesticide_solvent", "使用有机溶剂的农药"
    PESTICIDE_OTHER = "pesticide_other", "其他农药"
    # livelihood / construction
    MAJOR_LIVELIHOOD_PROJECT = "major_livelihood_project", "重大民生保障工程"
    KEY_CONSTRUCTION_PROJECT = "key_construction_project", "重点建设项目"
    CENTRAL_HEATING_INFRASTRUCTURE = "central_heating_infrastructure", "集中供热配套设施"


class LineKind(Vocabulary):
    """Kind of production line / process / equipment (生产线/工序/设备, DOMAIN.md §4.3)."""

    BLAST_FURNACE = "blast_furnace", "高炉"
    SINTER_MACHINE = "sinter_machine", "烧结机"
    CONVERTER = "converter", "转炉"
    ROLLING_MILL = "rolling_mill", "轧钢生产线"
    COKE_OVEN = "coke_oven", "焦炉"
    CEMENT_KILN = "cement_kiln", "水泥窑"
    GRINDING_MILL = "grinding_mill", "粉磨设备"
    BRICK_KILN = "brick_kiln", "砖瓦窑"
    CERAMIC_KILN = "ceramic_kiln", "陶瓷窑"
    GLASS_FURNACE = "glass_furnace", "玻璃熔窑"
    CUPOLA = "cupola", "冲天炉"
    ELECTRIC_FURNACE = "electric_furnace", "电炉"
    GAS_FURNACE = "gas_furnace", "天然气炉"
    MELTING_CASTING = "melting_casting", "熔铸工序"
    VOC_PROCESS = "voc_process", "VOCs排放工序"
    BOILER = "boiler", "锅炉"
    GENERATING_UNIT = "generating_unit", "发电机组"
    CARBON_BAKING_KILN = "carbon_baking_kiln", "炭素焙烧炉"
    LIME_KILN = "lime_kiln", "石灰窑"
    REFRACTORY_KILN = "refractory_kiln", "耐材窑"
    PRESS_FORMING = "press_forming", "压制成型（无焙烧）"
    COAL_GAS_PRODUCER = "coal_gas_producer", "煤气发生炉"
    EARTHWORKS = "earthworks", "土石方作业"
    OTHER_KILN = "other_kiln", "其他工业炉窑"
    OTHER = "other", "其他工序"


class Fuel(Vocabulary):
    """Fuel or energy of a line (DOMAIN.md §4.3); clean energy is an open list (等清洁能源)."""

    COAL = "coal", "煤"
    COKE = "coke", "焦炭"
    NATURAL_GAS = "natural_gas", "天然气"
    ELECTRICITY = "electricity", "电"
    PIPED_COAL_GAS = "piped_coal_gas", "管道煤气"
    COKE_OVEN_GAS = "coke_oven_gas", "焦炉煤气"
    BIOMASS = "biomass", "生物质"
    OIL = "oil", "油"
    ALCOHOL_FUEL = "alcohol_fuel", "醇基燃料"
    NONE = "none", "无燃料（无焙烧）"
    OTHER = "other", "其他"


class EmissionStatus(Vocabulary):
    """Emission status of a pollutant, ordered from worst to best (§1.5)."""

    NON_COMPLIANT = "non_compliant", "不能稳定达标"
    COMPLIANT = "compliant", "稳定达标（现行标准）"
    SPECIAL_LIMITS = "special_limits", "特别排放限值"
    ULTRA_LOW = "ultra_low", "超低排放"

    @property
    def rank(self) -> int:
        return _rank(self)


class Pollutant(Vocabulary):
    PM = "pm", "颗粒物"
    SO2 = "so2", "二氧化硫"
    NOX = "nox", "氮氧化物"
    VOCS = "vocs", "挥发性有机物"


class AlertLevel(Vocabulary):
    """Heavy-pollution alert level; 'none' is an ordinary day. Blue exists only in 000:149."""

    NONE = "none", "无预警"
    BLUE = "blue", "蓝色预警"
    YELLOW = "yellow", "黄色预警"
    ORANGE = "orange", "橙色预警"
    RED = "red", "红色预警"

    @property
    def rank(self) -> int:
        return _rank(self)


class PermitKind(Vocabulary):
    """Permit kind (003:14): a full permit or registration management."""

    FULL = "full", "排污许可证"
    REGISTRATION = "registration", "登记管理"


class PermitManagementClass(Vocabulary):
    """Permit management class (排污许可分类管理: 重点管理 / 简化管理 / 登记管理, 003:14 names 登记管理)."""

    KEY = "key", "重点管理"
    SIMPLIFIED = "simplified", "简化管理"
    REGISTRATION = "registration", "登记管理"


class AreaSourceCategory(Vocabulary):
    """Non-industrial sources of a city's whole inventory (全社会排放, 000:143, 000:149; days R-A-02, 002:582)."""

    MOBILE = "mobile", "移动源"
    DUST = "dust", "扬尘源"
    RESIDENTIAL_BURNING = "residential_burning", "民用散煤燃烧"
    OTHER = "other", "其他源"


class PermitStatus(Vocabulary):
    """Permit status (003:71)."""

    NONE = "none", "无证"
    ISSUED = "issued", "已核发"
    RECTIFY_AFTER = "rectify_after", "先发证再整改"
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已撤销"


class LivelihoodTask(Vocabulary):
    """Livelihood task kinds (000:133, 001:99); an open list (等)."""

    RESIDENTIAL_HEATING = "residential_heating", "居民供暖"
    MUNICIPAL_WASTE = "municipal_waste", "协同处置城市垃圾"
    HAZARDOUS_WASTE = "hazardous_waste", "协同处置危险废物"
    OTHER = "other", "其他保民生任务"


class EmergencyGrade(Vocabulary):
    """Emergency performance grade A/B/C (003:51) — one system among several, never mixed."""

    A = "A", "A级"
    B = "B", "B级"
    C = "C", "C级"


class StaggeringTier(Vocabulary):
    """Shijiazhuang staggering tier (004:389)."""

    NONE = "none", "不予错峰（0%）"
    MIDDLE = "middle", "错峰20%-30%"
    LOW = "low", "错峰50%-60%"
    STOP = "stop", "全面停产治理"


class VocClass(Vocabulary):
    """Shijiazhuang VOC health-check class (004:350) — a remediation order, not a grade."""

    A = "A", "VOCs体检A类"
    B = "B", "VOCs体检B类"
    C = "C", "VOCs体检C类"


class ProductLevel(Vocabulary):
    HIGH = "high", "高端"
    MID = "mid", "中端"
    LOW = "low", "低端"


class TechnologyLevel(Vocabulary):
    ADVANCED = "advanced", "工艺先进"
    ORDINARY = "ordinary", "一般"


class TransportStructure(Vocabulary):
    RATIONAL = "rational", "运输结构合理"
    BASICALLY_RATIONAL = "basically_rational", "运输结构基本合理"
    OTHER = "other", "其他"


class VehicleStandard(Vocabulary):
    """Vehicle emission standard (国三…国六)."""

    CHINA_3 = "china_3", "国三及以下"
    CHINA_4 = "china_4", "国四"
    CHINA_5 = "china_5", "国五"
    CHINA_6 = "china_6", "国六"


class ScatteredClass(Vocabulary):
    """散乱污 class (000:49)."""

    NONE = "none", "非散乱污"
    CLOSE = "close", "关停取缔"
    RELOCATE = "relocate", "整合搬迁"
    RECTIFY = "rectify", "整治改造"


class LocationFlag(Vocabulary):
    """Location attributes that change treatment (004:382, 000:113, 002:669, 004:99)."""

    BUILT_UP_AREA = "built_up_area", "建成区"
    MAIN_URBAN_AREA = "main_urban_area", "主城区"
    KEY_AREA = "key_area", "重点区域"
    URBAN_PLANNING_AREA = "urban_planning_area", "城市规划区"
    COAL_BAN_ZONE = "coal_ban_zone", "禁煤区"


# --- added by the policy engine (grading/); values are stable codes like the ones above ---


class Measure(Vocabulary):
    """What a production line must do (DOMAIN.md §4.3 Schedule), ordered from mildest to strictest."""

    NONE = "none", "无措施"
    MAX_LOAD = "max_load", "最大允许生产负荷"
    EXTEND_COKING = "extend_coking", "延长出焦时间"
    CURTAIL = "curtail", "限产"
    STOP = "stop", "停产"

    @property
    def rank(self) -> int:
        return _rank(self)


class Basis(Vocabulary):
    """What a curtailment percentage is measured against (000:129 以高炉生产能力计)."""

    CAPACITY = "capacity", "生产能力"
    BLAST_FURNACE_CAPACITY = "blast_furnace_capacity", "高炉生产能力"
    ELECTRICITY = "electricity", "用电量"
    OUTPUT = "output", "产量"
    TIME = "time", "生产时间"
    EMISSIONS = "emissions", "污染物排放量"
    COKING_TIME_HOURS = "coking_time_hours", "出焦时间（小时）"
    PRODUCTION_LOAD = "production_load", "生产负荷"
    EMERGENCY_LIST = "emergency_list", "应急减排清单措施"
    NOT_STATED = "not_stated", "来源未规定"


class ApprovalKind(Vocabulary):
    """Approvals and filings the sources name (000:131, 000:133, 000:135, 000:143, 001:101, 002:582)."""

    CITY_GOVERNMENT_APPROVAL = "city_government_approval", "市政府批准"
    PROVINCIAL_AIR_OFFICE_FILING = "provincial_air_office_filing", "报省大气办备案"
    CITY_GOVERNMENT_FILING = "city_government_filing", "报市政府备案"
    CITY_STAGGERING_FILING = "city_staggering_filing", "报市工信委、环保局备案"
    EPB_FILING = "epb_filing", "报环保局备案"


class VehiclePurpose(Vocabulary):
    """Why a truck moves during an alert; the exception categories of 000:139, 001:103, 004:394."""

    BULK_MATERIALS = "bulk_materials", "大宗物料运输"
    SAFE_PRODUCTION = "safe_production", "保障安全生产运行"
    LIVELIHOOD_GOODS = "livelihood_goods", "运输保障民生物资"
    SPECIAL_DEMAND = "special_demand", "特殊需求产品"
    PORT_SERVICE = "port_service", "外贸货物、进出境旅客集疏港"
    OTHER = "other", "其他"


class RetrofitProgress(Vocabulary):
    """Progress of the ultra-low retrofit, for the Shijiazhuang tiers (004:389)."""

    NONE = "none", "仅达到现行排放标准"
    PARTIAL = "partial", "部分完成超低排放改造"
    COMPLETE = "complete", "完成超低排放"
