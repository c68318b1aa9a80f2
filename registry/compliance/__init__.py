"""Verification of orders (issue 19, the checking half): the checks run over the readings (registry/readings/store.py)
for every alert-day order and schedule window, the anomalies they flag, the enterprise's explanation, the county's
inspection tasks and records, and the outcome fed into the grades' findings workflow."""
