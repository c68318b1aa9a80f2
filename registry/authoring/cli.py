"""`flask packs …`: officials' packs from the shell (issue 20) — list, copy, validate, diff, export, import, submit,
review, activate. The same operations as the pages and the API (permissions, four eyes, audit): `--user` names the
official acting; every command commits once at its end."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import AppGroup


def _user(username: str):
    from sqlalchemy import select

    from registry.accounts.models import User
    from registry.extensions import db

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"unknown user {username}")
    return user


def _fail(err) -> None:
    payload = {"code": getattr(err, "code", "error"), "message": str(getattr(err, "message", err)),
               "errors": getattr(err, "errors", None) or {}}
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2), err=True)
    sys.exit(2)


def _build_demo(_force: bool) -> str:
    from registry.authoring.demo import build_pack_demo

    made = build_pack_demo()
    return f"demo packs: {made['drafts']} draft copy of the Langfang pack for 2026-27 (an unreviewed example)"


def register(app: Flask) -> None:
    from registry.core.demo_builders import DemoBuilder, register_demo_builder
    from registry.core.errors import DomainError

    register_demo_builder(app, "packs", DemoBuilder(order=40, build=_build_demo))  # after the city (its officials)
    from registry.core.unit_of_work import command

    packs = AppGroup("packs", help="Policy packs written by officials: copy, validate, diff, export, import, activate.")

    def run(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError as err:
            _fail(err)

    @packs.command("list")
    @click.option("--user", "username", required=True)
    @command
    def list_cmd(username: str):
        """The authored versions the user may see, with status."""
        from registry.authoring import operations as ops

        for p in ops.list_visible(_user(username)):
            click.echo(f"{p.id}\t{p.pack_id}\tv{p.version}\t{p.status}\t{p.region_code}\t{p.season_year}\t{p.title}")

    @packs.command("copy")
    @click.option("--user", "username", required=True)
    @click.option("--from", "parent", required=True, help="A shipped pack id, an active pack id or authored:<id>.")
    @click.option("--region", "region_code", required=True)
    @click.option("--season", "season_year", type=int, required=True, help="The year the heating season starts in.")
    @click.option("--id", "pack_id", default=None)
    @click.option("--title", default=None)
    @command
    def copy_cmd(username, parent, region_code, season_year, pack_id, title):
        """Copy a pack into a draft for a region and season; prints the draft's id."""
        from registry.authoring import operations as ops

        row = run(ops.copy_pack, _user(username), parent=parent, region_code=region_code, season_year=season_year,
                  pack_id=pack_id, title=title)
        click.echo(json.dumps({"id": row.id, "pack_id": row.pack_id, "version": row.version}, ensure_ascii=False))

    @packs.command("validate")
    @click.argument("target")
    @command
    def validate_cmd(target: str):
        """Every loader problem of a YAML file (a path) or an authored version (its id); exit 1 when there are any."""
        from pathlib import Path

        from registry.authoring.models import AuthoredPack
        from registry.extensions import db
        from registry.policy.drafts import problems

        if target.isdigit():
            row = db.session.get(AuthoredPack, int(target))
            if row is None:
                raise click.ClickException("unknown authored pack")
            text = row.yaml_text
        else:
            text = Path(target).read_text(encoding="utf-8")
        found = [p.as_dict() for p in problems(text)]
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        if found:
            sys.exit(1)

    @packs.command("diff")
    @click.argument("authored_id", type=int)
    @click.option("--user", "username", required=True)
    @command
    def diff_cmd(authored_id: int, username: str):
        """Every value that differs from the parent, with old and new citations (JSON)."""
        from registry.authoring import operations as ops
        from registry.policy.drafts import diff

        pack = run(ops.get_pack, _user(username), authored_id)
        click.echo(json.dumps([c.as_dict() for c in diff(ops.parent_text(pack), pack.yaml_text)], ensure_ascii=False,
                              indent=2, default=str))

    @packs.command("export")
    @click.argument("authored_id", type=int)
    @click.option("--user", "username", required=True)
    @click.option("--out", type=click.Path(dir_okay=False), default=None)
    @command
    def export_cmd(authored_id: int, username: str, out):
        """The version's YAML (to --out, or stdout)."""
        from registry.authoring import operations as ops

        name, text = run(ops.export_text, _user(username), authored_id)
        if out:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text)
            click.echo(out)
        else:
            click.echo(text, nl=False)

    @packs.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--user", "username", required=True)
    @click.option("--region", "region_code", required=True)
    @click.option("--season", "season_year", type=int, required=True)
    @command
    def import_cmd(file, username, region_code, season_year):
        """A YAML file becomes a draft (it must pass the loader)."""
        from pathlib import Path

        from registry.authoring import operations as ops

        row = run(ops.import_text, _user(username), region_code=region_code, season_year=season_year,
                  text=Path(file).read_text(encoding="utf-8"), filename=Path(file).name)
        click.echo(json.dumps({"id": row.id, "pack_id": row.pack_id, "version": row.version}, ensure_ascii=False))

    @packs.command("submit")
    @click.argument("authored_id", type=int)
    @click.option("--user", "username", required=True)
    @command
    def submit_cmd(authored_id: int, username: str):
        """Submit a draft for review."""
        from registry.authoring import operations as ops

        row = run(ops.submit, _user(username), authored_id)
        click.echo(row.status)

    @packs.command("review")
    @click.argument("authored_id", type=int)
    @click.option("--user", "username", required=True)
    @click.option("--decision", type=click.Choice(["approve", "return"]), required=True)
    @click.option("--note", default="")
    @command
    def review_cmd(authored_id: int, username: str, decision: str, note: str):
        """Approve or return a submitted version (a second official; never the author)."""
        from registry.authoring import operations as ops

        row = run(ops.review, _user(username), authored_id, decision, note)
        click.echo(row.status)

    @packs.command("activate")
    @click.argument("authored_id", type=int)
    @click.option("--user", "username", required=True)
    @command
    def activate_cmd(authored_id: int, username: str):
        """Put an approved version in force for its region and season."""
        from registry.authoring import operations as ops

        row = run(ops.activate, _user(username), authored_id)
        click.echo(row.status)

    app.cli.add_command(packs)
