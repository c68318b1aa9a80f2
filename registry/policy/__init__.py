"""The only door between the registry and the policy engine (`grading/`, issue 15 item 1).

`facts.py` maps registry records to the engine's facts; `engine.py` makes the typed in-process calls (one
enterprise, many, the schedules' batch path); `packs.py` owns pack selection per region, the pack hash, the
engine version and the season bounds; `grades.py` hands the grades domain the criteria and the grade proposal.
The public doors stay here too: `POST /api/v1/evaluate`, `GET /api/v1/packs` and `flask evaluate` (the
JSON-Schema-validated contract), and the county supervision listing."""
