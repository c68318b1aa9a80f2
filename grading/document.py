"""Read an evaluate document from JSON or YAML text, a file path, or '-' for stdin (flask evaluate FILE)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Union

import yaml

from grading.errors import ContractError, FieldError


def load_document(text_or_path: Union[str, Path]) -> dict:
    """JSON or YAML → dict. A str that names an existing file (or '-') is read first; else it is the text."""
    if isinstance(text_or_path, Path):
        text = text_or_path.read_text(encoding="utf-8")
    elif text_or_path == "-":
        text = sys.stdin.read()
    elif "\n" not in text_or_path and len(text_or_path) < 4096 and Path(text_or_path).is_file():
        text = Path(text_or_path).read_text(encoding="utf-8")
    else:
        text = text_or_path
    try:
        doc = json.loads(text)
    except ValueError:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ContractError([FieldError("$", "not_a_document", None, (), str(exc).splitlines()[0])]) from None
    if not isinstance(doc, dict):
        raise ContractError([FieldError("$", "not_a_document", None, (), "expected a JSON/YAML object")])
    from grading.contract import _plain
    return _plain(doc)
