"""Errors the engine raises: a bad pack (PackError) or a bad evaluate document (ContractError).

A ContractError carries every field error at once (path, code, bad value, allowed values) and renders
them in Chinese (default) or English with grading.messages, never as a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class PackError(ValueError):
    """A policy pack failed to load; the message names the file and the key."""

    def __init__(self, file: str, key: str, problem: str, code: str = "invalid", params: dict | None = None):
        # code + params: the problem as data (grading.packs.PROBLEM_CODES), for readers in other languages
        self.file, self.key, self.problem = file, key, problem
        self.code, self.params = code, dict(params or {})
        super().__init__(f"{file}: {key}: {problem}")


@dataclass(frozen=True)
class FieldError:
    """One problem in an evaluate document."""

    path: str  # e.g. enterprise.lines[0].fuel
    code: str  # a key of grading.messages.FIELD_MESSAGES
    value: Any = None
    allowed: tuple = ()
    detail: str = ""


class ContractError(ValueError):
    """Invalid evaluate input: a list of field errors, rendered by as_dict(lang)."""

    code = "invalid_input"

    def __init__(self, errors: list[FieldError]):
        # A JSON Schema can report one missing field through several sub-schemas: say it once.
        unique: dict[tuple, FieldError] = {}
        for e in errors:
            unique.setdefault((e.path, e.code, repr(e.value), repr(e.allowed), repr(e.detail)), e)
        self.errors = list(unique.values())
        super().__init__("; ".join(f"{e.path}: {e.code}" for e in self.errors))

    def as_dict(self, lang: str = "zh") -> dict:
        from grading.messages import field_message, summary_message

        out: dict[str, list[str]] = {}
        for e in self.errors:
            out.setdefault(e.path or "$", []).append(field_message(e, lang))
        return {"code": self.code, "message": summary_message(len(self.errors), lang), "errors": out}
