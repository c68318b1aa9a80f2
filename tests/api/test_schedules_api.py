"""Schedule API: the official's flow end to end, the enterprise's application, the public view."""
from __future__ import annotations


def test_generate_publish_refile_and_diff_through_the_api(api_client, token_for, make_user, make_enterprise):
    city = make_user("city", "131000")
    ent, owner = make_enterprise(approved_by=make_user("county", "131002"))  # reviewed facts only (issue 14 point 10)
    h = token_for(city)
    made = api_client.post("/api/v1/schedules", json={"region_code": "131000", "pack_id": "langfang-2017-18", "season_year": 2017,
                                                      "title": "廊坊市2017-2018年采暖季错峰生产清单"}, headers=h)
    assert made.status_code == 201, made.get_json()
    sid, vid = made.get_json()["id"], made.get_json()["latest"]["id"]
    entries = api_client.get(f"/api/v1/schedule-versions/{vid}/entries", headers=h).get_json()
    assert entries["version"]["status"] == "draft" and entries["items"][0]["uscc"] == ent.uscc

    # the enterprise applies for its line; the official approves; the next generation applies it
    app = api_client.post(f"/api/v1/schedules/{sid}/applications", headers=token_for(owner), json={
        "line_ref": "L1", "kind": "exemption", "clause": "X-04", "evidence": "民生保障",
        "requested_start": "2018-01-01", "requested_end": "2018-02-01"})
    assert app.status_code == 201, app.get_json()
    body = app.get_json()
    decided = api_client.post(f"/api/v1/schedule-applications/{body['id']}/decision", headers=h,
                              json={"approve": True, "reason": "核实", "residual": "仍执行应急预案", "version": body["row_version"]})
    assert decided.status_code == 200 and decided.get_json()["status"] == "approved"
    assert api_client.post(f"/api/v1/schedules/{sid}/generate", headers=h).status_code == 200

    published = api_client.post(f"/api/v1/schedules/{sid}/publish", headers=h, json={"filed_on": "2017-11-01", "recipients": "市工信局"})
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert api_client.post(f"/api/v1/schedules/{sid}/publish", headers=h,
                           json={"filed_on": "2017-11-01", "recipients": "x"}).status_code == 409

    public = api_client.get(f"/api/v1/public/schedules/{vid}").get_json()
    assert public["items"] and "flags" not in public["items"][0] and "enterprise_id" not in public["items"][0]
    assert any(i["exemption"] for i in public["items"])

    v2 = api_client.post(f"/api/v1/schedules/{sid}/generate", headers=h).get_json()
    assert v2["number"] == 2 and v2["supersedes_id"] == vid
    diff = api_client.get(f"/api/v1/schedule-versions/{v2['id']}/diff", headers=h).get_json()
    assert diff == {"old": vid, "new": v2["id"], "changes": []}


def test_entries_carry_label_siblings_of_their_codes(api_client, token_for, make_user, make_enterprise):
    """Issue 16 item 1: the API keeps its codes and adds `*_label` siblings in the reader's language: measure, basis,
    sector, the version's status, each reason's source in words and each flag's title, explanation and choices."""
    city = make_user("city", "131000")
    make_enterprise(approved_by=make_user("county", "131002"))
    h = {**token_for(city), "Accept-Language": "zh-CN"}
    made = api_client.post("/api/v1/schedules", json={"region_code": "131000", "pack_id": "langfang-2017-18",
                                                      "season_year": 2017}, headers=h).get_json()
    entries = api_client.get(f"/api/v1/schedule-versions/{made['latest']['id']}/entries", headers=h).get_json()
    assert entries["version"]["status"] == "draft" and entries["version"]["status_label"]
    item = entries["items"][0]
    assert item["measure"] and item["measure_label"] and item["measure_label"] != item["measure"]
    assert item["sector_label"] and item["region_label"]
    reason = next(r for r in item["reasons"] if r["source"][:3].isdigit())
    assert reason["source_label"].startswith("《") and reason["rule"]  # the code stays, the words beside it
    flags = [f for i in entries["items"] for f in i.get("flags", [])]
    for f in flags:
        assert f["code"] and f["title_label"] and f["detail_label"]
        assert all(o["label"] and o["effect"] for o in f["options_labels"])
