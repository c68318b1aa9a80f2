"""Grade self-assessment answers and a minimal evidence file, with no imports: shared by the tests
(tests/builders/grades.py) and the load test's runner (bench/load/run.py). bench/load/locustfile.py keeps its own
copy, since locust loads that file alone in its own process."""
from __future__ import annotations

# Every steel indicator at A level except bulk freight by rail at 60 % → B (short-board: the grade is B).
STEEL_ANSWERS = {
    "equipment_level": "national_leading", "control_technology": "national_leading",
    "pm_mg_m3": 5, "so2_mg_m3": 20, "nox_mg_m3": 40, "fugitive_control": "full",
    "cems_installed": True, "cems_transmission_rate": 96, "separate_metering": True,
    "environmental_management": "complete", "clean_transport_share": 60, "china5_or_better_share": 100,
    "gate_video_months": 6,
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
