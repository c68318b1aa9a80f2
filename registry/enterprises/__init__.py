"""Enterprises, production lines, equipment, permits and the registration review."""
