"""要素保障 pages: the overview's figures and filters, the request list's filters and paging parameters, a request
from the project page (bad input re-rendered with what was typed, nothing saved), allocating and refusing
(403 for an officer, a refusal beyond the outstanding amount shown in Chinese with nothing written), the pool
form, out-of-scope 404s, and the export read back."""
from __future__ import annotations

import io
from decimal import Decimal as D

import openpyxl
from sqlalchemy import func, select

from crm.models import FactorAllocation, FactorPool, FactorRequest
from tests.conftest import csrf_token
from tests.test_factors_services import fworld, played  # noqa: F401 - the shared fixtures


def test_overview_shows_the_hand_computed_figures(client, fworld, played, login):  # noqa: F811
    login(fworld["users"]["c"])  # aggregates are for every role, even a county with no request
    html = client.get("/factors/?year=2026").get_data(as_text=True)
    for testid, value in (("pool-land", "120"), ("requested-land", "140"), ("allocated-land", "105"),
                          ("outstanding-land", "35"), ("remaining-land", "15"), ("pool-energy", "5,000"),
                          ("outstanding-energy", "0"), ("requested-emission_cod", "1.5"), ("pool-emission_cod", "—")):
        assert f'data-testid="{testid}">{value}<' in html, testid
    assert "text-danger fw-semibold\" data-testid=\"remaining-land\"" in html  # short of what is outstanding
    assert "要素保障" in html and "亩" in html and "吨标准煤" in html
    county_a = client.get(f"/factors/?year=2026&unit={fworld['units']['a'].id}").get_data(as_text=True)
    assert 'data-testid="requested-land">90<' in county_a and 'data-testid="remaining-land">15<' in county_a
    only_energy = client.get("/factors/?year=2026&kind=energy").get_data(as_text=True)
    assert 'overview-energy' in only_energy and 'overview-land' not in only_energy
    for bad in ("year=20x6", "year=1999", "kind=coal", "unit=abc", "unit=999999"):
        assert client.get(f"/factors/?{bad}").status_code == 400, bad


def test_request_list_filters_and_scope(client, fworld, played, login):  # noqa: F811
    reqs = played["reqs"]
    login(fworld["users"]["leader"])
    html = client.get("/factors/requests?year=2026").get_data(as_text=True)
    assert all(f'data-testid="request-{r.id}"' in html for r in reqs.values())
    partial = client.get("/factors/requests?year=2026&status=partial&kind=land").get_data(as_text=True)
    shown = {k for k, r in reqs.items() if f'data-testid="request-{r.id}"' in partial}
    assert shown == {"a1_land", "b_land"}
    county_a = client.get(f"/factors/requests?year=2026&unit={fworld['units']['a'].id}").get_data(as_text=True)
    assert {k for k, r in reqs.items() if f'data-testid="request-{r.id}"' in county_a} == {
        "a1_land", "zone_land", "a1_cod"}
    assert f'data-testid="request-{reqs["a1_land"].id}"' not in client.get("/factors/requests?year=2025").get_data(
        as_text=True)
    assert client.get("/factors/requests?status=maybe").status_code == 400
    assert client.get("/factors/requests?page=0").status_code == 400

    login(fworld["users"]["b"])  # county B sees only its own project's requests
    html = client.get("/factors/requests?year=2026").get_data(as_text=True)
    assert {k for k, r in reqs.items() if f'data-testid="request-{r.id}"' in html} == {"b_land", "b_energy"}
    assert client.get(f"/factors/requests/{reqs['a1_land'].id}").status_code == 404
    assert client.get(f"/factors/requests/{reqs['b_land'].id}").status_code == 200


def test_request_from_the_project_page_keeps_bad_input(client, db, fworld, login):  # noqa: F811
    project = fworld["projects"]["a1"]
    login(fworld["users"]["a"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="project-factors"' in page and 'data-testid="factor-request-form"' in page
    token = csrf_token(page)
    data = {"csrf_token": token, "kind": "land", "year": "2026", "amount": "八十", "purpose": "二期厂房用地说明"}
    response = client.post(f"/factors/project/{project.id}/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "数量请填写数字" in html
    assert "二期厂房用地说明" in html and 'value="八十"' in html  # nothing typed is lost
    assert db.session.scalar(select(func.count(FactorRequest.id))) == 0
    data["amount"] = "80"
    response = client.post(f"/factors/project/{project.id}/new", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/projects/{project.id}#factors")
    req = db.session.scalar(select(FactorRequest))
    assert (req.kind, req.amount, req.status, req.purpose) == ("land", D("80"), "requested", "二期厂房用地说明")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f'data-testid="project-factor-outstanding-{req.id}">80<' in page and "申请中" in page
    # An officer may not allocate (403); another county's officer cannot even see the project (404).
    assert client.post(f"/factors/requests/{req.id}/allocate", data={"csrf_token": token, "amount": "1"}) \
        .status_code == 403
    assert client.get("/factors/pools").status_code == 403
    login(fworld["users"]["c"])
    assert client.get(f"/factors/project/{project.id}/new").status_code == 404
    data["csrf_token"] = csrf_token(client.get("/factors/").get_data(as_text=True))
    assert client.post(f"/factors/project/{project.id}/new", data=data).status_code == 404
    assert client.get(f"/factors/requests/{req.id}").status_code == 404


def test_allocate_refuse_and_pools_through_the_forms(client, db, fworld, login):  # noqa: F811
    login(fworld["users"]["leader"])
    pools = client.get("/factors/pools?year=2026").get_data(as_text=True)
    token = csrf_token(pools)
    refused = client.post("/factors/pools?year=2026", data={"csrf_token": token, "year": "2026", "kind": "land",
                                                            "amount": "-5", "note": "市自然资源局"})
    assert refused.status_code == 422 and "总量必须大于零" in refused.get_data(as_text=True)
    assert 'value="市自然资源局"' in refused.get_data(as_text=True)
    assert client.post("/factors/pools", data={"csrf_token": token, "year": "2026", "kind": "land",
                                               "amount": "100"}).status_code == 302
    assert 'data-testid="pool-row-land"' in client.get("/factors/pools?year=2026").get_data(as_text=True)

    from crm.factors import services
    req = services.create_request(db.session, fworld["users"]["a"], fworld["projects"]["a1"],
                                  {"year": "2026", "kind": "land", "amount": "60"})
    db.session.commit()
    page = client.get(f"/factors/requests/{req.id}").get_data(as_text=True)
    assert 'data-testid="allocate-form"' in page and 'name="amount" inputmode="decimal" value="60"' in page
    data = {"csrf_token": token, "version_id": str(req.version_id), "amount": "70", "doc_no": "临自然资〔2026〕8号",
            "allocated_on": "2026-05-06"}
    over = client.post(f"/factors/requests/{req.id}/allocate", data=data)
    html = over.get_data(as_text=True)
    assert over.status_code == 422 and "超过该申请尚待保障的 60 亩" in html and 'value="临自然资〔2026〕8号"' in html
    assert db.session.scalar(select(func.count(FactorAllocation.id))) == 0
    data["amount"] = "45"
    assert client.post(f"/factors/requests/{req.id}/allocate", data=data).status_code == 302
    db.session.refresh(req)
    page = client.get(f"/factors/requests/{req.id}").get_data(as_text=True)
    assert req.status == "partial" and 'data-testid="request-outstanding">15 亩' in page and "临自然资〔2026〕8号" in page
    assert 'data-testid="pool-remaining">55 / 100' in page
    stale = client.post(f"/factors/requests/{req.id}/allocate", data=data)  # the version sent is now old
    assert stale.status_code == 422 and "已有他人修改" in stale.get_data(as_text=True)
    no_reason = client.post(f"/factors/requests/{req.id}/refuse",
                            data={"csrf_token": token, "version_id": str(req.version_id), "reason": " "})
    assert no_reason.status_code == 422 and "不予保障须填写理由" in no_reason.get_data(as_text=True)
    assert client.post(f"/factors/requests/{req.id}/refuse", data={
        "csrf_token": token, "version_id": str(req.version_id), "reason": "超出年度计划"}).status_code == 302
    db.session.refresh(req)
    page = client.get(f"/factors/requests/{req.id}").get_data(as_text=True)
    assert req.status == "refused" and "超出年度计划" in page and 'data-testid="allocate-form"' not in page
    assert db.session.scalar(select(FactorPool.total)) == D("100")


def test_export_reads_back_under_the_filters(client, fworld, played, login):  # noqa: F811
    login(fworld["users"]["leader"])
    token = csrf_token(client.get("/factors/requests?year=2026").get_data(as_text=True))
    response = client.post("/exports/factors", data={"csrf_token": token, "format": "xlsx", "year": "2026",
                                                     "kind": "land"})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:5] == ["项目名称", "责任单位", "年度", "要素类别", "计量单位"] and len(rows) == 4
    by_project = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    row = by_project["甲县特钢项目"]
    assert (row["要素类别"], row["计量单位"], row["状态"]) == ("用地", "亩", "部分保障")
    assert (D(str(row["申请量"])), D(str(row["已保障"])), D(str(row["待保障"]))) == (D("60"), D("55"), D("5"))
    csv = client.post("/exports/factors", data={"csrf_token": token, "format": "csv", "year": "2026",
                                                "kind": "energy"}).get_data(as_text=True)
    assert "不予保障" in csv and "能耗双控压减" in csv and "甲县特钢项目" not in csv
    assert client.post("/exports/factors", data={"csrf_token": token, "format": "csv", "kind": "x"}).status_code == 400
