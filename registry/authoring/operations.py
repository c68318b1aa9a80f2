"""Officials' packs (issue 20): copy, documents, cited edits, submission, review, activation, versions, YAML files.

Pages, API and CLI call these, so the permission check (registry/authoring/auth.py), the citation rule, the four
eyes and the audit entry cannot be skipped by choosing another door. Operations flush; callers commit (the request's
unit of work, or the CLI).

The pack text is the shipped packs' YAML format; it is checked by the same loader (registry/policy/drafts.py →
grading.packs). A value changes only with a citation: a line of an uploaded document ("D<id>:<line>", set as the
`source` of the YAML node that carries the value) or, for a local setting, a written reason (`local_setting: true`,
`why`). A version is frozen (its SHA-256 recorded) when submitted; an active pack is never edited — a correction is a
new version, compared with the old one like a schedule's versions.
"""
from __future__ import annotations

import copy
import hashlib
import re
from datetime import date
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import func, select

from registry.authoring import auth
from registry.authoring.models import AuthoredPack, PackEdit, PackReview, PolicyDocument
from registry.core import audit
from registry.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.core.regions import get_region, region_prefix
from registry.core.timeutil import utcnow
from registry.extensions import db
from registry.policy import packs as policy_packs

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPES = {".pdf": "application/pdf", ".txt": "text/plain",
                  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
PACK_ID_RE = re.compile(r"^[a-z][a-z0-9-]{2,38}[a-z0-9]$")
_CITED = re.compile(r"^D(\d+):(\d+)$")


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(_("Some fields are invalid."), {field: [message]})


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---- the YAML text ------------------------------------------------------------------------------------

def load_data(text: str) -> dict:
    """The pack as plain data (dates as dates), for reading values; refuses what is not a mapping."""
    from registry.policy.drafts import read_yaml

    try:
        data = read_yaml(text)
    except yaml.YAMLError as exc:
        raise _invalid("yaml", _("The file is not valid YAML: %(error)s", error=str(exc).splitlines()[0])) from None
    except ValueError:
        raise _invalid("yaml", _("A policy pack is a YAML mapping.")) from None
    return data


def dump(data: dict) -> str:
    """The pack's YAML in the shipped packs' format (drafts' dump_yaml when present)."""
    from registry.policy.drafts import dump_yaml

    return dump_yaml(data)


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split_path(path: str) -> list[str | int]:
    """'sector_measures[0].percentage_min' → ['sector_measures', 0, 'percentage_min']."""
    out: list[str | int] = []
    for name, index in _TOKEN.findall(path or ""):
        out.append(int(index) if index else name)
    if not out:
        raise _invalid("path", _("Unknown field."))
    return out


def get_value(data: Any, path: str) -> Any:
    node = data
    for token in split_path(path):
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            raise _invalid("path", _("Unknown field %(path)s.", path=path)) from None
    return node


def _cited_node(data: dict, tokens: list) -> dict:
    """The nearest dict on the way to the value that carries (or can carry) the citation: one with a `rule`."""
    node: Any = data
    chain = []
    for token in tokens[:-1]:
        node = node[token]
        if isinstance(node, dict):
            chain.append(node)
    for node in reversed(chain):
        if "rule" in node:
            return node
    if chain:
        return chain[-1]
    raise _invalid("path", _("This value cannot carry a citation."))


def _plain(value: Any) -> Any:
    """JSON-able form of a YAML value (dates as ISO text), for the edit record and the audit log."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _set(data: dict, path: str, value: Any) -> Any:
    tokens = split_path(path)
    parent: Any = data
    for token in tokens[:-1]:
        try:
            parent = parent[token]
        except (KeyError, IndexError, TypeError):
            raise _invalid("path", _("Unknown field %(path)s.", path=path)) from None
    last = tokens[-1]
    try:
        old = parent[last]
    except (KeyError, IndexError, TypeError):
        if isinstance(parent, dict) and isinstance(last, str):
            old = None
        else:
            raise _invalid("path", _("Unknown field %(path)s.", path=path)) from None
    parent[last] = value
    return old


# ---- reading ------------------------------------------------------------------------------------------

def get_pack(actor, authored_id: int) -> AuthoredPack:
    pack = db.session.get(AuthoredPack, authored_id)
    if pack is None or not auth.can_view(actor, pack):
        raise NotFound(_("Not found."))
    return pack


def list_visible(actor) -> list[AuthoredPack]:
    rows = db.session.scalars(select(AuthoredPack).order_by(AuthoredPack.pack_id, AuthoredPack.version.desc()))
    return [p for p in rows if auth.can_view(actor, p)]


def shipped_packs() -> list[dict]:
    return [p for p in policy_packs.list_packs() if not p.get("authored")]


def document(actor, document_id: int) -> PolicyDocument:
    doc = db.session.get(PolicyDocument, document_id)
    if doc is None:
        raise NotFound(_("Not found."))
    get_pack(actor, doc.authored_pack_id)
    return doc


def source_text(actor, source: str) -> tuple[str, str, str]:
    """'D7:12' → (filename, line number, the line's text) for showing a citation beside its value."""
    m = _CITED.match(str(source or ""))
    if not m:
        return "", "", ""
    doc = db.session.get(PolicyDocument, int(m.group(1)))
    if doc is None:
        return "", m.group(2), ""
    return doc.filename, m.group(2), doc.line(int(m.group(2)))


def used_by(pack: AuthoredPack) -> dict[str, int]:
    """How many published schedule versions and filed emergency lists were decided with THIS version's text."""
    if not pack.sha256:
        return {"schedules": 0, "lists": 0}
    from registry.emergency.models import EmergencyList
    from registry.schedules.models import ScheduleVersion

    schedules = db.session.scalar(select(func.count()).select_from(ScheduleVersion).where(
        ScheduleVersion.pack_id == pack.pack_id, ScheduleVersion.pack_sha256 == pack.sha256,
        ScheduleVersion.status == "published")) or 0
    lists = db.session.scalar(select(func.count()).select_from(EmergencyList).where(
        EmergencyList.pack_id == pack.pack_id, EmergencyList.pack_sha256 == pack.sha256,
        EmergencyList.status == "filed")) or 0
    return {"schedules": int(schedules), "lists": int(lists)}


# ---- copying ------------------------------------------------------------------------------------------

def default_pack_id(parent_id: str, season_year: int) -> str:
    tail = f"{season_year}-{(season_year + 1) % 100:02d}"
    base = re.sub(r"-\d{4}-\d{2}$", "", parent_id)
    return f"{base}-{tail}"


def default_title(parent_title: str, season_year: int) -> str:
    new = f"{season_year}-{season_year + 1}"
    title, n = re.subn(r"\d{4}\s*[-—–]\s*\d{4}", new, parent_title, count=1)
    return title if n else f"{parent_title}（{new}年采暖季）"


def _source(actor, parent: str) -> tuple[str, str, AuthoredPack | None]:
    """(text, sha256, authored row or None) of the pack to copy: a shipped pack id, or 'authored:<row id>'."""
    if parent.startswith("authored:"):
        try:
            row = get_pack(actor, int(parent.split(":", 1)[1]))
        except ValueError:
            raise _invalid("parent", _("Unknown policy pack.")) from None
        return row.yaml_text, row.sha256 or _sha(row.yaml_text), row
    if not policy_packs.is_shipped(parent):
        rec_text = policy_packs.pack_text(parent)
        if rec_text is None:
            raise _invalid("parent", _("Unknown policy pack."))
        row = db.session.scalar(select(AuthoredPack).where(AuthoredPack.pack_id == parent, AuthoredPack.status == "active"))
        return rec_text, _sha(rec_text), row
    text = policy_packs.pack_text(parent) or ""
    return text, policy_packs.pack_sha256(parent), None


def _shift_year(d: Any, years: int) -> Any:
    if not isinstance(d, date):
        d = date.fromisoformat(str(d))
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _shift_dates(data: dict, years: int, reason: str) -> list[tuple[str, Any, Any]]:
    """Move every date VALUE of the pack (period, deadlines, windows, effective-from dates: the loader's date keys) by
    whole years, each node that cites one becoming a local setting with `reason` until the official cites the new
    document. Returns (path, old, new) per date moved."""
    from registry.policy.drafts import DATE_KEYS

    out: list[tuple[str, Any, Any]] = []

    def walk(node: Any, path: str, cited: dict | None) -> None:
        if isinstance(node, dict):
            here = node if "rule" in node else cited
            for key, value in list(node.items()):
                sub = f"{path}.{key}" if path else str(key)
                if key in DATE_KEYS and value is not None and not isinstance(value, (dict, list)):
                    try:
                        new = _shift_year(value, years)
                    except ValueError:
                        continue  # a bad date: the loader names it
                    node[key] = new.isoformat()
                    out.append((sub, _plain(value), new.isoformat()))
                    target = here if here is not None else node
                    target.pop("source", None)
                    target.pop("note", None)
                    target["local_setting"] = True
                    target["why"] = reason
                else:
                    walk(value, sub, here)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]", cited)

    walk(data, "", None)
    return out


def copy_pack(actor, *, parent: str, region_code: str, season_year: int, pack_id: str | None = None,
              title: str | None = None, example: bool = False) -> AuthoredPack:
    """A draft for `region_code` and the heating season starting in `season_year`, copied from `parent` (a shipped
    pack id, an activated pack id, or 'authored:<id>'). Every date moves to the new season by whole years (a local
    setting until the official cites the new document); every other value stays as the parent had it, with its
    citation."""
    region = get_region(region_code or "")
    if region is None:
        raise _invalid("region_code", _("Unknown region code."))
    if not auth.can_copy(actor, region.code):
        raise Forbidden(_("You do not have permission to do this."))
    if not isinstance(season_year, int) or not 2000 <= season_year <= 2100:
        raise _invalid("season_year", _("Give the year the heating season starts in."))
    text, parent_sha, parent_row = _source(actor, parent)
    data = load_data(text)
    parent_pack_id = str(data.get("id", parent))
    pack_id = (pack_id or default_pack_id(parent_pack_id, season_year)).strip()
    if not PACK_ID_RE.match(pack_id):
        raise _invalid("pack_id", _("A pack id is 4 to 40 lower-case letters, digits and hyphens."))
    if policy_packs.is_shipped(pack_id):
        raise _invalid("pack_id", _("A shipped pack keeps its id: choose another."))
    if db.session.scalar(select(AuthoredPack.id).where(AuthoredPack.pack_id == pack_id)) is not None:
        raise Conflict(_("A pack with this id exists already: start a new version of it instead."))
    title = (title or default_title(str(data.get("title", parent_pack_id)), season_year)).strip()
    period = data.get("period") or {}
    old_start = period.get("start")
    years = season_year - (old_start.year if isinstance(old_start, date) else int(str(old_start)[:4]))
    data["id"] = pack_id
    data["title"] = title
    data["title_en"] = f"{data.get('title_en', pack_id)} (copied for {season_year}-{(season_year + 1) % 100:02d})"
    reason = _("Copied for the heating season starting in %(year)s: the dates moved by %(n)s years; cite the new "
               "document's dates.", year=season_year, n=years)
    shifted = _shift_dates(data, years, reason) if years else []
    row = AuthoredPack(pack_id=pack_id, version=1, region_code=region.code, season_year=season_year, title=title,
                       parent_pack_id=parent_pack_id, parent_sha256=parent_sha,
                       parent_id=parent_row.id if parent_row is not None else None, status="draft", example=example,
                       yaml_text=dump(data), author_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    for path, old, new in shifted:
        db.session.add(PackEdit(authored_pack_id=row.id, path=path, old_value=old, new_value=new, reason=reason,
                                actor_id=getattr(actor, "id", None)))
    audit.record(actor, "pack.copy", row, summary=row.name,
                 after={"pack_id": pack_id, "parent": parent_pack_id, "parent_sha256": parent_sha,
                        "season_year": season_year, "region_code": region.code})
    return row


def new_version(actor, authored_id: int) -> AuthoredPack:
    """A correction of a submitted/approved/active version: a copy with the next version number (the old one stays
    as it was — a published schedule or filed list may have been decided with it)."""
    old = get_pack(actor, authored_id)
    if not auth.can_author(actor, old.region_code):
        raise Forbidden(_("You do not have permission to do this."))
    if old.editable:
        raise Conflict(_("This version is still a draft: edit it instead."))
    newest = db.session.scalar(select(func.max(AuthoredPack.version)).where(AuthoredPack.pack_id == old.pack_id)) or 0
    if db.session.scalar(select(AuthoredPack.id).where(AuthoredPack.pack_id == old.pack_id,
                                                       AuthoredPack.status.in_(("draft", "returned", "submitted")))):
        raise Conflict(_("A newer version of this pack is being prepared already."))
    row = AuthoredPack(pack_id=old.pack_id, version=newest + 1, region_code=old.region_code, season_year=old.season_year,
                       title=old.title, parent_pack_id=old.pack_id, parent_sha256=old.sha256 or _sha(old.yaml_text),
                       parent_id=old.id, status="draft", yaml_text=old.yaml_text, author_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "pack.new_version", row, summary=row.name,
                 after={"pack_id": row.pack_id, "version": row.version, "parent_version": old.version})
    return row


def parent_text(pack: AuthoredPack) -> str:
    """The text the draft was copied from (what its diff compares with)."""
    if pack.parent_id is not None:
        parent = db.session.get(AuthoredPack, pack.parent_id)
        if parent is not None:
            return parent.yaml_text
    return policy_packs.pack_text(pack.parent_pack_id) or ""


# ---- documents ----------------------------------------------------------------------------------------

def _editable(actor, authored_id: int) -> AuthoredPack:
    pack = get_pack(actor, authored_id)
    if not auth.can_author(actor, pack.region_code):
        raise Forbidden(_("You do not have permission to do this."))
    if not pack.editable:
        raise Conflict(_("This version can no longer be changed: start a new version."))
    return pack


def upload_document(actor, authored_id: int, filename: str, data: bytes) -> PolicyDocument:
    """Store a policy document and its text as numbered lines (PDF, DOCX or text; at most 10 MB)."""
    pack = _editable(actor, authored_id)
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in DOCUMENT_TYPES:
        raise _invalid("file", _("Upload a PDF, .docx or .txt file."))
    if not data:
        raise _invalid("file", _("The file is empty."))
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _invalid("file", _("The file is larger than %(mb)s MB.", mb=MAX_DOCUMENT_BYTES // (1024 * 1024)))
    from registry.authoring.documents import extract_lines

    try:
        lines = [str(x) for x in extract_lines(name, data)]
    except ValueError as err:
        raise _invalid("file", str(err)) from None
    if not any(line.strip() for line in lines):
        raise _invalid("file", _("No text could be read from this file (a scanned image?)."))
    doc = PolicyDocument(authored_pack_id=pack.id, filename=name, media_type=DOCUMENT_TYPES[ext],
                         sha256=hashlib.sha256(data).hexdigest(), size=len(data), lines=lines,
                         uploaded_by_id=getattr(actor, "id", None))
    db.session.add(doc)
    db.session.flush()
    audit.record(actor, "pack.document", doc, root=pack, region_code=pack.region_code, summary=name,
                 after={"filename": name, "sha256": doc.sha256, "size": doc.size, "lines": len(lines)})
    return doc


# ---- editing ------------------------------------------------------------------------------------------

def edit_values(actor, authored_id: int, changes: dict[str, Any], *, document_id: int | None = None,
                line: int | None = None, reason: str = "") -> list[PackEdit]:
    """Change values (path → new value) of a draft, each with the citation given: a line of one of this draft's
    documents, or a written reason (a local setting). Values equal to the current ones are ignored."""
    pack = _editable(actor, authored_id)
    reason = (reason or "").strip()
    doc = None
    if document_id:
        doc = db.session.get(PolicyDocument, int(document_id))
        if doc is None or doc.authored_pack_id != pack.id:
            raise _invalid("document_id", _("Choose one of this draft's documents."))
        if not line or not 1 <= int(line) <= len(doc.lines) or not doc.line(int(line)).strip():
            raise _invalid("line", _("Choose a line of the document that holds the clause."))
        line = int(line)
    elif not reason:
        raise _invalid("citation", _("Every changed value needs a citation: choose a line of an uploaded document, or "
                                     "write the reason for a local setting."))
    data = load_data(pack.yaml_text)
    made = []
    for path, value in changes.items():
        tokens = split_path(path)
        if tokens[0] == "id":
            raise _invalid("path", _("The pack id is set when the draft is copied."))
        old = _set(data, path, copy.deepcopy(value))
        if _plain(old) == _plain(value):
            _set(data, path, old)
            continue
        node = _cited_node(data, tokens)
        if doc is not None:
            node["source"] = f"{doc.code}:{line}"
            node.pop("local_setting", None)
            node["note"] = doc.line(line).strip()[:300]
            if "why" in node:  # readers of a former local setting (the heating season's summary) still find its why
                node["why"] = node["note"]
        else:
            node.pop("source", None)
            node["local_setting"] = True
            node["why"] = reason
        node.setdefault("rule", _rule_near(data, tokens))
        made.append(PackEdit(authored_pack_id=pack.id, path=path, old_value=_plain(old), new_value=_plain(value),
                             document_id=doc.id if doc else None, line=line if doc else None,
                             reason="" if doc else reason, actor_id=getattr(actor, "id", None)))
    if not made:
        return []
    pack.yaml_text = dump(data)
    pack.updated_at = utcnow()
    db.session.add_all(made)
    db.session.flush()
    for e in made:
        audit.record(actor, "pack.edit", e, root=pack, region_code=pack.region_code, summary=f"{pack.name} {e.path}",
                     before={"path": e.path, "value": e.old_value},
                     after={"path": e.path, "value": e.new_value, "citation": e.citation, "reason": e.reason})
    return made


def _rule_near(data: dict, tokens: list) -> str:
    """A rule id for a node that had none: the nearest enclosing one (a pack never invents rules)."""
    node: Any = data
    rule = ""
    for token in tokens[:-1]:
        node = node[token]
        if isinstance(node, dict) and node.get("rule"):
            rule = str(node["rule"])
    if not rule:
        raise _invalid("path", _("This value has no rule to cite it under."))
    return rule


def problems(pack: AuthoredPack) -> list:
    from registry.policy.drafts import problems as check

    return list(check(pack.yaml_text))


# ---- submitting, reviewing, activating ----------------------------------------------------------------

def submit(actor, authored_id: int) -> AuthoredPack:
    """The author hands the draft to review: it must pass the loader with no problem; its text is frozen."""
    pack = _editable(actor, authored_id)
    found = problems(pack)
    if found:
        raise ValidationFailed(_("The pack has %(n)s problems: correct them before submitting.", n=len(found)),
                               {p.path or "yaml": [p.message] for p in found})
    pack.status, pack.sha256, pack.submitted_at = "submitted", _sha(pack.yaml_text), utcnow()
    db.session.flush()
    audit.record(actor, "pack.submit", pack, summary=pack.name, after={"status": "submitted", "sha256": pack.sha256})
    return pack


def review(actor, authored_id: int, decision: str, note: str = "") -> AuthoredPack:
    """A second official approves or returns a submitted version (the province for a city's pack; never its author
    nor anyone who edited it). Returning needs the reasons."""
    pack = get_pack(actor, authored_id)
    if not auth.reviews_for(actor, pack):
        raise Forbidden(_("You do not have permission to do this."))
    if pack.status != "submitted":
        raise Conflict(_("Only a submitted pack is reviewed."))
    if not auth.four_eyes(actor, pack) and not getattr(actor, "is_system", False):
        raise Forbidden(_("Four eyes: the author or an editor of a pack cannot review it."))
    if decision not in ("approve", "return"):
        raise _invalid("decision", _("Approve or return."))
    note = (note or "").strip()
    if decision == "return" and not note:
        raise _invalid("note", _("Say what must change before the pack can be approved."))
    if _sha(pack.yaml_text) != pack.sha256:
        raise Conflict(_("The pack changed after it was submitted."))
    db.session.add(PackReview(authored_pack_id=pack.id, reviewer_id=getattr(actor, "id", None), decision=decision,
                              note=note, sha256=pack.sha256 or ""))
    pack.reviewer_id, pack.reviewed_at, pack.review_note = getattr(actor, "id", None), utcnow(), note
    if decision == "approve":
        pack.status = "approved"
    else:
        pack.status, pack.sha256 = "returned", None
    db.session.flush()
    audit.record(actor, "pack.approve" if decision == "approve" else "pack.return", pack, summary=pack.name, after={"status": pack.status, "note": note})
    return pack


def activate(actor, authored_id: int) -> AuthoredPack:
    """An approved version takes effect for its region and season: schedules and emergency lists can use it; the
    version it corrects (same pack id) is superseded."""
    pack = get_pack(actor, authored_id)
    if not auth.may_activate(actor, pack):
        raise Forbidden(_("You do not have permission to do this."))
    if pack.status != "approved":
        raise Conflict(_("Only an approved pack can be activated."))
    if _sha(pack.yaml_text) != pack.sha256:
        raise Conflict(_("The pack changed after it was approved."))
    from registry.policy.drafts import load_draft

    load_draft(pack.yaml_text, f"{pack.pack_id}.yaml")  # it loads, as a shipped pack must
    previous = db.session.scalars(select(AuthoredPack).where(AuthoredPack.pack_id == pack.pack_id,
                                                             AuthoredPack.status == "active")).all()
    for old in previous:
        old.status = "superseded"
        audit.record(actor, "pack.supersede", old, summary=old.name, after={"status": "superseded", "by": pack.version})
    pack.status, pack.activated_by_id, pack.activated_at = "active", getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record(actor, "pack.activate", pack, summary=pack.name,
                 after={"status": "active", "sha256": pack.sha256, "region_code": pack.region_code,
                        "season_year": pack.season_year})
    return pack


def withdraw(actor, authored_id: int) -> AuthoredPack:
    """The author drops a draft (kept, marked rejected: nothing is deleted)."""
    pack = _editable(actor, authored_id)
    pack.status = "rejected"
    db.session.flush()
    audit.record(actor, "pack.withdraw", pack, summary=pack.name, after={"status": "rejected"})
    return pack


# ---- YAML files ---------------------------------------------------------------------------------------

def export_text(actor, authored_id: int) -> tuple[str, str]:
    pack = get_pack(actor, authored_id)
    return f"{pack.pack_id}-v{pack.version}.yaml", pack.yaml_text


def import_text(actor, *, region_code: str, season_year: int, text: str, filename: str = "") -> AuthoredPack:
    """A YAML file (another city's pack, an export) becomes a draft; it must pass the loader first."""
    region = get_region(region_code or "")
    if region is None:
        raise _invalid("region_code", _("Unknown region code."))
    if not auth.can_author(actor, region.code):
        raise Forbidden(_("You do not have permission to do this."))
    data = load_data(text)
    from registry.policy.drafts import problems as check

    found = check(text)
    if found:
        raise ValidationFailed(_("The file does not pass the pack loader (%(n)s problems).", n=len(found)),
                               {p.path or "yaml": [p.message] for p in found})
    pack_id = str(data.get("id", ""))
    if not PACK_ID_RE.match(pack_id) or policy_packs.is_shipped(pack_id):
        raise _invalid("yaml", _("The file's pack id is missing or is a shipped pack's id."))
    newest = db.session.scalar(select(func.max(AuthoredPack.version)).where(AuthoredPack.pack_id == pack_id)) or 0
    if newest and db.session.scalar(select(AuthoredPack.region_code).where(AuthoredPack.pack_id == pack_id)) != region.code:
        raise Conflict(_("A pack with this id exists for another region."))
    row = AuthoredPack(pack_id=pack_id, version=newest + 1, region_code=region.code, season_year=season_year,
                       title=str(data.get("title", pack_id))[:200], parent_pack_id=pack_id, parent_sha256=_sha(text),
                       status="draft", yaml_text=text, author_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "pack.import", row, summary=row.name,
                 after={"pack_id": pack_id, "version": row.version, "filename": filename, "sha256": _sha(text)})
    return row


# ---- what the rest of the registry sees ---------------------------------------------------------------

def active_records(pack_id: str | None = None) -> list[policy_packs.PackRecord]:
    """The source registered with registry/policy: every ACTIVE version (of `pack_id`, or all)."""
    from flask import has_app_context

    if not has_app_context():
        return []
    q = select(AuthoredPack.id, AuthoredPack.pack_id, AuthoredPack.region_code, AuthoredPack.sha256).where(
        AuthoredPack.status == "active")
    if pack_id is not None:
        q = q.where(AuthoredPack.pack_id == pack_id)
    out = []
    with db.session.no_autoflush:  # a lookup inside another operation must not flush its half-built rows
        for r in db.session.execute(q).all():
            text = _TEXTS.get(r.sha256 or "")
            if text is None:  # the text once per hash (an active text never changes): lookups stay one small query
                text = db.session.scalar(select(AuthoredPack.yaml_text).where(AuthoredPack.id == r.id)) or ""
                if r.sha256 == _sha(text):
                    _TEXTS[r.sha256] = text
            out.append(policy_packs.PackRecord(r.pack_id, r.region_code, text, r.sha256 or _sha(text)))
    return out


_TEXTS: dict[str, str] = {}  # sha256 → frozen pack text (content-addressed, so never stale)


def document_title(prefix: str) -> str | None:
    """Citation resolver for registry/core/citations: 'D7' → the uploaded document's file name."""
    m = re.fullmatch(r"D(\d+)", prefix or "")
    if not m:
        return None
    from flask import has_app_context

    if not has_app_context():
        return None
    with db.session.no_autoflush:
        doc = db.session.get(PolicyDocument, int(m.group(1)))
    return doc.filename.rsplit(".", 1)[0] if doc is not None else None


def region_label(code: str) -> str:
    region = get_region(code)
    return region.name if region is not None else code


def within(actor, pack: AuthoredPack) -> bool:
    return region_prefix(pack.region_code).startswith(region_prefix(actor.region_code or "-"))


def impact_preview(actor, pack: AuthoredPack, draft, dates: list[date], levels: list[str], *, offset: int = 0,
                   limit: int = 50):
    """(Impact, error text): the draft against its parent on the region's registered enterprises (drafts.impact,
    through the engine's batch path). Dates outside the draft's period are refused in words."""
    from registry.policy.drafts import impact, load_draft

    if not auth.can_view(actor, pack) or not getattr(actor, "is_official", False):
        raise Forbidden(_("You do not have permission to do this."))
    outside = [d for d in dates if not draft.period_start <= d < draft.period_end]
    if outside:
        return None, _("%(dates)s is outside the pack's period %(start)s – %(end)s.",
                       dates="、".join(d.isoformat() for d in outside), start=draft.period_start.isoformat(),
                       end=draft.period_end.isoformat())
    try:
        parent = load_draft(parent_text(pack), f"{pack.parent_pack_id}.yaml")
    except ValueError:
        return None, _("The parent pack cannot be loaded.")
    return impact(parent, draft, pack.region_code, dates, levels, limit=limit, offset=offset), None
