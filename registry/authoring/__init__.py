"""Authored policy packs (issue 20)."""
