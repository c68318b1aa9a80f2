"""`flask evaluate FILE`: the evaluate contract from the shell (JSON or YAML; `-` for stdin)."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("evaluate")
    @click.argument("file", type=click.File("r", encoding="utf-8"))
    @click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", help="Language of error messages.")
    def evaluate_cmd(file, lang: str):
        """Evaluate an evaluate-contract document and print the decisions as JSON."""
        from grading.contract import evaluate
        from grading.document import load_text
        from grading.errors import ContractError, FieldError

        try:
            try:
                text = file.read()
            except UnicodeDecodeError as exc:  # bad input, not a crash: exit 2 like any other (contract)
                raise ContractError([FieldError("$", "not_a_document", None, (), f"not UTF-8 text: {exc.reason}")]) from None
            document = load_text(text)  # the FILE's content is the document, never a path to another file
            result = evaluate(document)
        except ContractError as err:
            click.echo(json.dumps(err.as_dict(lang=lang), ensure_ascii=False, indent=2), err=True)
            sys.exit(2)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
