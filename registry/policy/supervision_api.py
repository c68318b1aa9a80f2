"""`GET /api/v1/supervision-listing`: the county supervision listing (挂牌督办, 000:71, R-V-05) for officials,
over the enterprises of their region (registry/policy/supervision.py)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.core.api_auth import actor, guard, login_required
from registry.core.api_support import errors
from registry.policy import supervision

blp = Blueprint("supervision_api", __name__, url_prefix="/api/v1",
                description="County supervision listing (挂牌督办, 000:71, R-V-05) for officials")
guard(blp)


class ListingQuery(Schema):
    pack = fields.String(required=True, metadata={"example": "langfang-2017-18",
                                                  "description": "a pack carrying the county-supervision clause"})
    on = fields.Date(load_default=None, metadata={"description": "facts as of this date (default: the pack's start)"})


class ListingReasonOut(Schema):
    rule = fields.String()
    source = fields.String(metadata={"description": "FILE:LINE of the clause or the pack setting"})
    note = fields.String()


class CountyOut(Schema):
    county = fields.String(metadata={"description": "county (区县) code"})
    county_label = fields.String()
    listed = fields.Boolean(metadata={"description": "to be listed for supervised rectification"})
    low_transmission = fields.List(fields.String(), metadata={"description": "enterprises with a CEMS line below the rate"})
    exceeding = fields.List(fields.String(), metadata={"description": "enterprises with a line exceeding its limits"})
    mean_rate = fields.Float(allow_none=True)
    reasons = fields.List(fields.Nested(ListingReasonOut), metadata={"description": "why, and the readings cited (local)"})


class ListingOut(Schema):
    pack = fields.String()
    on = fields.Date()
    items = fields.List(fields.Nested(CountyOut))


@blp.route("/supervision-listing")
class SupervisionListing(MethodView):
    @login_required
    @blp.arguments(ListingQuery, location="query")
    @blp.response(200, ListingOut)
    @errors(blp, 401, 403, 404, 422)
    def get(self, query):
        """Counties of the caller's region to list for supervised rectification: automatic monitoring below 90 %
        effective transmission or several enterprises exceeding (000:71), listed counties first, each row citing
        the pack's readings of the clause. Officials only."""
        pack, day, rows = supervision.county_listing(actor(), query["pack"], query["on"])
        return {"pack": pack.id, "on": day, "items": [r.as_dict() for r in rows]}
