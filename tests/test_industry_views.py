"""Chain pages: map JSON, segment panel, target filters, export read back, pipeline, permissions, 链长/链办."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from crm.industry import cache
from crm.leads.services import create_lead
from crm.models import Lead
from tests.conftest import csrf_token
from tests.industry_helpers import build_chain


@pytest.fixture
def toy(db, make_user):
    admin = make_user(("admin",))
    data = build_chain(db.session, admin)
    db.session.commit()
    cache.clear()
    return {**data, "admin": admin}


def test_map_json_and_page(client, login, toy):
    login(toy["admin"])
    chain = toy["chain"]
    data = client.get(f"/chains/{chain.id}/map.json").get_json()
    nodes = {n["id"]: n for n in data["nodes"]}
    a, b, c = (str(toy["segments"][k].id) for k in "abc")
    assert nodes[b]["status"] == "缺失" and nodes[b]["action"] == "补链"
    assert nodes[a]["leader"] and nodes[a]["symbol"] == "diamond" and not nodes[b]["leader"]
    assert nodes[a]["x"] < nodes[b]["x"] < nodes[c]["x"]  # upstream → downstream
    assert {(e["source"], e["target"]) for e in data["edges"]} == {(a, b), (b, c)}
    assert nodes[b]["url"].endswith(f"/segments/{b}")
    assert data["labels"]["leader"] == "链主"  # the tooltip's words, translated by the server
    html = client.get(f"/chains/{chain.id}").get_data(as_text=True)
    assert 'id="chain-map-data"' in html and "vendor/echarts.min.js" in html


def test_segment_panel_shows_local_firms_why_and_targets(client, login, toy):
    login(toy["admin"])
    chain, segs, firms = toy["chain"], toy["segments"], toy["firms"]
    data = client.get(f"/chains/{chain.id}/segments/{segs['b'].id}?format=json").get_json()
    assert data["segment"]["why"].startswith("补链")
    assert data["local"] == []
    assert {t["company_id"] for t in data["targets"]} == {str(firms[k].id) for k in ("e1", "e2", "e3")}
    assert all(set(t["parts"]) >= {"fit", "link", "scale", "source", "momentum"} for t in data["targets"])
    panel = client.get(f"/chains/{chain.id}/segments/{segs['a'].id}").get_data(as_text=True)
    assert firms["l1"].name in panel and "segment-why" in panel
    assert client.get(f"/chains/{chain.id}/segments/999999").status_code == 404


def test_target_filters(client, login, toy):
    login(toy["admin"])
    chain, firms = toy["chain"], toy["firms"]
    html = client.get(f"/chains/{chain.id}/targets?cluster=京津冀").get_data(as_text=True)
    assert firms["e1"].name in html and firms["e4"].name in html and firms["e2"].name not in html
    html = client.get(f"/chains/{chain.id}/targets?segment={toy['segments']['a'].id}").get_data(as_text=True)
    assert firms["e4"].name in html and firms["e1"].name not in html
    html = client.get(f"/chains/{chain.id}/targets?action=补链").get_data(as_text=True)
    assert firms["e1"].name in html and firms["e4"].name not in html
    # Unknown filter values are ignored, never a 500.
    assert client.get(f"/chains/{chain.id}/targets?segment=x&action=y&cluster=z").status_code == 200


def _export(client, chain_id, fmt, **filters):
    token = csrf_token(client.get(f"/chains/{chain_id}/targets").get_data(as_text=True))
    return client.post("/exports/chain_targets", data={"csrf_token": token, "format": fmt, "chain": chain_id,
                                                       **filters})


def test_export_xlsx_and_csv_read_back(client, login, toy):
    login(toy["admin"])
    chain, firms = toy["chain"], toy["firms"]
    response = _export(client, chain.id, "xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "企业名称", "所属区域") and "契合度" in rows[0] and "推荐理由" in rows[0]
    assert [r[0] for r in rows[1:]] == list(range(1, len(rows)))
    assert {r[1] for r in rows[1:]} == {firms[k].name for k in ("e1", "e2", "e3", "e4")}
    score, parts = rows[0].index("总分"), rows[0].index("契合度")
    assert all(0 <= r[parts] <= 1 for r in rows[1:]) and rows[1][score] >= rows[-1][score]
    response = _export(client, chain.id, "csv", cluster="长三角")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[1] for r in lines[1:]] == [firms["e2"].name]
    assert _export(client, 999999, "csv").status_code == 400


def test_add_to_pipeline_from_the_page(client, login, toy, db):
    login(toy["admin"])
    chain, firms, admin = toy["chain"], toy["firms"], toy["admin"]
    create_lead(db.session, admin, {"company_id": firms["e3"].id, "title": "已有意向"})
    db.session.commit()
    html = client.get(f"/chains/{chain.id}/targets").get_data(as_text=True)
    response = client.post(f"/chains/{chain.id}/pipeline", data={
        "csrf_token": csrf_token(html), "company_ids": [firms["e1"].id, firms["e3"].id],
        "owner_id": admin.id, "unit_id": admin.unit_id}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert db.session.scalar(select(Lead.owner_id).where(Lead.company_id == firms["e1"].id)) == admin.id
    assert firms["e3"].name in page  # reported as skipped
    assert db.session.scalars(select(Lead.id).where(Lead.company_id == firms["e3"].id)).all().__len__() == 1


def test_save_list_and_open_it(client, login, toy):
    login(toy["admin"])
    chain, firms = toy["chain"], toy["firms"]
    html = client.get(f"/chains/{chain.id}/targets").get_data(as_text=True)
    response = client.post(f"/chains/{chain.id}/lists", data={
        "csrf_token": csrf_token(html), "company_ids": [firms["e2"].id], "name": "长三角首批"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "长三角首批" in page and firms["e2"].name in page and firms["e1"].name not in page


def test_permissions(client, login, toy, make_user):
    officer = make_user(("officer",))
    login(officer)
    chain = toy["chain"]
    assert client.get(f"/chains/{chain.id}").status_code == 200
    assert client.get(f"/chains/{chain.id}/edit").status_code == 403
    assert client.get("/chains/import").status_code == 403
    assert client.get("/chains/params").status_code == 403
    leader = make_user(("county_leader",))
    login(leader)
    html = client.get(f"/chains/{chain.id}/targets").get_data(as_text=True)
    assert client.post(f"/chains/{chain.id}/pipeline", data={"csrf_token": csrf_token(html)}).status_code == 403


def test_chain_chief_and_office_see_the_chains_leads_across_counties(client, login, toy, db, make_user, make_unit):
    admin, chain = toy["admin"], toy["chain"]
    county = make_unit("远方县")
    officer = make_user(("officer",), unit=county)
    lead = create_lead(db.session, officer, {"company_id": toy["firms"]["e1"].id, "title": "跨县线索",
                                             "segment_id": toy["segments"]["b"].id})
    db.session.commit()
    chief, office = make_user(("officer",)), make_unit("链办")
    office_member = make_user(("officer",), unit=office)
    outsider = make_user(("officer",))
    for user in (chief, office_member, outsider):
        login(user)
        assert client.get(f"/leads/{lead.id}").status_code == 404
    login(admin)
    html = client.get(f"/chains/{chain.id}/edit").get_data(as_text=True)
    client.post(f"/chains/{chain.id}/edit", data={"csrf_token": csrf_token(html), "action": "officers",
                                                  "chief_id": chief.id, "office_unit_id": office.id})
    for user, code in ((chief, 200), (office_member, 200), (outsider, 404)):
        login(user)
        assert client.get(f"/leads/{lead.id}").status_code == code


def test_admin_edits_bump_the_stamp_and_show_on_the_map(client, login, toy, db):
    login(toy["admin"])
    chain = toy["chain"]
    stamp = chain.stamp
    html = client.get(f"/chains/{chain.id}/edit").get_data(as_text=True)
    client.post(f"/chains/{chain.id}/edit", data={"csrf_token": csrf_token(html), "action": "segment",
                                                  "name": "新环节", "position": "downstream", "tier": "2",
                                                  "policy_weight": "0.3"})
    db.session.refresh(chain)
    assert chain.stamp > stamp
    assert "新环节" in {n["name"] for n in client.get(f"/chains/{chain.id}/map.json").get_json()["nodes"]}
    html = client.get(f"/chains/{chain.id}/edit").get_data(as_text=True)
    response = client.post(f"/chains/{chain.id}/edit", data={"csrf_token": csrf_token(html), "action": "segment",
                                                             "name": "", "position": "downstream"},
                           follow_redirects=True)
    assert "环节" in response.get_data(as_text=True) or "segment" in response.get_data(as_text=True)


def test_company_page_segment_links(client, login, toy, db):
    login(toy["admin"])
    company = toy["firms"]["e3"]
    panel = client.get(f"/chains/companies/{company.id}/segments").get_data(as_text=True)
    assert toy["segments"]["b"].name in panel
    client.post(f"/chains/companies/{company.id}/segments", data={
        "csrf_token": csrf_token(panel), "segment_id": toy["segments"]["c"].id, "share": "0.4", "is_leader": "1"})
    panel = client.get(f"/chains/companies/{company.id}/segments").get_data(as_text=True)
    assert toy["segments"]["c"].name in panel and "0.4" in panel


def test_import_page_lists_errors_and_saves_nothing(client, login, toy, db):
    login(toy["admin"])
    html = client.get("/chains/import").get_data(as_text=True)
    bad = (io.BytesIO("id,name,position\na,铁矿,上游\nb,冶炼,sideways\n".encode()), "segs.csv")
    page = client.post("/chains/import", data={"csrf_token": csrf_token(html), "file": bad, "name": "坏链"},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "segs.csv" in page and "position" in page
    assert client.get("/chains/").get_data(as_text=True).count("坏链") == 0
    good = (io.BytesIO("id,name,position\na,铁矿,上游\nb,冶炼,中游\n".encode()), "segs.csv")
    response = client.post("/chains/import", data={"csrf_token": csrf_token(html), "file": good, "name": "好链"},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and "好链" in client.get("/chains/").get_data(as_text=True)


def test_params_page_shows_errors_and_saves(client, login, toy, db):
    from crm.industry import params as chain_params
    login(toy["admin"])
    html = client.get("/chains/params").get_data(as_text=True)
    assert 'name="w_fit"' in html
    assert client.get("/settings/chain_params").headers["Location"].endswith("/chains/params")
    bad = {**{k: str(v) for k, v in chain_params.DEFAULTS.items()}, "w_fit": "0.9", "lam": "2",
           "csrf_token": csrf_token(html)}
    page = client.post("/chains/params", data=bad).get_data(as_text=True)
    assert 'data-testid="params-error"' in page
    assert "每跳衰减" in page and "目标各项权重之和须为 1" in page  # every bad field named, in Chinese
    assert chain_params.load(db.session).lam == 0.5
    good = {**{k: str(v) for k, v in chain_params.DEFAULTS.items()}, "k": "2", "csrf_token": csrf_token(html)}
    assert client.post("/chains/params", data=good).status_code == 302
    assert chain_params.load(db.session).k == 2


def test_links_and_segments_are_deleted_from_the_edit_page(client, login, toy, db):
    from crm.models import Segment, SegmentLink
    login(toy["admin"])
    chain, segs = toy["chain"], toy["segments"]
    link = db.session.scalar(select(SegmentLink).where(SegmentLink.from_segment_id == segs["a"].id))
    html = client.get(f"/chains/{chain.id}/edit").get_data(as_text=True)
    token = csrf_token(html)
    client.post(f"/chains/{chain.id}/edit", data={"csrf_token": token, "action": "delete_link", "link_id": link.id})
    edges = client.get(f"/chains/{chain.id}/map.json").get_json()["edges"]
    assert (str(segs["a"].id), str(segs["b"].id)) not in {(e["source"], e["target"]) for e in edges}
    create_lead(db.session, toy["admin"], {"company_id": toy["firms"]["e1"].id, "title": "占用环节",
                                           "segment_id": segs["b"].id})
    db.session.commit()
    page = client.post(f"/chains/{chain.id}/edit", data={"csrf_token": token, "action": "delete_segment",
                                                         "segment_id": segs["b"].id}, follow_redirects=True)
    assert db.session.get(Segment, segs["b"].id) is not None and "alert-danger" in page.get_data(as_text=True)
    client.post(f"/chains/{chain.id}/edit", data={"csrf_token": token, "action": "delete_segment",
                                                  "segment_id": segs["c"].id})
    names = {n["name"] for n in client.get(f"/chains/{chain.id}/map.json").get_json()["nodes"]}
    assert segs["c"].name not in names and segs["a"].name in names
