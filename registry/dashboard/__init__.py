"""The per-role dashboard (issue 16): every signed-in official and enterprise lands here. It shows the panels the
domains register (registry/core/dashboard.py; each domain's `dashboard.py`), the province's one-row-per-city
overview (overview.py) and, after an approval or a return, sends the official to the next item of the queue
(queue.py)."""
