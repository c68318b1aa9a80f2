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

    @app.cli.command("supervision-listing")
    @click.option("--pack", "pack_id", required=True, help="Policy pack carrying the county-supervision clause (000:71).")
    @click.option("--user", "username", required=True, help="The official running the report (their scope applies).")
    @click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Facts as of this date.")
    def supervision_listing_cmd(pack_id: str, username: str, on):
        """Counties to list for supervised rectification (挂牌督办, 000:71, R-V-05): automatic monitoring below
        90 % or several enterprises exceeding; JSON rows, listed counties first, each citing the readings."""

        from sqlalchemy import select

        from registry.accounts.models import User
        from registry.core.errors import DomainError
        from registry.extensions import db
        from registry.policy.supervision import county_listing

        user = db.session.scalar(select(User).where(User.username == username))
        try:
            if user is None:
                raise LookupError
            _pack, _day, rows = county_listing(user, pack_id, on.date() if on else None)
        except (LookupError, DomainError) as err:
            message = getattr(err, "errors", None) or getattr(err, "message", None) or "unknown user"
            click.echo(json.dumps({"code": "invalid_input", "message": str(message)}, ensure_ascii=False), err=True)
            sys.exit(2)
        out = [r.as_dict() for r in rows]  # the same rows as the page and GET /api/v1/supervision-listing
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))

