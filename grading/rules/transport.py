"""Staggered transport (错峰运输, §2.13): heating-season vehicle standard and truck bans by alert level.

The key vehicle-using enterprise is a numeric test only where a pack says so (R-TR-01, 004:178:
≥20 heavy diesel vehicles); elsewhere it is a designation, flagged when missing.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

from grading.decisions import Flag, Reason, TransportRestriction
from grading.facts import EnterpriseFacts
from grading.packs import Pack
from grading.rules.base import coded, flag
from grading.vocab import AlertLevel, VehicleStandard

_STD = [VehicleStandard.CHINA_3, VehicleStandard.CHINA_4, VehicleStandard.CHINA_5, VehicleStandard.CHINA_6]


def _at_least(std: VehicleStandard, minimum: str) -> bool:
    return _STD.index(std) >= _STD.index(VehicleStandard(minimum))


def key_vehicle_user(pack: Pack, ent: EnterpriseFacts) -> tuple[Optional[bool], tuple[Flag, ...]]:
    """Whether the enterprise is a key vehicle-using enterprise (重点用车企业) under this pack.

    Issue 14 point 6: a DECLARED key vehicle user is one in every pack that names key vehicle users, whatever its
    fleet count; 004:178's ≥20 heavy diesel vehicles makes an undeclared enterprise one too."""
    node = (pack.section("transport") or {}).get("key_vehicle_user")
    if not node:
        return ent.key_vehicle_user, ()
    if ent.key_vehicle_user is True:
        return True, ()
    if "min_heavy_diesel_vehicles" in node:
        n = max(ent.heavy_diesel_vehicles, sum(1 for v in ent.vehicles if v.heavy_diesel))
        return n >= node["min_heavy_diesel_vehicles"], ()
    if ent.key_vehicle_user is None and ent.sector.value in node.get("sectors", []):
        return None, (flag("key_vehicle_user_designation", node,
                           "Key vehicle-using enterprises are designated by screening / the staggered-transport plan; "
                           "no designation on record.", ("designated", "not_designated"), None),)
    return ent.key_vehicle_user, ()


def _scope_reasons(pack: Pack, ent: EnterpriseFacts, key: Optional[bool]) -> tuple[Reason, ...]:
    node = (pack.section("transport") or {}).get("key_vehicle_user")
    out = []
    if key and node:
        if ent.key_vehicle_user is True:
            out.append(coded(node, "transport.declared_key_vehicle_user"))
        else:
            out.append(coded(node, "transport.key_vehicle_user"))
    return tuple(out)


def transport_restrictions(pack: Pack, ent: EnterpriseFacts, in_heating_season: bool,
                           level: AlertLevel, on: Optional[date] = None
                           ) -> tuple[tuple[TransportRestriction, ...], tuple[Flag, ...], tuple[Reason, ...]]:
    """(restrictions, flags, reasons). Reasons cite every local reading that decides (issue 14 point 1):
    the heating-season dates, the alert levels a ban reads, the scope of its exception standard."""
    spec = pack.section("transport") or {}
    key, flags = key_vehicle_user(pack, ent)
    ban = spec.get("alert_ban")
    logistics = bool(ban and ban.get("city_logistics") and ent.city_logistics)
    if not key and not logistics:
        return (), flags, ()
    reasons = list(_scope_reasons(pack, ent, key))
    out = []
    hs = spec.get("heating_season_min_standard")
    if hs and key:  # 000:139: all transport vehicles China IV or better, in the heating season
        if on is not None:
            reasons.append(pack.season_cite(on))
        if in_heating_season:
            bad = tuple(v.vehicle_id for v in ent.vehicles if not _at_least(v.standard, hs["value"]))
            out.append(TransportRestriction(hs["rule"], hs["source"], "heating_season_minimum_standard", hs["value"], (), bad))
    if ban and level != AlertLevel.NONE:
        if "levels_setting" in ban:
            reasons.append(pack.setting_cite(ban["levels_setting"]))
        levels = pack.setting(ban["levels_setting"]) if "levels_setting" in ban else ban["levels"]
        if level.value in levels:
            if logistics:
                reasons.append(coded(ban, "transport.city_logistics"))
            minimum = ban.get("exception_min_standard")
            scope = "all_categories"
            if "exception_standard_setting" in ban:
                scope = pack.setting(ban["exception_standard_setting"])
                reasons.append(pack.setting_cite(ban["exception_standard_setting"]))
            bad = []
            for v in ent.vehicles:
                if v.purpose.value not in ban["exceptions"]:
                    bad.append(v.vehicle_id)
                elif minimum and (scope == "all_categories" or v.purpose.value == "port_service") and not _at_least(v.standard, minimum):
                    bad.append(v.vehicle_id)
            in_principle = ban.get("force") == "in_principle"
            out.append(TransportRestriction(ban["rule"], ban["source"], "no_" + ban["vehicles"] + "_in_or_out", minimum,
                                            tuple(ban["exceptions"]), tuple(bad), in_principle))
            if in_principle:
                flags += (flag("transport_ban_in_principle", ban,
                               "In principle (原则上) no trucks in or out during the alert; an official may allow others.",
                               ("ban", "allow_case"), "ban"),)
    return tuple(out), flags, tuple(dict.fromkeys(reasons))


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
                                                  f"{reading}.", ("report_to_province", "traffic_police_alone"), reading,
                                                  reading=reading),)
