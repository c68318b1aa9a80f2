"""Heating-season staggered production schedules (错峰生产清单, DOMAIN.md §2.4–2.10, §4.2, §4.3)."""
