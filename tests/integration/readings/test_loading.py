"""Loading readings (issue 19 "What a user can do": upload, API batch, streaming endpoint; the same validation report
as the Excel import; re-loading the same data changes nothing; officials for their region, enterprises for their own
meters; size- and type-checked uploads)."""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest

from tests.builders import login

DAY = datetime(2026, 11, 30)


def _csv(uscc: str, meter: str = "P1", n: int = 96, start: datetime = DAY, kwh: float = 10.0) -> bytes:
    lines = ["统一社会信用代码,电表编号,时间,电量（千瓦时）"]
    lines += [f"{uscc},{meter},{(start + timedelta(minutes=15 * i)):%Y-%m-%d %H:%M},{kwh}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _hj212(mn: str, hours: int, start: datetime = DAY, flag: str = "N") -> bytes:
    from registry.readings.hj212 import frame

    out = []
    for h in range(hours):
        t = start + timedelta(hours=h)
        seg = (f"QN={t:%Y%m%d%H%M%S}001;ST=31;CN=2061;PW=123456;MN={mn};Flag=4;CP=&&DataTime={t:%Y%m%d%H%M%S};"
               f"a21026-Avg=12.5,a21026-Flag={flag};a21002-Avg=40.1,a21002-Flag={flag};a34013-Avg=2.1,a34013-Flag={flag};"
               f"a19001-Avg=10.2,a19001-Flag={flag};a00000-Avg=120000,a00000-Flag={flag}&&")
        out.append(frame(seg))
    return "".join(out).encode()


def _upload(client, kind: str, data: bytes, filename: str, dry_run: bool = False):
    from tests.builders.http import csrf_from

    token = csrf_from(client.get("/readings/").get_data(as_text=True))
    form = {"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), filename)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/readings/upload", data=form, content_type="multipart/form-data")


def test_enterprise_uploads_its_own_meter_readings_idempotently(client, metered, readings_store):
    """Upload page: stored, then the same file again stores nothing (issue 19: re-loading changes nothing)."""
    ent, owner, prod, *_ = metered
    login(client, owner.username)
    r = _upload(client, "electricity", _csv(ent.uscc), "day.csv")
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
    assert readings_store.count("electricity") == 96
    r = _upload(client, "electricity", _csv(ent.uscc), "day.csv")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert 'id="duplicates">96<' in page and 'id="accepted">0<' in page
    assert readings_store.count("electricity") == 96
    from registry.readings.queries import batches

    rows = batches(owner)
    assert [(b.rows_accepted, b.rows_duplicate) for b in rows] == [(0, 96), (96, 0)]
    assert rows[0].enterprise_id == ent.id and rows[0].region_code == ent.region_code
    got = readings_store.scan("electricity").to_arrow_table()
    assert set(got.column("meter_id").to_pylist()) == {prod.id}
    assert set(got.column("city_code").to_pylist()) == {"131000"}


def test_report_lists_every_problem_and_stores_nothing(client, metered, readings_store):
    """The same report as the Excel import: row, column (as headed), value, reason in Chinese; nothing stored."""
    ent, owner, *_ = metered
    bad = (_csv(ent.uscc, n=2).decode() + f"{ent.uscc},P9,2026-11-30 01:00,1\n{ent.uscc},P1,2026-11-30 01:07,1\n"
           f"{ent.uscc},P1,昨天,x\n{ent.uscc},C1,2026-11-30 01:15,-3\n").encode()
    login(client, owner.username)
    r = _upload(client, "electricity", bad, "bad.csv")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    for fragment in ("电表编号", "P9", "时间", "昨天", "电量（千瓦时）", "-3"):
        assert fragment in page
    assert readings_store.count("electricity") == 0
    from registry.readings import operations as ops

    report = ops.load_file(owner, "electricity", bad, "bad.csv").as_dict()
    problems = {(p["row"], p["column"]) for p in report["problems"]}
    assert {(4, "电表编号"), (5, "时间"), (6, "时间"), (6, "电量（千瓦时）"), (7, "时间"), (7, "电量（千瓦时）")} <= problems
    assert report["written"] is False and report["refused"] == 6


def test_enterprise_cannot_load_another_enterprises_meter(db_app, metered, make_enterprise):
    from registry.readings import operations as ops

    ent, _owner, *_ = metered
    _other, stranger = make_enterprise()
    report = ops.load_file(stranger, "electricity", _csv(ent.uscc), "x.csv")
    assert not report.ok and report.problems[0].column == "电表编号"
    assert "may not" in report.problems[0].reason or "不能" in report.problems[0].reason or report.problems[0].reason


def test_officials_load_within_their_region_only(db_app, metered, make_user, readings_store):
    from registry.readings import operations as ops

    ent, *_ = metered
    county = make_user("county", "131002")
    other_city = make_user("city", "130100")
    assert ops.load_file(other_city, "electricity", _csv(ent.uscc, n=4), "x.csv").ok is False
    assert readings_store.count("electricity") == 0
    assert ops.load_file(county, "electricity", _csv(ent.uscc, n=4), "x.csv").accepted == 4


@pytest.mark.parametrize("filename, data, status", [
    ("day.exe", b"x,y\n1,2\n", 422),
    ("day.csv", b"PK\x03\x04rest-of-a-zip", 422),
    ("day.csv", b"\x00\x01binary", 422),
    ("day.xlsx", b"not a zip", 422),
    ("day.csv", b"", 422),
])
def test_uploads_are_type_checked(client, metered, filename, data, status):
    _ent, owner, *_ = metered
    login(client, owner.username)
    assert _upload(client, "electricity" if not filename.endswith("xlsx") else "gate", data, filename).status_code == status


def test_uploads_are_size_checked(client, metered, db_app):
    """Enterprise accounts have the smaller self-service limit (READINGS_SELF_SERVICE_MAX_BYTES)."""
    ent, owner, *_ = metered
    login(client, owner.username)
    db_app.config["READINGS_SELF_SERVICE_MAX_BYTES"] = 1024
    try:
        r = _upload(client, "electricity", _csv(ent.uscc), "big.csv")
    finally:
        db_app.config.pop("READINGS_SELF_SERVICE_MAX_BYTES")
    assert r.status_code == 413


def test_hj212_file_and_malformed_message(db_app, metered, readings_store):
    """CEMS as HJ 212-2017 hourly messages; one bad CRC refuses the whole file (nothing stored), naming the line."""
    from registry.readings import operations as ops

    ent, owner, _p, _c, stack = metered
    good = _hj212(stack.mn, 24)
    report = ops.load_file(owner, "cems", good, "cems.hj212")
    assert report.ok and report.accepted == 24
    assert readings_store.scan("cems", columns=["stack_id", "status"]).fetchall()[0] == (stack.id, "N")
    lines = _hj212(stack.mn, 3, start=DAY + timedelta(days=1)).decode().splitlines()
    lines[1] = lines[1][:-4] + "0000"
    report = ops.load_file(owner, "cems", "\n".join(lines).encode(), "cems.txt")
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [(2, "CRC")]
    unknown = _hj212("NOSUCHMN01", 1, start=DAY + timedelta(days=2))
    report = ops.load_file(owner, "cems", unknown, "cems.hj212")
    assert not report.ok and report.problems[0].column == "MN"
    assert readings_store.count("cems") == 24


def _xlsx(rows: list[list]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("门禁台账")
    fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, fmt)
            else:
                ws.write(r, c, value)
    wb.close()
    return buf.getvalue()


def test_gate_excel(db_app, metered, readings_store):
    """Gate ledgers in Excel (HJ 1321-2023 style fields); unknown standard, fuel and direction named by column."""
    from registry.readings import operations as ops

    ent, owner, *_ = metered
    header = ["统一社会信用代码", "时间", "车牌号", "排放标准", "燃料类型", "货物", "进出方向"]
    good = [[ent.uscc, DAY + timedelta(hours=8), "冀R12345", "国五", "柴油", "钢材", "进"],
            [ent.uscc, DAY + timedelta(hours=9), "冀R12345", "国五", "柴油", "钢材", "出"]]
    bad = [ent.uscc, DAY + timedelta(hours=9), "冀R00001", "国九", "煤", "", "上"]
    report = ops.load_file(owner, "gate", _xlsx([header, *good, bad]), "gate.xlsx")
    assert not report.ok
    assert {(p.row, p.column) for p in report.problems} == {(4, "排放标准"), (4, "燃料类型"), (4, "进出方向")}
    report = ops.load_file(owner, "gate", _xlsx([header, *good]), "gate.xlsx")
    assert report.ok and report.accepted == 2
    assert sorted(readings_store.scan("gate", columns=["emission_standard", "direction"]).fetchall()) == [
        ("国5", "in"), ("国5", "out")]


def test_api_batch_and_report_shape(client, metered, token_for, readings_store):
    ent, owner, *_ = metered
    headers = token_for(owner)
    rows = [{"meter": "P1", "ts": f"2026-11-30 0{h}:00", "kwh": 5} for h in range(4)]
    r = client.post("/api/v1/readings/electricity/batch", json={"rows": rows}, headers=headers)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["accepted"] == 4 and r.get_json()["batch_id"]
    r = client.post("/api/v1/readings/electricity/batch", json={"rows": rows + [{"meter": "P1", "ts": "x", "kwh": 1}]},
                    headers=headers)
    assert r.status_code == 422
    body = r.get_json()
    assert body["code"] == "invalid_rows" and body["report"]["problems"][0]["row"] == 5
    assert readings_store.count("electricity") == 4
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/readings/{kind}/batch" in spec["paths"] and "/api/v1/readings/{kind}/stream" in spec["paths"]


def test_stream_csv_in_blocks(client, metered, token_for, readings_store, db_app):
    """Streaming endpoint: a chunked body checked and stored block by block; a bad block alone is refused."""
    ent, owner, *_ = metered
    db_app.config["READINGS_STREAM_BLOCK_LINES"] = 40
    try:
        body = _csv(ent.uscc, n=96).decode().splitlines()
        body[60] = body[60].replace("10.0", "abc")  # line 61 of the stream, in the second block (lines 42–81)
        data = ("\n".join(body) + "\n").encode()
        r = client.post("/api/v1/readings/electricity/stream", input_stream=io.BytesIO(data),
                        headers={**token_for(owner), "Content-Type": "text/csv", "Transfer-Encoding": "chunked"},
                        environ_overrides={"wsgi.input_terminated": True})  # as a WSGI server passes a chunked body
    finally:
        db_app.config.pop("READINGS_STREAM_BLOCK_LINES")
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert (out["blocks"], out["lines"], out["accepted"], out["refused"]) == (3, 96, 56, 40)
    assert [p["row"] for p in out["problems"]] == [61]
    assert readings_store.count("electricity") == 56


def test_stream_ndjson_and_hj212(client, metered, token_for, readings_store):
    ent, owner, _p, _c, stack = metered
    headers = token_for(owner)
    lines = "\n".join(json.dumps({"meter": "C1", "ts": f"2026-11-30 {h:02d}:00", "kwh": 3}) for h in range(24))
    r = client.post("/api/v1/readings/electricity/stream", data=lines.encode(),
                    headers={**headers, "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.get_json()["accepted"] == 24
    r = client.post("/api/v1/readings/cems/stream", data=_hj212(stack.mn, 5),
                    headers={**headers, "Content-Type": "text/plain"})
    assert r.status_code == 200 and r.get_json()["accepted"] == 5


def test_cli_import(db_app, metered, tmp_path, readings_store):
    from registry.extensions import db

    ent, *_ = metered
    path = tmp_path / "day.csv"
    path.write_bytes(_csv(ent.uscc, n=8))
    runner = db_app.test_cli_runner()
    result = runner.invoke(args=["readings", "import", str(path), "--kind", "electricity"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["accepted"] == 8
    db.session.expire_all()
    path.write_bytes(_csv(ent.uscc, meter="ZZ", n=2))
    result = runner.invoke(args=["readings", "import", str(path), "--kind", "electricity"])
    assert result.exit_code == 1
    assert readings_store.count("electricity") == 8


def test_meter_registration_page_and_refusals(client, metered, db_app):
    from registry.readings.models import Meter

    ent, owner, *_ = metered
    login(client, owner.username)
    page = client.get(f"/readings/enterprises/{ent.id}").get_data(as_text=True)
    assert "P1" in page and "脱硫设施" in page
    from tests.builders.http import csrf_from

    token = csrf_from(page)
    r = client.post(f"/readings/enterprises/{ent.id}/meters", data={"csrf_token": token, "meter-code": "P1",
                                                                   "meter-role": "production", "meter-interval_minutes": "15"})
    assert r.status_code == 422  # the code exists
    r = client.post(f"/readings/enterprises/{ent.id}/meters", data={"csrf_token": token, "meter-code": "P2",
                                                                   "meter-role": "control", "meter-interval_minutes": "60"})
    assert r.status_code == 302
    from registry.extensions import db

    assert db.session.query(Meter).filter_by(enterprise_id=ent.id, code="P2").one().role == "control"


def test_a_line_id_no_row_can_have_is_refused_by_field(client, metered, token_for):
    """A stack's line beyond PostgreSQL's integer (found by schemathesis: a 500 there) is refused like any line that is
    not the enterprise's — 422 naming line_id — on either database (core.validation.stored_id)."""
    ent, owner, *_ = metered
    r = client.post(f"/api/v1/readings/enterprises/{ent.id}/stacks", headers=token_for(owner),
                    json={"mn": "LFMN0000000099", "name": "2号排放口", "line_id": -8611887500299755635})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["line_id"]
