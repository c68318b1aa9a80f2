"""Issue 16 item 1 on the enterprise history: the enterprise's name is labelled 企业名称 (not 生产线名称), a line's
type 生产线类型 (not 许可管理类别), capacity units as words (`pieces/a` → 万块/年, registry/core/dictionary.py)."""
from __future__ import annotations

import re

from registry.enterprises import operations as ops
from registry.extensions import db
from tests.builders import login
from tests.builders.payloads import line_payload


def _rows(html: str) -> list[tuple[str, str]]:
    """(field, after) of every diff row on the page."""
    rows = re.findall(r"<tr><td>([^<]*)</td>\s*<td class=\"before\">.*?</td>\s*<td class=\"after\">(.*?)</td></tr>", html, re.S)
    return [(f.strip(), re.sub(r"<[^>]+>", "", a).strip()) for f, a in rows]


def test_history_names_fields_per_object_and_units_in_words(client, make_enterprise):
    ent, owner = make_enterprise()
    ops.add_line(owner, ent.id, line_payload("L2", name="2号砖窑", sector="brick_tile", sub_type="none",
                                             kind="brick_kiln", fuel="coal", capacity="3000", capacity_unit="pieces/a",
                                             equipment=[]))
    db.session.commit()
    login(client, owner.username)
    html = client.get(f"/enterprises/{ent.id}/history", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    rows = _rows(html)
    assert ("企业名称", ent.name) in rows, rows
    assert ("生产线名称", "2号砖窑") in rows
    assert any(field == "生产线类型" for field, _after in rows)
    assert ("产能单位", "万块/年") in rows or any("万块/年" in after for _f, after in rows), rows
    assert "pieces/a" not in html
    names = [after for field, after in rows if field == "生产线名称"]
    assert ent.name not in names  # the enterprise's name is not called a line name
    assert not any(field == "许可管理类别" and after in ("砖瓦窑", "高炉") for field, after in rows)
