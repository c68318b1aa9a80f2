"""Readings (issue 19, the data half): electricity sub-meters, CEMS stacks and truck gates; their readings kept in a
Parquet store partitioned by city and day (store.py) and read in place with DuckDB; ingest, parsers, baselines."""
