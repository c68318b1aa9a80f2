"""County-level supervision listing (挂牌督办, R-V-05, 000:71): a county (县（市、区）) whose enterprises' automatic
monitoring falls short of 90 % effective transmission, or where several enterprises exceed their limits in a month,
is listed for supervised rectification. The consequence falls on the county, not on a line, so this is a report over
a county's enterprises, not part of `evaluate`. Which rate (any enterprise or the county's mean) and how many is
"several" (几家) are the pack's declared readings, cited in every row (issue 14 point 7).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from grading.decisions import Reason
from grading.facts import EnterpriseFacts
from grading.notes import freeze, note_reason
from grading.packs import Pack


@dataclass(frozen=True)
class CountyListing:
    county: str
    listed: bool
    low_transmission: tuple[str, ...]  # enterprise ids with a CEMS line below the rate
    exceeding: tuple[str, ...]  # enterprise ids with a line exceeding its limits (non_compliant)
    mean_rate: Optional[float]
    reasons: tuple[Reason, ...]


def county_listings(pack: Pack, enterprises: Iterable[tuple[str, EnterpriseFacts]]) -> list[CountyListing]:
    """One row per county of `enterprises` ((county code, facts) pairs), listed first; [] when the pack has no rule."""
    node = pack.section("county_supervision")
    if not node:
        return []
    by_county: dict[str, list[EnterpriseFacts]] = {}
    for county, ent in enterprises:
        by_county.setdefault(county, []).append(ent)
    rate_reading = pack.setting(node["rate_setting"])
    several = int(pack.setting(node["several_setting"]))
    cite = (Reason(str(node["rule"]), str(node["source"]), "有效数据传输率达不到90%或一个月内有几家企业超标排放的县（市、区），实行挂牌督办"),
            _reading(pack, node["rate_setting"]), _reading(pack, node["several_setting"]))
    out = []
    for county in sorted(by_county):
        ents = by_county[county]
        rates = [l.cems_transmission_rate for e in ents for l in e.lines if l.has_cems and l.cems_transmission_rate is not None]
        low = tuple(e.enterprise_id for e in ents if any(
            l.has_cems and l.cems_transmission_rate is not None and l.cems_transmission_rate < node["min_rate"] for l in e.lines))
        exceeding = tuple(e.enterprise_id for e in ents if any(l.emission_status.value == "non_compliant" for l in e.lines))
        mean = round(sum(rates) / len(rates), 2) if rates else None
        rate_short = bool(low) if rate_reading == "any_enterprise" else (mean is not None and mean < node["min_rate"])
        listed = rate_short or len(exceeding) >= several
        why = []
        if rate_short:
            why.append(note_reason(str(node["rule"]), str(node["source"]), "supervision.low_transmission",
                                   min_rate=node["min_rate"], reading=rate_reading, mean=mean))
        if len(exceeding) >= several:
            why.append(note_reason(str(node["rule"]), str(node["source"]), "supervision.exceeding",
                                   count=len(exceeding), several=several))
        out.append(CountyListing(county, listed, low, exceeding, mean, tuple(why) + cite))
    return sorted(out, key=lambda c: (not c.listed, c.county))


def _reading(pack: Pack, name: str) -> Reason:
    """A declared reading cited with the pack's own words (`note`) and as a code the listing renders in the
    reader's language (the setting and its value)."""
    rule, source, note = pack.setting_reason(name)
    return Reason(rule, source, note, "supervision.reading", freeze({"setting": name, "value": pack.setting(name)}))
