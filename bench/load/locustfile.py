"""Realistic use of the registry by officials and enterprises (issue 9 §8), for `bench/load/run.py`.

Each simulated person is one account with its own API token (from LOAD_PEOPLE, written by the
runner): county and city officials browse the enterprise and grade-application lists, open
records, and city officials approve the applications prepared for them; enterprise staff open
their registration and lines and file a grade application (create it, then save the
self-assessment). Every person also polls /healthz now and then, the trivial endpoint the list
pages are compared with in the same run. Think time 1–4 s, as a person between clicks.

Issue 18 item 4 adds every page type that grows with the province: everyone opens their dashboard;
officials the ungraded enterprises, the audit log, county supervision (a city or the province first
gets the county choice), the schedule and emergency-list indexes. With LOAD_WORLD (bench/pages.py's
world) every fifth person is one of the world's accounts and also opens its county schedule and that
schedule's notice to an enterprise, Langfang's emergency list and alert-day orders page, and — the
world's enterprise — its own alert-day order and "my emergency measures".

Pages are fetched as HTML with the same token (Flask-Login's request loader), so the list pages
are measured with their templates, as a browser would get them.
"""
from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

with open(os.environ["LOAD_PEOPLE"], encoding="utf-8") as f:
    PEOPLE = json.load(f)
WORLD: dict = {}
if os.environ.get("LOAD_WORLD") and os.path.exists(os.environ["LOAD_WORLD"]):
    with open(os.environ["LOAD_WORLD"], encoding="utf-8") as f:
        WORLD = json.load(f)
# bench/pages.py's world accounts (province, Langfang city, its busiest county, an enterprise there): every fifth
# simulated person is one of them, so the pages of the world (a schedule, its notices, the city's emergency list,
# the province's dashboard) are measured as often as the others (issue 18).
WORLD_PEOPLE = [p for p in PEOPLE if p.get("world")]
OTHERS = [p for p in PEOPLE if not p.get("world")]
random.Random(8).shuffle(OTHERS)  # the file lists county officials, then city officials, then enterprises: a small run mixes them
_next = itertools.count()

# A copy of tests/builders/answers.py's STEEL_ANSWERS: locust loads this file alone in its own process,
# without the repository on its path.
STEEL_ANSWERS = {
    "equipment_level": "national_leading", "control_technology": "national_leading",
    "pm_mg_m3": 5, "so2_mg_m3": 20, "nox_mg_m3": 40, "fugitive_control": "full",
    "cems_installed": True, "cems_transmission_rate": 96, "separate_metering": True,
    "environmental_management": "complete", "clean_transport_share": 60, "china5_or_better_share": 100,
    "gate_video_months": 6,
}


class Person(HttpUser):
    wait_time = between(1, 4)

    def on_start(self) -> None:
        n = next(_next)
        self.me = WORLD_PEOPLE[(n // 5) % len(WORLD_PEOPLE)] if WORLD_PEOPLE and n % 5 == 4 else OTHERS[n % len(OTHERS)]
        self.client.headers.update({"Authorization": f"Bearer {self.me['token']}", "Accept-Language": "zh"})
        self.to_approve = list(self.me.get("approve", []))
        self.filed = False
        self.seen: list[int] = []

    # ---- the trivial endpoint, measured in the same run ----
    @task(2)
    def health(self) -> None:
        self.client.get("/healthz", name="trivial: GET /healthz")

    # ---- officials ----
    def _official(self) -> bool:
        return self.me["role"] in ("county", "city", "province")

    def _world(self) -> bool:
        return bool(self.me.get("world")) and bool(WORLD)

    # ---- everyone: the dashboard (issue 16), by role ----
    @task(2)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name=f"open: GET /dashboard/ ({self.me['role']})")

    # ---- officials: the reports over their whole scope (issue 18 item 4) ----
    @task(1)
    def ungraded(self) -> None:
        if self._official():
            self.client.get("/grades/ungraded", name="list: GET /grades/ungraded (page)")

    @task(1)
    def audit_log(self) -> None:
        if self._official():
            self.client.get("/audit/", name="list: GET /audit/ (page)")

    @task(1)
    def supervision(self) -> None:
        if self._official():
            self.client.get("/supervision/", name="list: GET /supervision/ (page)")

    @task(1)
    def schedules_and_lists(self) -> None:
        if self._official():
            self.client.get("/schedules/", name="list: GET /schedules/ (page)")
            self.client.get("/emergency/", name="list: GET /emergency/ (page)")

    # ---- the world's officials: its schedule, notices and emergency list ----
    @task(2)
    def world_schedule(self) -> None:
        if self._world() and self._official():
            self.client.get(f"/schedules/{WORLD['schedule_id']}", name="open: GET /schedules/[id] (page)")
            self.client.get(f"/schedules/versions/{WORLD['published_id']}/notice/{WORLD['enterprise_id']}",
                            name="notice: GET /schedules/versions/[id]/notice/[id]")

    @task(2)
    def world_emergency_list(self) -> None:
        if self._world() and self.me["role"] in ("city", "province") and WORLD.get("list_id"):
            self.client.get(f"/emergency/lists/{WORLD['list_id']}", name="open: GET /emergency/lists/[id] (page)")
            self.client.get(f"/emergency/lists/{WORLD['list_id']}/orders?date=2017-12-10&level=red",
                            name="list: GET /emergency/lists/[id]/orders (page)")

    # ---- the world's enterprise: its notices ----
    @task(2)
    def world_enterprise_notices(self) -> None:
        if self._world() and self.me["role"] == "enterprise":
            self.client.get(f"/schedules/versions/{WORLD['published_id']}/notice/{WORLD['enterprise_id']}",
                            name="notice: GET /schedules/versions/[id]/notice/[id]")
            self.client.get("/emergency/mine", name="open: GET /emergency/mine (page)")
            if WORLD.get("list_id"):
                self.client.get(f"/emergency/lists/{WORLD['list_id']}/orders?date=2017-12-10&level=red",
                                name="notice: GET /emergency/lists/[id]/orders (own order)")

    @task(4)
    def enterprise_list_page(self) -> None:
        if self._official():
            self.client.get(f"/enterprises/?page={random.randint(1, 20)}", name="list: GET /enterprises/ (page)")  # noqa: S311

    @task(3)
    def enterprise_list_api(self) -> None:
        if not self._official():
            return
        with self.client.get(f"/api/v1/enterprises?page={random.randint(1, 20)}", name="list: GET /api/v1/enterprises",  # noqa: S311
                             catch_response=True) as r:
            if r.status_code == 200:
                self.seen = [e["id"] for e in r.json().get("items", [])] or self.seen
                r.success()

    @task(2)
    def grade_list_page(self) -> None:
        if self._official():
            self.client.get("/grades/", name="list: GET /grades/ (page)")

    @task(2)
    def grade_list_api(self) -> None:
        if self._official():
            self.client.get("/api/v1/grade-applications", name="list: GET /api/v1/grade-applications")

    @task(4)
    def open_enterprise(self) -> None:
        if self._official() and self.seen:
            eid = random.choice(self.seen)  # noqa: S311
            self.client.get(f"/enterprises/{eid}", name="open: GET /enterprises/[id] (page)")
            self.client.get(f"/api/v1/enterprises/{eid}", name="open: GET /api/v1/enterprises/[id]")

    @task(1)
    def approve(self) -> None:
        if self.me["role"] != "city" or not self.to_approve:
            return
        app_id, version = self.to_approve.pop()
        self.client.get(f"/api/v1/grade-applications/{app_id}", name="open: GET /api/v1/grade-applications/[id]")
        self.client.post(f"/api/v1/grade-applications/{app_id}/approve", json={"version": version},
                         name="approve: POST /api/v1/grade-applications/[id]/approve")

    # ---- enterprises ----
    @task(4)
    def own_registration(self) -> None:
        if self.me["role"] == "enterprise":
            self.client.get(f"/enterprises/{self.me['enterprise_id']}", name="open: GET /enterprises/[id] (page)")
            self.client.get(f"/api/v1/lines/{self.me['line_id']}", name="open: GET /api/v1/lines/[id]")

    @task(1)
    def file_application(self) -> None:
        if self.me["role"] != "enterprise" or self.filed or self.me.get("world"):  # the world's enterprise is reopened
            return
        self.filed = True
        r = self.client.post("/api/v1/grade-applications", name="file: POST /api/v1/grade-applications",
                             json={"enterprise_id": self.me["enterprise_id"], "industries": {"steel": {"line_ids": [self.me["line_id"]]}}})
        if r.status_code == 201:
            app = r.json()
            self.client.put(f"/api/v1/grade-applications/{app['id']}/answers", name="file: PUT /api/v1/grade-applications/[id]/answers",
                            json={"version": app["version"], "industries": {"steel": {"answers": STEEL_ANSWERS}}})
