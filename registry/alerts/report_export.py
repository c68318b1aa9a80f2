"""The episode report and the monthly report as Excel workbooks (xlsxwriter).

Every code is written as its label (registry/core/codes: levels, sectors, pollutants, steps, statuses), headers in
the reader's language, numbers as numbers, times in Beijing; every text cell is formula-neutralised
(registry/exchange/neutralise) so an enterprise or county name cannot run as a formula in Excel."""
from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from flask_babel import gettext as _

from registry.alerts.models import LEVELS
from registry.core import codes
from registry.core.regions import region_label
from registry.core.timeutil import BEIJING
from registry.exchange.neutralise import neutralise


def _lv(code: str | None) -> str:
    return codes.label("AlertLevel", code) if code else ""


def _time(value) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else ""


class _Book:
    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buf, {"in_memory": True})
        self.bold = self.book.add_format({"bold": True})

    def sheet(self, name: str, headers: list[str], rows: list[list[Any]]) -> None:
        ws = self.book.add_worksheet(name[:31])
        for c, h in enumerate(headers):
            ws.write_string(0, c, neutralise(str(h)), self.bold)
            ws.set_column(c, c, 16)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    ws.write_blank(r, c, None)
                elif isinstance(value, bool):
                    ws.write_string(r, c, _("yes") if value else _("no"))
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, float(value))
                else:
                    ws.write_string(r, c, neutralise(str(value)))

    def close(self) -> bytes:
        self.book.close()
        return self.buf.getvalue()


def _orders_rows(counties: list[dict], total: dict) -> list[list[Any]]:
    rows = [[c["region_name"], c["issued"], c["delivered"], c["read"], c["acknowledged"], c["ack_rate"]] for c in counties]
    rows.append([_("Total"), total["issued"], total["delivered"], total["read"], total["acknowledged"], total["ack_rate"]])
    return rows


def _orders_headers() -> list[str]:
    return [_("County"), _("Orders issued"), codes.label("alerts.state", "delivered"), codes.label("alerts.state", "read"),
            codes.label("alerts.state", "acknowledged"), _("Acknowledgement rate") + " (%)"]


def _city_rows(cities: list[dict]) -> tuple[list[str], list[list[Any]]]:
    headers = [_("City"), _("Episodes")] + [f"{_lv(lv)} ({_('days')})" for lv in LEVELS] + [
        _("Orders issued"), codes.label("alerts.state", "delivered"), codes.label("alerts.state", "acknowledged"),
        _("Acknowledgement rate") + " (%)"]
    rows = [[c["region_name"], c["episodes"], *[c["days"][lv] for lv in LEVELS], c["issued"], c["delivered"],
             c["acknowledged"], c["ack_rate"]] for c in cities]
    return headers, rows


def _reduction_headers() -> list[str]:
    return [_("Region"), _("Level"), _("Pollutant"), _("Reduction") + " (%)", _("Target") + " (%)", _("Met")]


def episode_xlsx(r: dict[str, Any]) -> bytes:
    b = _Book()
    ep = r["episode"]
    b.sheet(_("Episode"), [_("Item"), _("Value")], [
        [_("Region"), r["region_name"]], [_("Document number"), ep.doc_number], [_("Issuing body"), ep.issuing_body],
        [_("Area"), codes.label("alerts.scope", ep.scope)], [_("Status"), codes.label("alerts.status", ep.status)],
        [_("Start"), _time(r["starts_at"])], [_("Lifted"), _time(r["ends_at"])],
        [_("Duration (hours)"), r["duration_hours"]], [_("Highest level"), _lv(r["peak_level"])],
        [_("Enterprises ordered"), r["enterprises"]], [_("Policy pack"), r["pack_id"]],
        *[[f"{_lv(lv)} ({_('hours')})", r["hours_per_level"][lv]] for lv in LEVELS if r["hours_per_level"][lv]]])
    b.sheet(_("Levels and times"), [_("Level"), _("Step"), _("From"), _("Until"), _("Hours"), _("Document number")],
            [[_lv(s["level"]), codes.label("alerts.change", s["kind"]), _time(s["start"]), _time(s["end"]), s["hours"],
              s["doc_number"]] for s in r["spans"]])
    b.sheet(_("Orders and receipts"), _orders_headers(), _orders_rows(r["orders"]["counties"], r["orders"]["total"]))
    b.sheet(_("Capacity"), [_("Level"), _("From"), _("Sector"), _("Unit"), _("Lines stopped"), _("Capacity stopped"),
                            _("Lines curtailed"), _("Capacity of curtailed lines"), _("Capacity withheld")],
            [[_lv(step["level"]), _time(step["at"]), codes.label("Sector", s["sector"]), s["unit"], s["stopped_lines"],
              s["stopped_capacity"], s["curtailed_lines"], s["curtailed_capacity"], s["withheld_capacity"]]
             for step in r["capacity"] for s in step["sectors"]])
    rows = []
    for city in r["reductions"]:
        if city["list_id"] is None:
            rows.append([city["region_name"], "", "", None, None, _("No filed emergency list for this pack: no reduction estimate.")])
        for lv in city["levels"]:
            for p in lv["pollutants"]:
                rows.append([city["region_name"], _lv(lv["level"]), codes.label("Pollutant", p["pollutant"]), p["percent"],
                             p["target_percent"], p["met"]])
    b.sheet(_("Reductions"), _reduction_headers(), rows)
    return b.close()


def monthly_xlsx(data: dict[str, Any]) -> bytes:
    b = _Book()
    t = data["totals"]
    b.sheet(_("Monthly report"), [_("Item"), _("Value")], [
        [_("Month"), data["month_text"]], [_("Due"), data["due"].isoformat()],
        [_("Region"), data.get("region_code") or ""], [_("Episodes"), t["episodes"]],
        *[[f"{_lv(lv)} ({_('days')})", t["days"][lv]] for lv in LEVELS],
        [_("Orders issued"), t["issued"]], [codes.label("alerts.state", "delivered"), t["delivered"]],
        [codes.label("alerts.state", "read"), t["read"]], [codes.label("alerts.state", "acknowledged"), t["acknowledged"]]])
    headers, rows = _city_rows(data["cities"])
    b.sheet(_("By city"), headers, rows)
    b.sheet(_("Episodes"), [_("Region"), _("Document number"), _("Start"), _("Lifted"), _("Status")]
            + [f"{_lv(lv)} ({_('hours')})" for lv in LEVELS] + [_("Orders issued"), _("Acknowledgement rate") + " (%)"],
            [[region_label(e["episode"].region_code), e["episode"].doc_number, _time(e["episode"].starts_at), _time(e["episode"].lifted_at),
              codes.label("alerts.status", e["episode"].status), *[e["hours_per_level"][lv] for lv in LEVELS],
              e["orders"]["issued"], e["orders"]["ack_rate"]] for e in data["episodes"]])
    red = []
    for c in data["cities"]:
        for rd in c["reductions"]:
            if rd["list_id"] is None:
                red.append([c["region_name"], _lv(rd["level"]), "", None, None, _("no filed list")])
            for p in rd["pollutants"]:
                red.append([c["region_name"], _lv(rd["level"]), codes.label("Pollutant", p["pollutant"]), p["percent"],
                            p["target_percent"], p["met"]])
    b.sheet(_("Reductions"), _reduction_headers(), red)
    return b.close()
