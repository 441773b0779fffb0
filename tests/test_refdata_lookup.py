"""Pure reference-data look-ups: divisions, clusters at county precision, GB/T 4754-2017.

No database and no app: these read the files shipped in crm/refdata/data.
"""
from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from crm.refdata import lookup
from crm.refdata.lookup import (
    CLUSTERS, ClusterMatch, children, cluster_of, division, divisions, find_industries, full_name,
    industries, industry, industry_path, is_local, memberships, normalise_code, provinces,
)


# --- counts -------------------------------------------------------------------------------------

def test_division_counts() -> None:
    levels = Counter(d.level for d in divisions())
    assert levels == {"province": 31, "city": 342, "county": 2978}
    assert len(provinces()) == 31


def test_industry_counts() -> None:
    assert len(industries()) == 1971
    assert Counter(i.level for i in industries()) == {"section": 20, "division": 97, "group": 473,
                                                      "class": 1381}


def test_cluster_counts() -> None:
    cities = [m for m in memberships() if m.coverage != "county"]
    per_cluster = Counter(m.cluster for m in cities)
    assert per_cluster == {"jjj": 13, "yrd": 41, "gzpc": 11}
    assert sum(m.core for m in cities if m.cluster == "yrd") == 27
    assert not any(m.core for m in memberships() if m.cluster != "yrd")
    assert Counter(m.coverage for m in cities if m.cluster == "gzpc") == {"full": 6, "partial": 5}
    counties = [m for m in memberships() if m.coverage == "county"]
    assert len(counties) == 90 and {m.cluster for m in counties} == {"gzpc"}
    assert len(memberships()) == 155


def test_clusters_mapping_is_ordered_and_read_only() -> None:
    assert list(CLUSTERS.items()) == [("jjj", "京津冀"), ("yrd", "长三角"), ("gzpc", "关中平原城市群")]
    with pytest.raises(TypeError):
        CLUSTERS["x"] = "y"  # type: ignore[index]


# --- data consistency the look-ups rely on -------------------------------------------------------

def test_parents_come_before_children() -> None:
    # The loader inserts in this order with foreign keys on.
    for rows in (divisions(), industries()):
        seen: set[str] = set()
        for row in rows:
            assert row.parent_code is None or row.parent_code in seen, row
            seen.add(row.code)


def test_membership_codes_are_known_and_unique() -> None:
    codes = [m.division_code for m in memberships()]
    assert len(codes) == len(set(codes)), "a division in two clusters would make cluster_of ambiguous"
    assert all(division(c) is not None and division(c).code == c for c in codes)


def test_guanzhong_counties_match_their_cities() -> None:
    by_code = {m.division_code: m for m in memberships()}
    counties = {m.division_code for m in memberships() if m.coverage == "county"}
    for code in counties:
        city = by_code[code[:4]]
        assert (city.cluster, division(code).level) == ("gzpc", "county")
    # A fully covered city must have every county listed, so county rows can be used alone.
    for city in (m for m in memberships() if m.cluster == "gzpc" and m.coverage == "full"):
        assert {d.code for d in children(city.division_code)} <= counties, city


# --- divisions ----------------------------------------------------------------------------------

def test_division_fields() -> None:
    assert division("141002") == lookup.Division("141002", "尧都区", "county", "1410", "14", "1410")
    assert division("1410") == lookup.Division("1410", "临汾市", "city", "14", "14", "1410")
    assert division("14") == lookup.Division("14", "山西省", "province", None, "14", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        division("14").name = "x"  # type: ignore[misc, union-attr]


@pytest.mark.parametrize("code, name", [("1101", "北京市"), ("1201", "天津市"), ("3101", "上海市"),
                                        ("5001", "重庆市")])
def test_municipality_city_rows_take_the_province_name(code: str, name: str) -> None:
    assert division(code).name == name  # type: ignore[union-attr]


@pytest.mark.parametrize("code", ["abc", "999999", "", "1410021", "141002001000"])
def test_division_is_none_for_bad_codes(code: str) -> None:
    assert division(code) is None


def test_children_and_provinces() -> None:
    linfen = children("1410")
    assert len(linfen) == 17 and [d.code for d in linfen] == sorted(d.code for d in linfen)
    assert {"尧都区", "侯马市", "霍州市", "吉县"} <= {d.name for d in linfen}
    assert len(children("14")) == 11 and children("141002") == []
    assert children("141000") == linfen  # padded codes are accepted
    assert provinces()[0].code == "11" and provinces()[-1].code == "65"
    with pytest.raises(ValueError):
        children("999999")


@pytest.mark.parametrize("code, expected", [
    ("141002", "山西省临汾市尧都区"),
    ("110101", "北京市东城区"),
    ("310115", "上海市浦东新区"),
    ("500229", "重庆市城口县"),
    ("419001", "河南省济源市"),
    ("441900", "广东省东莞市"),
    ("1410", "山西省临汾市"),
    ("1101", "北京市"),
    ("14", "山西省"),
])
def test_full_name(code: str, expected: str) -> None:
    assert full_name(code) == expected


@pytest.mark.parametrize("code, expected", [
    ("14", "14"), ("1410", "1410"), ("141002", "141002"),
    ("140000", "14"), ("141000", "1410"), ("1400", "14"),
    ("140000000000", "14"), ("141000000000", "1410"), ("141002000000", "141002"),
    (" 141002 ", "141002"),
    ("441900", "441900"),  # a real county-level code that only looks padded
])
def test_normalise_code(code: str, expected: str) -> None:
    assert normalise_code(code) == expected


@pytest.mark.parametrize("code, message", [
    ("14a002", "ASCII digits"),
    ("", "ASCII digits"),
    ("１４", "ASCII digits"),
    ("1", "2, 4, 6 or 12 digits"),
    ("14100", "2, 4, 6 or 12 digits"),
    ("1410020", "2, 4, 6 or 12 digits"),
    ("141002001000", "township or village"),
    ("999999", "unknown division code"),
    ("99", "unknown division code"),
    ("00", "unknown division code"),
])
def test_normalise_code_errors(code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalise_code(code)


@pytest.mark.parametrize("code, home, expected", [
    ("141002", "1410", True),
    ("141002", "14", True),
    ("141002", "141002", True),
    ("1410", "1410", True),
    ("1410", "141002", False),   # a city is not known to lie in one of its counties
    ("140105", "1410", False),   # 太原
    ("610113", "1410", False),
    ("441900", "4419", True),
    ("141000", "140000", True),  # padded forms
])
def test_is_local(code: str, home: str, expected: bool) -> None:
    assert is_local(code, home) is expected


def test_is_local_rejects_unknown_codes() -> None:
    with pytest.raises(ValueError):
        is_local("999999", "1410")
    with pytest.raises(ValueError):
        is_local("141002", "9999")


# --- clusters -----------------------------------------------------------------------------------

GZPC = ClusterMatch("gzpc", "关中平原城市群", False)
JJJ = ClusterMatch("jjj", "京津冀", False)
YRD_CORE = ClusterMatch("yrd", "长三角", True)
YRD = ClusterMatch("yrd", "长三角", False)


@pytest.mark.parametrize("code, expected", [
    ("141002", GZPC),      # 尧都区: named in the plan
    ("141028", None),      # 吉县: 临汾 but not named
    ("3205", YRD_CORE),    # 苏州
    ("320505", YRD_CORE),  # 苏州 虎丘区
    ("3203", YRD),         # 徐州: 长三角 but outside the 27-city core
    ("320303", YRD),
    # 温州 is in the 2019 中心区 27 (yrd_core_27 = Y); only the 2016 26-city list left it out.
    ("3303", YRD_CORE),
    ("110105", JJJ),       # 北京 朝阳区
    ("130629", JJJ),       # 容城县 (雄安), kept under 保定 in NBS codes
    ("610113", GZPC),      # 西安 雁塔区
    ("610403", GZPC),      # 杨陵区 (杨凌示范区), inside 咸阳
    ("140829", None),      # 平陆县: 运城 except 平陆 and 垣曲
    ("140827", None),      # 垣曲县
    ("140802", GZPC),      # 盐湖区
    ("620881", GZPC),      # 华亭市
    ("621002", GZPC),      # 西峰区 = 庆阳市区
    ("621021", None),      # 庆城县
    ("140105", None),      # 太原 小店区
    ("141002000000", GZPC),
])
def test_cluster_of_county_and_city(code: str, expected: ClusterMatch | None) -> None:
    assert cluster_of(code) == expected


@pytest.mark.parametrize("code, expected", [
    ("6101", GZPC), ("6205", GZPC), ("1101", JJJ), ("1306", JJJ),
    ("1410", None), ("1408", None), ("6110", None), ("6208", None), ("6210", None),  # partial
    ("1401", None), ("4401", None),  # outside every cluster
])
def test_cluster_of_city_level(code: str, expected: ClusterMatch | None) -> None:
    assert cluster_of(code) == expected


@pytest.mark.parametrize("code, expected", [
    ("11", JJJ), ("12", JJJ), ("13", JJJ),
    ("31", YRD_CORE),  # 上海's one city is core
    ("32", YRD), ("33", YRD), ("34", YRD),
    ("14", None), ("61", None), ("62", None),  # only part of the province
    ("44", None), ("50", None),
])
def test_cluster_of_province_level(code: str, expected: ClusterMatch | None) -> None:
    assert cluster_of(code) == expected


def test_cluster_of_covers_exactly_the_named_counties_of_partial_cities() -> None:
    inside = {city: sorted(d.name for d in children(city) if cluster_of(d.code) is not None)
              for city in ("1410", "1408", "6110", "6208", "6210")}
    assert inside["1410"] == sorted(["尧都区", "侯马市", "襄汾县", "霍州市", "曲沃县", "翼城县", "洪洞县", "浮山县"])
    assert len(inside["1408"]) == len(children("1408")) - 2
    assert len(inside["6110"]) == 4 and len(inside["6208"]) == 5 and inside["6210"] == ["西峰区"]


def test_cluster_of_every_county_of_a_full_city() -> None:
    full = [m for m in memberships() if m.coverage == "full"]
    for member in full:
        for county in children(member.division_code):
            assert cluster_of(county.code) == ClusterMatch(member.cluster, CLUSTERS[member.cluster],
                                                           member.core)


def test_cluster_of_rejects_unknown_codes() -> None:
    with pytest.raises(ValueError, match="unknown division code"):
        cluster_of("999999")


# --- industries ---------------------------------------------------------------------------------

def test_industry_lookup() -> None:
    steel = industry("3130")
    assert steel is not None
    assert (steel.name, steel.level, steel.parent_code, steel.section) == ("钢压延加工", "class", "313", "C")
    assert industry("C") == industry(" c ") and industry("C").level == "section"  # type: ignore[union-attr]
    assert industry("C").parent_code is None  # type: ignore[union-attr]
    assert industry("9999") is None and industry("") is None
    assert industry("0111").description is None  # empty cells are None, not ""  # type: ignore[union-attr]


def test_industry_path() -> None:
    assert [i.code for i in industry_path("3130")] == ["C", "31", "313", "3130"]
    assert [i.code for i in industry_path("31")] == ["C", "31"]
    assert [i.code for i in industry_path("A")] == ["A"]
    with pytest.raises(ValueError, match="unknown industry code"):
        industry_path("3199")


def test_find_industries_by_exact_code() -> None:
    assert [i.code for i in find_industries("3130")] == ["3130"]


def test_find_industries_by_prefix_is_in_tree_order() -> None:
    hits = find_industries("31", limit=50)
    assert hits[0].code == "31" and hits[0].level == "division"
    assert [i.code for i in hits[:4]] == ["31", "311", "3110", "312"]
    assert [i.code for i in hits] == sorted(i.code for i in hits)
    assert all(i.code.startswith("31") for i in hits)
    assert len(hits) == 1 + len([i for i in industries() if i.code.startswith("31") and i.code != "31"])
    assert len(find_industries("31", limit=3)) == 3


def test_find_industries_by_section_letter() -> None:
    hits = find_industries("c", limit=3)
    assert [i.code for i in hits] == ["C", "13", "131"]
    assert [i.code for i in find_industries("C313")] == ["313", "3130"]
    assert find_industries("A313") == [] and find_industries("Z") == []


def test_find_industries_by_name() -> None:
    names = [(i.code, i.name) for i in find_industries("钢")]
    assert names == [("312", "炼钢"), ("3120", "炼钢"), ("313", "钢压延加工"), ("3130", "钢压延加工")]
    hits = find_industries("金属制品")
    assert hits[0].name == "金属制品业"  # the shortest (here the division) first
    assert [len(i.name) for i in hits] == sorted(len(i.name) for i in hits)


def test_find_industries_exact_name_first() -> None:
    hits = find_industries("炼钢")
    assert [i.code for i in hits] == ["312", "3120"]
    hits = find_industries("建筑业")
    assert (hits[0].code, hits[0].level) == ("E", "section")
    assert len(hits) > 4 and all("建筑业" in i.name for i in hits[1:])
    assert [len(i.name) for i in hits[1:]] == sorted(len(i.name) for i in hits[1:])
    assert find_industries("制造业")[0].code == "C"


@pytest.mark.parametrize("query, limit", [("", 20), ("   ", 20), ("AB", 20), ("钢", 0), ("不存在的行业", 20)])
def test_find_industries_empty(query: str, limit: int) -> None:
    assert find_industries(query, limit=limit) == []
