"""A toy chain in the database for the chain web-app tests: A → B → C, B empty locally (补链)."""
from __future__ import annotations

from crm.companies.services import create_company
from crm.industry import services
from crm.models import Chain, SupplyLink


def build_chain(session, actor, name: str = "测试链") -> dict:
    chain = Chain(name=name)
    session.add(chain)
    session.flush()
    segs = {}
    for key, seg_name, position in (("a", "原料", "upstream"), ("b", "部件", "midstream"), ("c", "整机", "downstream")):
        segs[key] = services.save_segment(session, actor, chain, {"name": f"{name}{seg_name}", "position": position,
                                                                  "tier": 1, "policy_weight": "0.5"})
    services.add_link(session, actor, chain, segs["a"].id, segs["b"].id)
    services.add_link(session, actor, chain, segs["b"].id, segs["c"].id)
    firms = {}
    for key, county, seg, leader in (("l1", "141002", "a", True), ("l2", "141002", "c", False),
                                     ("e1", "110105", "b", False), ("e2", "310115", "b", False),
                                     ("e3", "440106", "b", False), ("e4", "110105", "a", False)):
        firms[key] = create_company(session, actor, {"name": f"{name}{key}有限公司", "county_code": county,
                                                     "revenue": "1000"})
        services.save_membership(session, actor, firms[key], segs[seg].id, "1", leader)
    session.add(SupplyLink(supplier_id=firms["l1"].id, buyer_id=firms["e1"].id, confidence=4))
    session.flush()
    return {"chain": chain, "segments": segs, "firms": firms}
