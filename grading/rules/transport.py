"""Staggered transport (错峰运输, §2.13): heating-season vehicle standard and truck bans by alert level.

The key vehicle-using enterprise is a numeric test only where a pack says so (R-TR-01, 004:178:
≥20 heavy diesel vehicles); elsewhere it is a designation, flagged when missing.
"""
from __future__ import annotations

from typing import Optional

from grading.decisions import Flag, TransportRestriction
from grading.facts import EnterpriseFacts
from grading.packs import Pack
from grading.rules.base import flag
from grading.vocab import AlertLevel, VehicleStandard

_STD = [VehicleStandard.CHINA_3, VehicleStandard.CHINA_4, VehicleStandard.CHINA_5, VehicleStandard.CHINA_6]


def _at_least(std: VehicleStandard, minimum: str) -> bool:
    return _STD.index(std) >= _STD.index(VehicleStandard(minimum))


def key_vehicle_user(pack: Pack, ent: EnterpriseFacts) -> tuple[Optional[bool], tuple[Flag, ...]]:
    node = (pack.section("transport") or {}).get("key_vehicle_user")
    if not node:
        return ent.key_vehicle_user, ()
    if "min_heavy_diesel_vehicles" in node:
        n = max(ent.heavy_diesel_vehicles, sum(1 for v in ent.vehicles if v.heavy_diesel))
        return n >= node["min_heavy_diesel_vehicles"], ()
    if ent.key_vehicle_user is None and ent.sector.value in node.get("sectors", []):
        return None, (flag("key_vehicle_user_designation", node,
                           "Key vehicle-using enterprises are designated by screening / the staggered-transport plan; "
                           "no designation on record.", ("designated", "not_designated"), None),)
    return ent.key_vehicle_user, ()


def transport_restrictions(pack: Pack, ent: EnterpriseFacts, in_heating_season: bool,
                           level: AlertLevel) -> tuple[tuple[TransportRestriction, ...], tuple[Flag, ...]]:
    spec = pack.section("transport") or {}
    key, flags = key_vehicle_user(pack, ent)
    if not key:
        return (), flags
    out = []
    hs = spec.get("heating_season_min_standard")
    if hs and in_heating_season:  # 000:139: all transport vehicles China IV or better
        bad = tuple(v.vehicle_id for v in ent.vehicles if not _at_least(v.standard, hs["value"]))
        out.append(TransportRestriction(hs["rule"], hs["source"], "heating_season_minimum_standard", hs["value"], (), bad))
    ban = spec.get("alert_ban")
    if ban and level != AlertLevel.NONE:
        levels = pack.setting(ban["levels_setting"]) if "levels_setting" in ban else ban["levels"]
        if level.value in levels:
            minimum = ban.get("exception_min_standard")
            scope = pack.setting(ban["exception_standard_setting"]) if "exception_standard_setting" in ban else "all_categories"
            bad = []
            for v in ent.vehicles:
                if v.purpose.value not in ban["exceptions"]:
                    bad.append(v.vehicle_id)
                elif minimum and (scope == "all_categories" or v.purpose.value == "port_service") and not _at_least(v.standard, minimum):
                    bad.append(v.vehicle_id)
            out.append(TransportRestriction(ban["rule"], ban["source"], "no_" + ban["vehicles"] + "_in_or_out", minimum,
                                            tuple(ban["exceptions"]), tuple(bad)))
            if ban.get("force") == "in_principle":
                flags += (flag("transport_ban_in_principle", ban,
                               "In principle (原则上) no trucks in or out during the alert; an official may allow others.",
                               ("ban", "allow_case"), "ban"),)
    return tuple(out), flags


def vehicle_restriction_needs_report(pack: Pack, days: int) -> tuple[Optional[bool], tuple[Flag, ...]]:
    """R-JY-16 (002:575): restrictions of 15 days or more go to the provincial traffic police; exactly 15 is flagged."""
    node = (pack.section("transport") or {}).get("vehicle_restriction_reporting")
    if not node:
        return None, ()
    if days < node["days"]:
        return False, ()
    if days > node["days"]:
        return True, ()
    reading = pack.setting(node["setting"])
    return reading == "report_to_province", (flag("exactly_fifteen_days", node,
                                                  "Exactly 15 days is both 15日以内 and 15日以上; the pack reads it as "
                                                  f"{reading}.", ("report_to_province", "traffic_police_alone"), reading),)
