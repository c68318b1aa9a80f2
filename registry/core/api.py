"""`GET /api/v1/vocabularies` and `GET /api/v1/regions`: the public reference data API clients need.

Both are public: a client preparing an import must know the codes before it has an account.
"""
from __future__ import annotations

import inspect
import re

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from grading import vocab
from registry.core.api_auth import guard
from registry.core.api_support import errors, public
from registry.core.errors import NotFound
from registry.core.models import Region
from registry.core.regions import get_region
from registry.extensions import db

blp = Blueprint("core_api", __name__, url_prefix="/api/v1", description="Reference data: controlled vocabularies and regions")
guard(blp)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def all_vocabularies() -> list[type[vocab.Vocabulary]]:
    """Every Vocabulary subclass defined in grading.vocab, in source order."""
    found = [
        obj
        for _name, obj in inspect.getmembers(vocab, inspect.isclass)
        if issubclass(obj, vocab.Vocabulary) and obj is not vocab.Vocabulary and obj.__module__ == vocab.__name__
    ]
    return sorted(found, key=lambda cls: inspect.getsourcelines(cls)[1])


class VocabularyValueOut(Schema):
    code = fields.String(metadata={"description": "Stable English code stored in the database and used by the API."})
    label_zh = fields.String(metadata={"description": "中文 label (the term used in the source documents)."})


class VocabularyOut(Schema):
    name = fields.String(metadata={"description": "snake_case name, e.g. sector, line_kind"})
    title = fields.String(metadata={"description": "Class name in grading/vocab.py, e.g. Sector"})
    description = fields.String()
    values = fields.List(fields.Nested(VocabularyValueOut))


class VocabularyListOut(Schema):
    items = fields.List(fields.Nested(VocabularyOut))


class RegionOut(Schema):
    code = fields.String(metadata={"description": "6-digit GB/T 2260 code"})
    name = fields.String()
    level = fields.String(metadata={"description": "province | city | county"})
    parent_code = fields.String(allow_none=True)


class RegionListOut(Schema):
    parent = fields.Nested(RegionOut, allow_none=True)
    items = fields.List(fields.Nested(RegionOut))


class RegionQuery(Schema):
    parent = fields.String(
        load_default=None,
        metadata={"description": "A region code; omit it for the provinces."},
    )


@blp.route("/vocabularies")
class Vocabularies(MethodView):
    @public(blp)
    @blp.response(200, VocabularyListOut)
    def get(self):
        """Every controlled vocabulary (codes with 中文 labels), for forms, imports and clients."""
        items = [
            {
                "name": _snake(cls.__name__),
                "title": cls.__name__,
                "description": inspect.cleandoc(cls.__doc__ or "").split("\n")[0],
                "values": [{"code": m.value, "label_zh": m.label_zh} for m in cls],
            }
            for cls in all_vocabularies()
        ]
        return {"items": items}


@blp.route("/regions")
class Regions(MethodView):
    @public(blp)
    @blp.arguments(RegionQuery, location="query")
    @blp.response(200, RegionListOut)
    @errors(blp, 404)
    def get(self, args):
        """The regions directly below `parent` (GB/T 2260), or the provinces without it."""
        parent = None
        stmt = select(Region).order_by(Region.code)
        if args.get("parent"):
            parent = get_region(args["parent"])
            if parent is None:
                raise NotFound(_("Unknown region code %(code)s.", code=args["parent"]))
            stmt = stmt.where(Region.parent_code == parent.code)
        else:
            stmt = stmt.where(Region.parent_code.is_(None))
        return {"parent": parent, "items": list(db.session.scalars(stmt))}
