"""The data dictionary: the one list of importable fields with their 中文/English headers, units, types and vocabularies.

Excel templates, imports, exports and docs/data-dictionary.md all read their headers from
here, so a header never exists twice (DESIGN.md §4 "Excel in and out"). Forms and API docs may
use it too. A field names the database column it fills (`table.column`); lengths, decimal
places and numeric bounds come from that column, so the dictionary cannot drift from the
model (tests/integration/exchange/test_dictionary.py checks that every importable column of
Enterprise, ProductionLine, Equipment, LineEmission and Permit is listed here).

Sheets are flat, as county registers are: one row per enterprise, per production line (with
the per-pollutant emission status flattened into columns), per piece of equipment (keyed by
USCC + line code + name) and per permit (keyed by its number, holder by USCC).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from grading.vocab import (
    EmissionStatus,
    Fuel,
    LineKind,
    LivelihoodTask,
    PermitKind,
    PermitManagementClass,
    PermitStatus,
    Pollutant,
    ProductLevel,
    ScatteredClass,
    Sector,
    SubType,
    TechnologyLevel,
    TransportStructure,
)
from registry.extensions import db


class FieldType(str, enum.Enum):
    TEXT = "text"
    EMAIL = "email"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    BOOLEAN = "boolean"
    VOCABULARY = "vocabulary"
    USCC = "uscc"        # 统一社会信用代码, GB 32100 check character
    REGION = "region"    # county-level GB/T 2260 code


class Choices:
    """A vocabulary that is a plain mapping (capacity units) dressed like grading.vocab's enums."""

    def __init__(self, name: str, mapping: dict[str, str]):
        self.__name__ = name
        self._mapping = dict(mapping)

    def codes(self) -> list[str]:
        return list(self._mapping)

    def choices(self) -> list[tuple[str, str]]:
        return list(self._mapping.items())


# A line's capacity units, with their Chinese names: a vocabulary of the dictionary (the forms, the schemas and
# the templates read it from here).
CAPACITY_UNITS = {
    "t/a": "吨/年",
    "10kt/a": "万吨/年",
    "t/d": "吨/天",
    "t/h": "蒸吨/小时",
    "MW": "兆瓦",
    "m3/a": "立方米/年",
    "m2/a": "平方米/年",
    "pieces/a": "万块/年",
    "other": "其他",
}
CAPACITY_UNIT = Choices("CapacityUnit", CAPACITY_UNITS)

BOOLEAN_WORDS = {"zh": ("是", "否"), "en": ("yes", "no")}


@dataclass(frozen=True)
class Field:
    key: str                      # column key, stable; also accepted as a header
    zh: str                       # 中文表头 (without unit)
    en: str                       # English header (without unit)
    type: FieldType
    column: str                   # "table.column" it fills; emissions: "line_emission.<col>"
    required: bool = False
    vocabulary: Any = None
    unit: str = ""
    default: Any = None           # value of a blank cell (the schema's load_default)
    minimum: float | None = None
    maximum: float | None = None
    note_zh: str = ""
    note_en: str = ""
    example: Any = None
    pollutant: str | None = None  # for the flattened emission columns

    def header(self, lang: str = "zh") -> str:
        label = self.zh if lang == "zh" else self.en
        if self.unit:
            return f"{label}（{self.unit}）" if lang == "zh" else f"{label} ({self.unit})"
        return label

    def vocabulary_codes(self) -> list[str]:
        return self.vocabulary.codes() if self.vocabulary is not None else []

    def vocabulary_labels(self, lang: str = "zh") -> list[str]:
        """What a cell shows: the Chinese term in zh, the stable code in en."""
        if self.vocabulary is None:
            return []
        return [label if lang == "zh" else code for code, label in self.vocabulary.choices()]

    def allowed_text(self, lang: str = "zh") -> str:
        if self.type is FieldType.BOOLEAN:
            yes, no = BOOLEAN_WORDS[lang]
            return f"{yes} / {no}"
        if self.vocabulary is not None:
            return "、".join(self.vocabulary_labels(lang)) if lang == "zh" else ", ".join(self.vocabulary_codes())
        return ""


@dataclass(frozen=True)
class Sheet:
    key: str                      # enterprises | lines | equipment | permits
    zh: str
    en: str
    table: str
    keys: tuple[str, ...]         # the natural key of a row
    fields: tuple[Field, ...]
    note_zh: str = ""
    note_en: str = ""
    parent: str | None = None     # the sheet whose rows this one refers to by USCC

    def title(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def headers(self, lang: str = "zh") -> list[str]:
        return [f.header(lang) for f in self.fields]

    def example_row(self) -> dict[str, Any]:
        return {f.key: f.example for f in self.fields}


T = FieldType
E = "enterprise."
L = "production_line."
Q = "equipment."
P = "permit."

EXAMPLE_LINE = "L01"


def _example_uscc() -> str:
    from stdnum.cn import uscc

    body = "91131002MA0EXAMPL"
    return body + uscc.calc_check_digit(body)


EXAMPLE_USCC = _example_uscc()


def _text(key, zh, en, column, *, required=False, note_zh="", note_en="", example=None, default=""):
    return Field(key, zh, en, T.TEXT, column, required=required, default=default, note_zh=note_zh, note_en=note_en, example=example)


def _flag(key, zh, en, column, default: bool, note_zh="", note_en="", example=None):
    return Field(key, zh, en, T.BOOLEAN, column, default=default, note_zh=note_zh, note_en=note_en,
                 example=default if example is None else example)


def _vocab(key, zh, en, column, vocabulary, *, required=False, default=None, note_zh="", note_en="", example=None):
    return Field(key, zh, en, T.VOCABULARY, column, required=required, vocabulary=vocabulary, default=default,
                 note_zh=note_zh, note_en=note_en, example=example)


def _number(key, zh, en, column, *, unit="", minimum=0.0, maximum=None, integer=False, note_zh="", note_en="", example=None, default=None):
    return Field(key, zh, en, T.INTEGER if integer else T.DECIMAL, column, unit=unit, minimum=minimum, maximum=maximum,
                 note_zh=note_zh, note_en=note_en, example=example, default=default)


def _day(key, zh, en, column, note_zh="", note_en="", example=None):
    return Field(key, zh, en, T.DATE, column, note_zh=note_zh, note_en=note_en, example=example)


def _holder(note_zh: str, note_en: str) -> Field:
    return Field("uscc", "企业统一社会信用代码", "Enterprise USCC", T.USCC, E + "uscc", required=True,
                 note_zh=note_zh, note_en=note_en, example=EXAMPLE_USCC)


ENTERPRISES = Sheet(
    "enterprises", "企业", "Enterprises", "enterprise", ("uscc",),
    note_zh="每行一家企业，以统一社会信用代码识别；已登记的企业按本行更新。",
    note_en="One row per enterprise, identified by its USCC; a registered enterprise is updated from its row.",
    fields=(
        Field("uscc", "统一社会信用代码", "USCC", T.USCC, E + "uscc", required=True,
              note_zh="18位，末位为GB 32100校验码", note_en="18 characters, the last is the GB 32100 check character",
              example=EXAMPLE_USCC),
        _text("name", "企业名称", "Enterprise name", E + "name", required=True, example="廊坊示例钢铁有限公司"),
        Field("region_code", "所在县（区）代码", "County code", T.REGION, E + "region_code", required=True,
              note_zh="6位县级行政区划代码（GB/T 2260）", note_en="6-digit county-level GB/T 2260 code", example="131002"),
        _text("township", "乡镇（街道）", "Township", E + "township", example="码头镇"),
        _text("address", "详细地址", "Address", E + "address", example="廊坊市安次区示例路1号"),
        _vocab("sector", "所属行业", "Sector", E + "sector", Sector, required=True, example="steel"),
        _vocab("sub_type", "行业细分", "Sub-type", E + "sub_type", SubType, default=SubType.NONE.value, example="steel_blast_furnace"),
        _flag("in_built_up_area", "位于建成区", "In built-up area", E + "in_built_up_area", False),
        _flag("in_main_urban_area", "位于主城区", "In main urban area", E + "in_main_urban_area", False),
        _flag("in_key_area", "位于重点区域", "In key area", E + "in_key_area", False),
        _flag("in_urban_planning_area", "位于城市规划区", "In urban planning area", E + "in_urban_planning_area", False),
        _flag("in_coal_ban_zone", "位于禁煤区", "In coal-ban zone", E + "in_coal_ban_zone", False),
        _text("cluster_name", "所属企业集群", "Enterprise cluster", E + "cluster_name"),
        _flag("restricted_category", "属产业政策限制类", "Restricted category", E + "restricted_category", False),
        _flag("conforms_to_industrial_policy", "符合产业政策", "Conforms to industrial policy", E + "conforms_to_industrial_policy", True),
        _vocab("scattered_class", "散乱污类别", "Scattered-polluter class", E + "scattered_class", ScatteredClass,
               default=ScatteredClass.NONE.value, example="none"),
        _day("relocation_deadline", "搬迁期限", "Relocation deadline", E + "relocation_deadline"),
        _flag("coal_project_without_replacement", "耗煤项目未落实煤炭减量替代", "Coal project without replacement",
              E + "coal_project_without_replacement", False),
        _flag("stably_compliant", "稳定达标排放", "Stably compliant", E + "stably_compliant", True),
        _flag("meets_permit_requirements", "满足排污许可要求", "Meets permit requirements", E + "meets_permit_requirements", True),
        _flag("autumn_winter_tasks_done", "完成秋冬季治理任务", "Autumn-winter tasks done", E + "autumn_winter_tasks_done", True),
        _flag("cems_data_valid", "在线监测数据有效", "CEMS data valid", E + "cems_data_valid", True),
        _day("fugitive_control_done_on", "无组织排放治理完成日期", "Fugitive control done on", E + "fugitive_control_done_on", example=date(2018, 9, 30)),
        _day("voc_remediation_done_on", "VOCs治理完成日期", "VOC remediation done on", E + "voc_remediation_done_on"),
        _day("furnace_list_done_on", "工业炉窑整治完成日期", "Furnace list done on", E + "furnace_list_done_on"),
        _vocab("technology_level", "工艺水平", "Technology level", E + "technology_level", TechnologyLevel),
        _vocab("transport_structure", "运输结构", "Transport structure", E + "transport_structure", TransportStructure),
        _vocab("product_level", "产品档次", "Product level", E + "product_level", ProductLevel),
        _number("capacity_utilisation_2018", "2018年产能利用率", "Capacity utilisation 2018", E + "capacity_utilisation_2018",
                unit="%", maximum=1000, note_zh="可超过100%", note_en="may exceed 100 %"),
        _vocab("livelihood_task", "保民生任务类型", "Livelihood task", E + "livelihood_task", LivelihoodTask),
        _text("livelihood_task_volume", "保民生任务量", "Livelihood task volume", E + "livelihood_task_volume"),
        _number("livelihood_max_load", "保民生最大允许负荷", "Livelihood max load", E + "livelihood_max_load", unit="%", maximum=100,
                note_zh="占产能的百分比", note_en="percentage of capacity"),
        _day("livelihood_filed_on", "保民生任务备案日期", "Livelihood task filed on", E + "livelihood_filed_on"),
        _text("livelihood_filed_with", "保民生任务备案部门", "Livelihood task filed with", E + "livelihood_filed_with"),
        _flag("key_vehicle_user", "重点用车企业", "Key vehicle user", E + "key_vehicle_user", False),
        _text("key_vehicle_basis", "重点用车认定依据", "Key vehicle user basis", E + "key_vehicle_basis"),
        _flag("city_logistics", "城市物流配送企业", "City logistics-distribution enterprise", E + "city_logistics", False),
        _number("heavy_diesel_vehicles", "重型柴油车数量", "Heavy diesel vehicles", E + "heavy_diesel_vehicles", unit="辆", integer=True),
        _number("fleet_china3", "国三及以下车辆数", "Fleet China 3 or older", E + "fleet_china3", unit="辆", integer=True),
        _number("fleet_china4", "国四车辆数", "Fleet China 4", E + "fleet_china4", unit="辆", integer=True),
        _number("fleet_china5", "国五车辆数", "Fleet China 5", E + "fleet_china5", unit="辆", integer=True),
        _number("fleet_china6", "国六车辆数", "Fleet China 6", E + "fleet_china6", unit="辆", integer=True),
        _flag("has_railway_siding", "有铁路专用线", "Has railway siding", E + "has_railway_siding", False),
        _number("rail_share", "铁路运输比例", "Rail share", E + "rail_share", unit="%", maximum=100),
        _number("bulk_freight_mt", "大宗物料运输量", "Bulk freight", E + "bulk_freight_mt", unit="百万吨/年",
                note_en="million tonnes per year (Mt/a)"),
        _number("gate_video_retention_months", "门禁视频保存月数", "Gate video retention", E + "gate_video_retention_months",
                unit="月", integer=True),
        _flag("daily_truck_log", "建立车辆运输台账", "Daily truck log", E + "daily_truck_log", False),
        _flag("key_pollutant_unit", "重点排污单位", "Key pollutant discharge unit", E + "key_pollutant_unit", False),
        _flag("separate_metering", "分表计电", "Separate metering", E + "separate_metering", False),
        _flag("has_dcs", "有DCS系统", "Has DCS", E + "has_dcs", False),
        _text("legal_representative", "法定代表人", "Legal representative", E + "legal_representative"),
        _text("contact_person", "联系人", "Contact person", E + "contact_person", example="张三"),
        _text("contact_phone", "联系电话", "Contact phone", E + "contact_phone", example="0316-1234567"),
        Field("contact_email", "电子邮箱", "Contact e-mail", T.EMAIL, E + "contact_email", default=""),
        _text("resident_inspector", "驻厂监管员", "Resident inspector", E + "resident_inspector"),
    ),
)


def _emission_fields() -> tuple[Field, ...]:
    out: list[Field] = []
    en_names = {"pm": "PM", "so2": "SO2", "nox": "NOx", "vocs": "VOCs"}
    for p in (Pollutant.PM, Pollutant.SO2, Pollutant.NOX, Pollutant.VOCS):
        zh, en = p.label_zh, en_names[p.value]
        example_status = "special_limits" if p is Pollutant.SO2 else None
        out += [
            Field(f"{p.value}_status", f"{zh}排放状态", f"{en} status", T.VOCABULARY, "line_emission.status",
                  vocabulary=EmissionStatus, pollutant=p.value, example=example_status,
                  note_zh="留空表示未填报该污染物", note_en="blank: no status reported for this pollutant"),
            Field(f"{p.value}_reached_on", f"{zh}达到该状态日期", f"{en} reached on", T.DATE, "line_emission.reached_on",
                  pollutant=p.value, example=date(2017, 9, 1) if example_status else None),
            Field(f"{p.value}_concentration", f"{zh}排放浓度", f"{en} concentration", T.DECIMAL, "line_emission.concentration",
                  unit="mg/m³", minimum=0.0, pollutant=p.value),
            Field(f"{p.value}_limit", f"{zh}适用限值", f"{en} limit", T.DECIMAL, "line_emission.limit_value",
                  unit="mg/m³", minimum=0.0, pollutant=p.value),
        ]
    return tuple(out)


LINES = Sheet(
    "lines", "生产线", "Production lines", "production_line", ("uscc", "code"), parent="enterprises",
    note_zh="每行一条生产线（工序/设备组），以企业统一社会信用代码＋生产线编号识别；各污染物排放状态在本行填写。",
    note_en="One row per production line, identified by enterprise USCC + line code; per-pollutant emission status in the same row.",
    fields=(
        _holder("企业须在“企业”表中或已在系统中登记", "the enterprise must be on the Enterprises sheet or already registered"),
        _text("code", "生产线编号", "Line code", L + "code", required=True, note_zh="企业内唯一", note_en="unique within the enterprise",
              example=EXAMPLE_LINE),
        _text("name", "生产线名称", "Line name", L + "name", required=True, example="1号高炉"),
        _vocab("sector", "所属行业", "Sector", L + "sector", Sector, required=True, example="steel"),
        _vocab("sub_type", "行业细分", "Sub-type", L + "sub_type", SubType, default=SubType.NONE.value, example="steel_blast_furnace"),
        _vocab("kind", "生产线类型", "Line kind", L + "kind", LineKind, required=True, example="blast_furnace"),
        _vocab("fuel", "燃料/能源", "Fuel", L + "fuel", Fuel, required=True, example="coke"),
        _number("capacity", "设计产能", "Capacity", L + "capacity", note_zh="单位见“产能单位”", note_en="unit in the next column",
                example=200),
        Field("capacity_unit", "产能单位", "Capacity unit", T.VOCABULARY, L + "capacity_unit", vocabulary=CAPACITY_UNIT,
              default="t/a", example="10kt/a"),
        _number("boiler_tph", "锅炉蒸吨", "Boiler rating", L + "boiler_tph", unit="t/h"),
        _number("coke_oven_height_m", "焦炉炭化室高度", "Coke oven height", L + "coke_oven_height_m", unit="m"),
        _number("stack_height_m", "排气筒高度", "Stack height", L + "stack_height_m", unit="m", example=60),
        _flag("has_cems", "安装在线监测", "Has CEMS", L + "has_cems", False, example=True),
        _number("cems_transmission_rate", "在线监测传输有效率", "CEMS transmission rate", L + "cems_transmission_rate",
                unit="%", maximum=100, example=95),
        _flag("has_bypass_flue", "有烟气旁路", "Has bypass flue", L + "has_bypass_flue", False),
        _flag("enclosed", "物料入棚入仓", "Enclosed storage", L + "enclosed", False),
        _flag("has_firing_process", "有焙烧工序", "Has firing process", L + "has_firing_process", True),
        _flag("on_furnace_list", "列入工业炉窑清单", "On furnace list", L + "on_furnace_list", True),
        _day("furnace_found_on", "炉窑排查日期", "Furnace found on", L + "furnace_found_on"),
        _flag("interruptible", "可中断生产", "Interruptible", L + "interruptible", True),
        _text("safety_measures", "安全保障措施", "Safety measures", L + "safety_measures"),
        _text("electricity_meter", "用电计量表号", "Electricity meter", L + "electricity_meter"),
        _number("reference_o2", "基准含氧量", "Reference O2", L + "reference_o2", unit="%", maximum=100),
        _number("daily_emission_so2_kg", "二氧化硫日排放量", "Daily SO2 emission", L + "daily_emission_so2_kg", unit="kg/d"),
        _number("daily_emission_nox_kg", "氮氧化物日排放量", "Daily NOx emission", L + "daily_emission_nox_kg", unit="kg/d"),
        _number("daily_emission_pm_kg", "颗粒物日排放量", "Daily PM emission", L + "daily_emission_pm_kg", unit="kg/d"),
        _number("daily_emission_vocs_kg", "挥发性有机物日排放量", "Daily VOCs emission", L + "daily_emission_vocs_kg", unit="kg/d"),
        *_emission_fields(),
    ),
)

EQUIPMENT = Sheet(
    "equipment", "设备", "Equipment", "equipment", ("uscc", "line_code", "name"), parent="lines",
    note_zh="每行一台（组）设备，以企业统一社会信用代码＋生产线编号＋设备名称识别。",
    note_en="One row per piece of equipment, identified by enterprise USCC + line code + equipment name.",
    fields=(
        _holder("", ""),
        Field("line_code", "生产线编号", "Line code", T.TEXT, L + "code", required=True,
              note_zh="须在“生产线”表中或已在系统中登记", note_en="the line must be on the Lines sheet or already registered",
              example=EXAMPLE_LINE),
        _text("name", "设备名称", "Equipment name", Q + "name", required=True, note_zh="同一生产线内唯一",
              note_en="unique within the line", example="1#高炉"),
        _vocab("kind", "设备类型", "Equipment kind", Q + "kind", LineKind, required=True, example="blast_furnace"),
        _vocab("fuel", "燃料/能源", "Fuel", Q + "fuel", Fuel, required=True, example="coke"),
        _text("model", "型号", "Model", Q + "model"),
        _number("capacity", "设计产能", "Capacity", Q + "capacity", example=200),
        Field("capacity_unit", "产能单位", "Capacity unit", T.VOCABULARY, Q + "capacity_unit", vocabulary=CAPACITY_UNIT,
              default="t/a", example="10kt/a"),
        Field("quantity", "数量", "Quantity", T.INTEGER, Q + "quantity", unit="台", minimum=1, default=1, example=1),
    ),
)

PERMITS = Sheet(
    "permits", "排污许可", "Permits", "permit", ("number",), parent="enterprises",
    note_zh="每行一张排污许可证或登记，以许可证编号识别。",
    note_en="One row per pollutant-discharge permit or registration, identified by its number.",
    fields=(
        _text("number", "许可证编号", "Permit number", P + "number", required=True, note_zh="全系统唯一",
              note_en="unique in the registry", example=EXAMPLE_USCC + "001P"),
        _holder("持证企业", "the permit holder"),
        _vocab("kind", "许可类型", "Permit kind", P + "kind", PermitKind, default=PermitKind.FULL.value, example="full"),
        _vocab("management_class", "管理类别", "Management class", P + "management_class", PermitManagementClass,
               note_zh="重点管理、简化管理或登记管理", note_en="key, simplified or registration management", example="key"),
        _vocab("status", "许可状态", "Permit status", P + "status", PermitStatus, default=PermitStatus.ISSUED.value, example="issued"),
        _text("industry", "许可行业", "Permit industry", P + "industry", note_zh="排污许可行业类别，如“炼铁”",
              note_en="permit catalogue industry, e.g. 炼铁", example="炼铁"),
        _day("issued_on", "发证日期", "Issued on", P + "issued_on", example=date(2017, 6, 30)),
        _day("valid_until", "有效期至", "Valid until", P + "valid_until", note_zh="不早于发证日期",
             note_en="not before the issue date", example=date(2020, 6, 29)),
        _text("conditions", "许可条件", "Conditions", P + "conditions"),
        _flag("staggering_in_permit", "错峰生产要求载入许可证", "Staggering in permit", P + "staggering_in_permit", False),
        _flag("discharging_per_permit", "按证排污", "Discharging per permit", P + "discharging_per_permit", True),
        _flag("execution_reports_published", "公开执行报告", "Execution reports published", P + "execution_reports_published", False),
    ),
)

SHEETS: tuple[Sheet, ...] = (ENTERPRISES, LINES, EQUIPMENT, PERMITS)
SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}


def sheet(key: str) -> Sheet:
    return SHEETS_BY_KEY[key]


def normalise_header(text: Any) -> str:
    """Headers are matched loosely: spaces, full-width brackets, a required '*' and case do not matter."""
    s = str(text or "").strip().rstrip("*").strip()
    s = s.replace("（", "(").replace("）", ")").replace("³", "3").replace("₂", "2")
    return "".join(s.split()).lower()


@lru_cache(maxsize=None)
def header_lookup(sheet_key: str) -> dict[str, str]:
    """normalised header (zh, en, with or without unit, or the key) → field key."""
    out: dict[str, str] = {}
    for f in sheet(sheet_key).fields:
        for text in (f.key, f.zh, f.en, f.header("zh"), f.header("en")):
            out[normalise_header(text)] = f.key
    return out


@lru_cache(maxsize=None)
def sheet_lookup() -> dict[str, str]:
    """normalised sheet title (zh, en or key) → sheet key."""
    out: dict[str, str] = {}
    for s in SHEETS:
        for text in (s.key, s.zh, s.en):
            out[normalise_header(text)] = s.key
    return out


def column_type(f: Field):
    """The SQLAlchemy column a field fills (for lengths, decimal places and bounds)."""
    table, column = f.column.split(".")
    return db.metadata.tables[table].c[column].type


def column_max_length(column) -> int | None:
    """The one declaration of a text column's limit: String(n), or info={"max_length": n} on a Text column.

    The marshmallow schemas (pages, API) and the import's validator both read it (issue 15 item 5)."""
    return getattr(column.type, "length", None) or column.info.get("max_length")


def max_length(f: Field) -> int | None:
    table, column = f.column.split(".")
    return column_max_length(db.metadata.tables[table].c[column])


def decimal_places(f: Field) -> int:
    return getattr(column_type(f), "scale", None) or 0


def decimal_limit(f: Field) -> float | None:
    """Numeric(p, s) holds values below 10**(p-s); a larger number is refused before the database does."""
    t = column_type(f)
    precision, scale = getattr(t, "precision", None), getattr(t, "scale", None)
    if precision is None:
        return None
    return float(10 ** (precision - (scale or 0)))


TYPE_LABELS = {
    "zh": {T.TEXT: "文本", T.EMAIL: "电子邮箱", T.INTEGER: "整数", T.DECIMAL: "数值", T.DATE: "日期",
           T.BOOLEAN: "是/否", T.VOCABULARY: "下拉选项", T.USCC: "统一社会信用代码", T.REGION: "行政区划代码"},
    "en": {T.TEXT: "text", T.EMAIL: "e-mail", T.INTEGER: "integer", T.DECIMAL: "number", T.DATE: "date",
           T.BOOLEAN: "yes/no", T.VOCABULARY: "choice", T.USCC: "USCC", T.REGION: "region code"},
}


def header_note(f: Field, lang: str = "zh") -> str:
    """The comment on a template header: meaning, type, unit, required, allowed values."""
    zh = lang == "zh"
    lines = [f"{f.zh} / {f.en}"]
    note = f.note_zh if zh else (f.note_en or f.note_zh)
    if note:
        lines.append(note)
    lines.append(("类型：" if zh else "Type: ") + TYPE_LABELS[lang][f.type])
    if f.unit:
        lines.append(("单位：" if zh else "Unit: ") + f.unit)
    lines.append(("必填" if f.required else "选填") if zh else ("Required" if f.required else "Optional"))
    if f.minimum is not None or f.maximum is not None:
        lo = "" if f.minimum is None else f"≥ {f.minimum:g}"
        hi = "" if f.maximum is None else f"≤ {f.maximum:g}"
        lines.append(("范围：" if zh else "Range: ") + " ".join(x for x in (lo, hi) if x))
    if f.default not in (None, ""):
        shown = f.default
        if f.type is FieldType.BOOLEAN:
            shown = BOOLEAN_WORDS[lang][0 if f.default else 1]
        elif f.vocabulary is not None:
            shown = dict(f.vocabulary.choices()).get(f.default, f.default) if zh else f.default
        lines.append(("留空默认：" if zh else "Blank means: ") + str(shown))
    allowed = f.allowed_text(lang)
    if allowed and f.type is FieldType.VOCABULARY:
        lines.append(("可选值：" if zh else "Allowed: ") + allowed)
    return "\n".join(lines)


def markdown() -> str:
    """docs/data-dictionary.md, generated (`flask dictionary`); a test keeps the committed file equal."""
    out = [
        "# Data dictionary (数据字典)",
        "",
        "Generated from `registry/core/dictionary.py` by `flask dictionary -o docs/data-dictionary.md`;",
        "do not edit by hand. These are the columns of the Excel/CSV templates, imports and exports",
        "(issue 8). Headers are matched in Chinese or English, with or without the unit, or by key.",
        "Vocabulary cells accept the 中文 term or the code; yes/no cells accept 是/否, yes/no, true/false, 1/0.",
        "A blank cell means the default shown; a column left out of the sheet keeps the stored value on update.",
        "",
    ]
    for s in SHEETS:
        out += [f"## {s.zh} / {s.en} (`{s.key}`)", "", s.note_zh, "", s.note_en, "",
                f"Row key: {' + '.join(f'`{k}`' for k in s.keys)} · table `{s.table}`", "",
                "| key | 中文表头 | English header | type | unit | required | default | column | allowed values / note |",
                "|---|---|---|---|---|---|---|---|---|"]
        for f in s.fields:
            allowed = ", ".join(f"`{c}` {l}" for c, l in f.vocabulary.choices()) if f.vocabulary is not None else ""
            note = "; ".join(x for x in (f.note_zh, f.note_en) if x)
            default = "" if f.default in (None, "") else f"`{f.default}`"
            rng = ""
            if f.minimum is not None or f.maximum is not None:
                rng = " ".join(x for x in ("" if f.minimum is None else f"≥ {f.minimum:g}",
                                              "" if f.maximum is None else f"≤ {f.maximum:g}") if x)
            cell = "; ".join(x for x in (allowed, rng, note) if x).replace("|", "\\|")
            out.append(f"| `{f.key}` | {f.zh} | {f.en} | {f.type.value} | {f.unit} | {'yes' if f.required else ''} "
                       f"| {default} | `{f.column}` | {cell} |")
        out.append("")
    return "\n".join(out)
