"""Shared plumbing only: audit log, regions, errors, pagination, time."""
