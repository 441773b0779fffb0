"""Chain parsers: the atlas files, native YAML/JSON, the CSV pair; errors name file, row and field."""
from __future__ import annotations

import json

import pytest

from chains import ChainParseError
from chains.evaluation import ATLAS_DIR, load_atlas
from chains.parsers import read_csv_pair, read_json, read_path, read_yaml

NATIVE = """\
id: steel
name: 特钢
segments:
  - {id: ore, name: 铁矿, position: 上游, tier: 1, gbt_codes: ["0810"], policy_weight: 0.5}
  - {id: smelt, name: 冶炼, position: midstream, tier: 2, gbt_codes: "C31;3120"}
  - {id: weld, name: 焊接材料, position: downstream, tier: 3}
companies:
  - {id: "000708", name: 中信特钢, stock_code: 000708}
  - {id: "600019", name: 宝钢股份}
memberships:
  - {company: "000708", segment: smelt, leader: true}
  - {company: "600019", segment: weld, share: 0.4}
supply_links:
  - {supplier: "000708", buyer: "600019", confidence: 0.9}
"""


def test_every_atlas_file_parses_with_its_documented_counts():
    chains = {c.id: c for c in load_atlas()}
    assert sorted(chains) == ["electronic_chemicals", "nonferrous_metals", "pcb_materials", "semiconductor",
                              "silicon_materials"]
    assert sum(len(c.segments) for c in chains.values()) == 58
    assert sum(len(c.memberships) for c in chains.values()) == 249
    semi = chains["semiconductor"]
    assert (len(semi.segments), len(semi.memberships), len(semi.supply_links)) == (26, 149, 93 - 16)
    assert semi.notes == ("skipped 16 supply relationships without both codes",)
    # Unquoted zero-padded codes stay text with their zeros.
    assert "002129" in {c.stock_code for c in semi.companies}
    assert all(0 < lk.confidence <= 1 for lk in semi.supply_links)
    origins = {lk.origin for lk in semi.links}
    assert origins == {"firms", "position"}
    ids = {s.id for s in semi.segments}
    assert all(lk.source in ids and lk.target in ids and lk.source != lk.target for lk in semi.links)


def test_atlas_shares_split_a_firm_over_its_segments():
    chain = read_path(ATLAS_DIR / "pcb_materials.yaml")
    jushi = [m for m in chain.memberships if m.company_id == "600176"]
    assert sorted(m.segment_id for m in jushi) == ["pcb_glass_cloth", "pcb_glass_yarn"]
    assert all(m.share == 0.5 for m in jushi)
    assert ("pcb_glass_cloth", "pcb_ccl") in {(lk.source, lk.target) for lk in chain.links}


def test_native_yaml_and_json_read_the_same_chain():
    from_yaml = read_yaml(NATIVE.encode("utf-8"), file="steel.yaml")
    import yaml
    from_json = read_json(json.dumps(yaml.safe_load(NATIVE.replace("stock_code: 000708", "stock_code: '000708'"))),
                          file="steel.json")
    assert from_yaml == from_json
    assert [s.position for s in from_yaml.segments] == ["upstream", "midstream", "downstream"]
    assert from_yaml.segments[1].gbt_codes == ("C31", "3120")
    assert from_yaml.companies[0].stock_code == "000708"
    assert from_yaml.memberships[0].leader and from_yaml.memberships[1].share == 0.4
    # No links given: derived from the supply link (smelt -> weld) and the position order (ore -> smelt).
    expected = {("smelt", "weld", "firms"), ("ore", "smelt", "position")}
    assert {(lk.source, lk.target, lk.origin) for lk in from_yaml.links} == expected


def test_yaml_errors_are_all_collected_with_row_and_field():
    bad = NATIVE.replace("position: midstream", "position: sideways")
    bad = bad.replace("policy_weight: 0.5", "policy_weight: 5")
    bad = bad.replace('segment: weld, share: 0.4', 'segment: nowhere, share: 0.4')
    bad += "links:\n  - {source: ore, target: ore}\n  - {source: ore, target: mars}\n"
    with pytest.raises(ChainParseError) as err:
        read_yaml(bad, file="steel.yaml")
    got = {(e.file, e.row, e.field) for e in err.value.errors}
    assert got == {("steel.yaml", 2, "segments.position"), ("steel.yaml", 1, "segments.policy_weight"),
                   ("steel.yaml", 2, "memberships.segment"), ("steel.yaml", 1, "links.target"),
                   ("steel.yaml", 2, "links.target")}
    assert "unknown segment 'mars'" in str(err.value)


def test_syntax_errors_and_wrong_shapes():
    with pytest.raises(ChainParseError) as err:
        read_yaml("segments: [\n  {id: a,\n", file="x.yaml")
    assert err.value.errors[0].file == "x.yaml" and err.value.errors[0].row >= 2
    with pytest.raises(ChainParseError, match="x.json:1:: not valid JSON"):
        read_json("{nope", file="x.json")
    with pytest.raises(ChainParseError, match="segments: missing"):
        read_yaml("name: 空\n", file="x.yaml")
    with pytest.raises(ChainParseError, match="not UTF-8"):
        read_yaml("segments: []".encode("gbk") + b"\xff\xfe\xfa", file="x.yaml")
    with pytest.raises(ChainParseError, match="unknown chain file type"):
        read_path(ATLAS_DIR / "SOURCE.txt")


def test_atlas_errors_name_the_row():
    text = (ATLAS_DIR / "pcb_materials.yaml").read_text(encoding="utf-8")
    text = text.replace("confidence: 3", "confidence: 9").replace("position: upstream", "position: up", 1)
    with pytest.raises(ChainParseError) as err:
        read_yaml(text, file="pcb.yaml")
    assert {(e.row, e.field) for e in err.value.errors} == {(6, "supply_relationships.confidence"),
                                                            (1, "segments.position")}


def test_csv_pair_reads_and_refuses_with_spreadsheet_rows():
    segments = "\ufeffid,name,position,tier,gbt_codes,policy_weight\na,铁矿,上游,1,0810,0.2\nb,冶炼,中游,2,C31;3120,\n"
    chain = read_csv_pair(segments.encode("utf-8"), "source,target,weight\na,b,0.7\n", chain_id="steel", name="特钢")
    assert chain.name == "特钢" and chain.segments[0].policy_weight == 0.2
    assert [(lk.source, lk.target, lk.weight) for lk in chain.links] == [("a", "b", 0.7)]
    bad_segments = "id,name,position,tier\na,铁矿,上游,one\na,重复,中游,2\n,无号,下游,\nc,焦化,sideways,1\n"
    bad_links = "source,target,weight\na,zz,0.5\na,a,\nc,a,2\n"
    with pytest.raises(ChainParseError) as err:
        read_csv_pair(bad_segments, bad_links, chain_id="steel")
    got = {(e.file, e.row, e.field) for e in err.value.errors}
    assert got == {("segments.csv", 2, "tier"), ("segments.csv", 3, "id"), ("segments.csv", 4, "id"),
                   ("segments.csv", 5, "position"), ("links.csv", 2, "target"), ("links.csv", 3, "target"),
                   ("links.csv", 4, "weight")}
    with pytest.raises(ChainParseError) as err:
        read_csv_pair("id,title\n", "from,to\n", chain_id="x")
    assert {(e.file, e.row, e.field) for e in err.value.errors} == {("segments.csv", 1, "name,position"),
                                                                    ("links.csv", 1, "source,target")}
