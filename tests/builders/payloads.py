"""Request bodies for registrations (enterprise, line, permit), real county codes and the test password.

Builders go through the operations or HTTP with these bodies, never raw SQL."""
from __future__ import annotations

PASSWORD = "Correct-horse-battery-1"  # meets the policy: 3 of 4 character classes

# Real counties used across tests: Langfang 安次区, Langfang 广阳区, Shijiazhuang 正定县, Jiyuan, Jizhou.
ANCI = "131002"
GUANGYANG = "131003"
ZHENGDING = "130123"
JIYUAN = "419001"
JIZHOU = "120119"


def valid_uscc(seed: int, region: str = "131002") -> str:
    """A checksum-valid 统一社会信用代码 for tests, built with python-stdnum's own check."""
    from stdnum.cn import uscc

    body = f"91{region}MA{seed:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def enterprise_payload(seed: int = 1, region_code: str = ANCI, **over) -> dict:
    data = {
        "uscc": valid_uscc(seed, region_code),
        "name": f"廊坊测试钢铁有限公司{seed}",
        "region_code": region_code,
        "address": "廊坊市安次区测试路1号",
        "sector": "steel",
        "contact_person": "张三",
        "contact_phone": "0316-1234567",
    }
    data.update(over)
    return data


def line_payload(code: str = "L1", **over) -> dict:
    data = {
        "code": code,
        "name": "1号高炉",
        "sector": "steel",
        "sub_type": "steel_blast_furnace",
        "kind": "blast_furnace",
        "fuel": "coke",
        "capacity": "200",
        "capacity_unit": "10kt/a",
        "stack_height_m": "60",
        "has_cems": True,
        "cems_transmission_rate": "95",
        "emissions": [{"pollutant": "so2", "status": "special_limits", "reached_on": "2017-09-01"}],
        "equipment": [{"name": "1#高炉", "kind": "blast_furnace", "fuel": "coke", "capacity": "200", "capacity_unit": "10kt/a"}],
    }
    data.update(over)
    return data


def permit_payload(number: str | None = None, **over) -> dict:
    """A permit body; the default number is national-format and names enterprise_payload(1)'s credit code."""
    data = {"number": number or f"{valid_uscc(1)}001P", "kind": "full", "status": "issued", "industry": "炼铁", "issued_on": "2017-06-30", "valid_until": "2020-06-29"}
    data.update(over)
    return data
