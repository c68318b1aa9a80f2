"""The transport limits of an emergency notice in words (issue 16: the notice printed
`no_all_transport_vehicles_in_or_out; 例外情形: safe_production` and `heating_season_minimum_standard (最低 china_4)`)."""
from __future__ import annotations

from registry.core import codes
from registry.emergency.notices import transport_text
from tests.integration.notices.support import SNAKE

BAN = {"rule": "R-L-05", "source": "004:394", "restriction": "no_heavy_goods_vehicles_in_or_out", "minimum_standard": "china_5",
       "exceptions": ["safe_production", "livelihood_goods"], "vehicles_not_allowed": ["冀A12345"], "in_principle": True}
SEASON = {"rule": "R-LF-08", "source": "000:139", "restriction": "heating_season_minimum_standard", "minimum_standard": "china_4",
          "exceptions": [], "vehicles_not_allowed": [f"冀R{i:05d}" for i in range(12)], "in_principle": False}


def test_transport_limits_are_sentences_with_labels(app):
    with app.test_request_context("/"):
        ban, season = transport_text(BAN), transport_text(SEASON)
    assert not SNAKE.findall(ban + season), SNAKE.findall(ban + season)
    assert "保障安全生产运行" in ban and "运输保障民生物资" in ban and "国五" in ban and "冀A12345" in ban
    assert "国四" in season and "12" in season and "冀R00000" not in season  # a count, not a page of plates


def test_a_registered_label_is_used_and_a_mismatched_one_is_not_fatal(app):
    """When the policy labels register "engine.transport", its label is the sentence; a label expecting another
    parameter does not break the notice."""
    from registry.core.codes import _REGISTRY

    saved = _REGISTRY.get("engine.transport")  # the policy labels' own entries come back afterwards
    saved = dict(saved) if saved is not None else None
    with app.test_request_context("/"):
        codes.register("engine.transport", {"no_heavy_goods_vehicles_in_or_out": "重型货车禁止进出（%(standard)s除外）",
                                            "heating_season_minimum_standard": "采暖季车辆须达%(unknown_param)s"})
        try:
            ban, season = transport_text(BAN), transport_text(SEASON)
        finally:
            if saved is None:
                _REGISTRY.pop("engine.transport", None)
            else:
                _REGISTRY["engine.transport"] = saved
    assert ban.startswith("重型货车禁止进出（国五除外）") and "保障安全生产运行" in ban
    assert "国四" in season
