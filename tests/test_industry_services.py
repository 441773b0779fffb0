"""The chain web app's services: rows → records, the stamp-keyed cache, params, pipeline, lists, import."""
from __future__ import annotations

import pytest
from sqlalchemy import select

import chains
from crm.core.errors import DomainError
from crm.industry import cache, importing
from crm.industry import params as chain_params
from crm.industry.pipeline import add_to_pipeline
from crm.industry.records import chain_inputs
from crm.industry.services import save_membership, save_target_list
from crm.leads.services import create_lead
from crm.models import Chain, Lead, LeadConflict, Segment, Signing
from tests.industry_helpers import build_chain


@pytest.fixture
def toy(db, make_user):
    admin = make_user(("admin",))
    data = build_chain(db.session, admin)
    db.session.commit()
    cache.clear()
    return {**data, "admin": admin}


def test_rows_become_records(db, toy):
    inputs = chain_inputs(db.session, toy["chain"])
    assert [s.name for s in inputs.segments] == ["测试链原料", "测试链部件", "测试链整机"]
    assert {(lk.source, lk.target) for lk in inputs.links} == {
        (str(toy["segments"]["a"].id), str(toy["segments"]["b"].id)),
        (str(toy["segments"]["b"].id), str(toy["segments"]["c"].id))}
    by_id = {c.id: c for c in inputs.companies}
    firms = toy["firms"]
    assert by_id[str(firms["l1"].id)].local and not by_id[str(firms["e1"].id)].local
    assert by_id[str(firms["e1"].id)].cluster == "京津冀" and by_id[str(firms["e2"].id)].cluster == "长三角"
    assert by_id[str(firms["e3"].id)].cluster is None
    assert [m.leader for m in inputs.memberships if m.company_id == str(firms["l1"].id)] == [True]
    assert inputs.supply_links[0].confidence == pytest.approx(0.8)
    model = cache.model_for(db.session, toy["chain"])
    report = model.segment(str(toy["segments"]["b"].id))
    assert (report.status, report.action) == (chains.MISSING, chains.FILL)
    by_company = {t.company_id: t for t in model.targets()}
    assert str(firms["l1"].id) not in by_company  # local firms are never targets
    # The known supply link to the local chain leader makes the link part of e1 beat e2's predicted one.
    assert by_company[str(firms["e1"].id)].parts["link"] > by_company[str(firms["e2"].id)].parts["link"]
    assert by_company[str(firms["e3"].id)].parts["source"] < by_company[str(firms["e2"].id)].parts["source"]
    top = model.targets()[0]
    assert top.score == pytest.approx(sum(top.weights[k] * top.parts[k] for k in top.parts))


def test_cache_is_rebuilt_when_the_stamp_moves(db, toy):
    first = cache.model_for(db.session, toy["chain"])
    assert cache.model_for(db.session, toy["chain"]) is first
    stamp = toy["chain"].stamp
    local = toy["firms"]["l1"]
    save_membership(db.session, toy["admin"], local, toy["segments"]["b"].id, "0.5", False)
    db.session.commit()
    assert db.session.scalar(select(Chain.stamp).where(Chain.id == toy["chain"].id)) == stamp + 1
    second = cache.model_for(db.session, toy["chain"])
    assert second is not first
    assert second.segment(str(toy["segments"]["b"].id)).local_count == 1


def test_another_workers_edit_is_seen_through_the_stamp(db, toy):
    first = cache.model_for(db.session, toy["chain"])
    # Another process bumps the stamp (no call into this process's cache).
    db.session.execute(Chain.__table__.update().where(Chain.id == toy["chain"].id).values(stamp=Chain.stamp + 5))
    db.session.commit()
    assert cache.model_for(db.session, toy["chain"]) is not first


def test_params_setting_validates_and_feeds_the_model(db, toy):
    from crm.settings import set_value
    with pytest.raises(DomainError) as err:
        set_value(db.session, toy["admin"], "chain_params", {**chain_params.DEFAULTS, "w_fit": "0.9"})
    assert "1" in str(err.value.message)
    db.session.rollback()
    with pytest.raises(DomainError):
        set_value(db.session, toy["admin"], "chain_params", {**chain_params.DEFAULTS, "k": "zero"})
    db.session.rollback()
    set_value(db.session, toy["admin"], "chain_params", {**chain_params.DEFAULTS, "k": "2", "lam": "0.7"})
    db.session.commit()
    params = chain_params.load(db.session)
    assert (params.k, params.lam) == (2, 0.7)
    assert params.target_clusters == ("京津冀", "长三角", "关中平原城市群")
    assert cache.model_for(db.session, toy["chain"]).params.k == 2


def test_add_to_pipeline_creates_skips_and_flags_conflicts(db, toy, make_user, make_unit):
    firms, admin = toy["firms"], toy["admin"]
    unit = make_unit("管道测试县")
    owner = make_user(("officer",), unit=unit)
    rival = make_user(("officer",), unit=make_unit("竞争县"))
    model = cache.model_for(db.session, toy["chain"])
    target_e2 = next(t for t in model.targets() if t.company_id == str(firms["e2"].id))
    from crm.industry.pipeline import lead_title
    create_lead(db.session, rival, {"company_id": firms["e2"].id, "title": lead_title(toy["chain"], model, target_e2)})
    create_lead(db.session, owner, {"company_id": firms["e3"].id, "title": "别的意向"})
    db.session.add(Signing(company_id=firms["e4"].id, unit_id=unit.id, kind="contract",
                           signed_on=__import__("datetime").date(2026, 1, 5)))
    db.session.commit()
    model = cache.model_for(db.session, toy["chain"])
    ids = [firms[k].id for k in ("e1", "e2", "e3", "e4", "l1")]
    result = add_to_pipeline(db.session, admin, toy["chain"], model, ids, owner.id, unit.id)
    db.session.commit()
    created = {lead.company_id for lead in result.created}
    assert created == {firms["e1"].id, firms["e2"].id}
    lead = result.created[0]
    assert (lead.owner_id, lead.unit_id, lead.segment_id) == (owner.id, unit.id, toy["segments"]["b"].id)
    skipped = dict(result.skipped)
    assert set(skipped) == {firms["e3"].name, firms["e4"].name, firms["l1"].name}
    assert "管道测试县" in skipped[firms["e3"].name]
    assert [name for name, _id in result.conflicts] == [firms["e2"].name]
    assert db.session.scalar(select(LeadConflict.id).where(LeadConflict.lead_b_id == result.conflicts[0][1]))


def test_add_to_pipeline_refuses_foreign_units_and_wrong_owners(db, toy, make_user, make_unit):
    officer = make_user(("officer",))
    other = make_unit("别处县")
    model = cache.model_for(db.session, toy["chain"])
    with pytest.raises(DomainError):
        add_to_pipeline(db.session, officer, toy["chain"], model, [toy["firms"]["e1"].id], officer.id, other.id)
    stranger = make_user(("officer",), unit=other)
    with pytest.raises(DomainError):
        add_to_pipeline(db.session, officer, toy["chain"], model, [toy["firms"]["e1"].id], stranger.id,
                        officer.unit_id)
    assert db.session.scalar(select(Lead.id).where(Lead.company_id == toy["firms"]["e1"].id)) is None


def test_target_list_is_saved_in_rank_order(db, toy):
    model = cache.model_for(db.session, toy["chain"])
    chosen = model.targets()[:2]
    tl = save_target_list(db.session, toy["admin"], toy["chain"], "首批", chosen)
    db.session.commit()
    from crm.models import TargetListItem
    items = db.session.scalars(select(TargetListItem).where(TargetListItem.list_id == tl.id)
                               .order_by(TargetListItem.rank)).all()
    assert [str(i.company_id) for i in items] == [t.company_id for t in chosen]
    with pytest.raises(DomainError):
        save_target_list(db.session, toy["admin"], toy["chain"], "首批", chosen)


def test_import_is_all_or_nothing_with_file_row_and_field(db, toy):
    bad = "id,name,position\na,铁矿,上游\nb,冶炼,sideways\n".encode()
    with pytest.raises(chains.ChainParseError) as err:
        importing.parse_upload("segs.csv", bad)
    issue = err.value.errors[0]
    assert (issue.file, issue.row, issue.field) == ("segs.csv", 3, "position")
    data = importing.parse_upload("segs.csv", "id,name,position\na,铁矿,上游\nb,冶炼,中游\n".encode(),
                                  "links.csv", b"source,target\na,b\n")
    outcome = importing.import_chain(db.session, toy["admin"], data, name="导入链")
    db.session.commit()
    names = db.session.scalars(select(Segment.name).where(Segment.chain_id == outcome.chain.id)
                               .order_by(Segment.id)).all()
    assert names == ["铁矿", "冶炼"] and outcome.links == 1
    with pytest.raises(DomainError):
        importing.import_chain(db.session, toy["admin"], data, name="导入链")
    yaml_text = "name: 雅链\nsegments:\n  - {id: a, name: 甲, position: upstream}\n" \
                "  - {id: b, name: 乙, position: downstream}\n" \
                "links:\n  - {source: a, target: zz}\n"
    with pytest.raises(chains.ChainParseError) as err:
        importing.parse_upload("c.yaml", yaml_text.encode())
    assert err.value.errors[0].file == "c.yaml" and "links" in err.value.errors[0].field


def test_import_reads_gbk_csv_and_names_undecodable_files(db, toy):
    """A segments/links pair saved by Excel in GBK imports like UTF-8; bytes that are no text are refused."""
    data = importing.parse_upload("环节.csv", "id,name,position\na,焦煤,上游\nb,焦炭,中游\n".encode("gbk"),
                                  "链接.csv", "source,target\na,b\n".encode("gbk"))
    assert [s.name for s in data.segments] == ["焦煤", "焦炭"] and len(data.links) == 1
    with pytest.raises(chains.ChainParseError) as err:
        importing.parse_upload("坏.csv", b"id,name\n\x81\x20\x81\x20")  # neither UTF-8 nor GB18030
    assert err.value.errors[0].file == "坏.csv" and "GB18030" in err.value.errors[0].message


def test_demo_chains_show_real_gaps(db):
    from crm.demo.chains import load_chains
    load_chains(db.session)
    load_chains(db.session)  # idempotent
    db.session.commit()
    cache.clear()
    names = set(db.session.scalars(select(Chain.name)))
    assert {"特钢", "装备制造", "新能源", "碳基新材料"} <= names
    from crm.demo.chains import SIGNALS
    from crm.models import CompanySignal
    assert len(db.session.scalars(select(CompanySignal.id)).all()) == len(SIGNALS)  # once, though loaded twice
    steel = db.session.scalar(select(Chain).where(Chain.name == "特钢"))
    model = cache.model_for(db.session, steel)
    statuses = {r.status for r in model.segments()}
    assert chains.MISSING in statuses and any(r.action for r in model.segments())
    assert {t.cluster for t in model.targets()} >= {"京津冀", "长三角"}


def test_a_company_edit_reaches_the_cached_model(db, toy):
    from crm.companies.services import update_company
    first = cache.model_for(db.session, toy["chain"])
    firm = toy["firms"]["e1"]
    assert str(firm.id) in {t.company_id for t in first.targets()}
    update_company(db.session, toy["admin"], firm, {"county_code": "141002"}, firm.version_id)  # moves home
    db.session.commit()
    second = cache.model_for(db.session, toy["chain"])
    assert second is not first and str(firm.id) not in {t.company_id for t in second.targets()}
