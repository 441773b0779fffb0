"""Pure look-ups over the reference files shipped in ``crm/refdata/data``.

Scope: China's statistical division codes (province 2, city 4, county 6 digits),
membership of the target city clusters (京津冀, 长三角, 关中平原城市群) at county
precision, and (re-exported from :mod:`crm.refdata.industries`) the GB/T 4754-2017
industry classification. No Flask, no database: the files are read once per
process (``functools.cache``), so imports, the chain engine's "local" check and
the loader all answer from the same facts.
Functions that take a division code normalise it first (:func:`normalise_code`)
and raise ``ValueError`` for codes they do not know, so a typo is never mistaken
for "outside every cluster"; :func:`division` and :func:`industry` are the
lenient look-ups that answer ``None``.
"""
from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Literal

from crm.refdata.industries import Industry, find_industries, industries, industry, industry_path

__all__ = [
    "CLUSTERS", "ClusterMatch", "Division", "Industry", "Membership", "children", "cluster_of",
    "division", "divisions", "find_industries", "full_name", "industries", "industry",
    "industry_path", "is_local", "memberships", "normalise_code", "provinces",
]

DivisionLevel = Literal["province", "city", "county"]
Coverage = Literal["full", "partial", "county"]

#: Target clusters in display order: id -> Chinese name.
CLUSTERS: Mapping[str, str] = MappingProxyType({"jjj": "京津冀", "yrd": "长三角", "gzpc": "关中平原城市群"})

# NBS names of city-level rows that are not cities. 市辖区 is replaced by the province's
# name when read; the others stay the row's name (they are the official entries, and
# e.g. 重庆's 市辖区 and 县 must stay distinguishable) but are skipped inside a full name.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
_DIVISION_LEVELS: dict[int, DivisionLevel] = {2: "province", 4: "city", 6: "county"}


@dataclass(frozen=True)
class Division:
    """A province, prefecture-level city or county-level unit.

    ``province_code`` and ``city_code`` are the unit's own code at its own level
    (``city_code`` is ``None`` for a province), so filters need no special case.
    """

    code: str
    name: str
    level: DivisionLevel
    parent_code: str | None
    province_code: str
    city_code: str | None


@dataclass(frozen=True)
class ClusterMatch:
    """The cluster a division lies in; ``core`` is the 长三角 27-city 中心区 flag."""

    cluster: str
    name: str
    core: bool


@dataclass(frozen=True)
class Membership:
    """A ``cluster_member`` row: a city (``full``/``partial``) or a 关中平原城市群 ``county``."""

    cluster: str
    division_code: str
    coverage: Coverage
    core: bool


def _read_csv(folder: str, name: str) -> list[dict[str, str]]:
    # importlib.resources keeps this working when the package is installed as a wheel.
    path = resources.files("crm.refdata").joinpath("data").joinpath(folder).joinpath(name)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def _division_table() -> dict[str, Division]:
    table: dict[str, Division] = {}
    province_names: dict[str, str] = {}
    for row in _read_csv("admin_divisions_cn", "provinces.csv"):
        province_names[row["code"]] = row["name"]
        table[row["code"]] = Division(row["code"], row["name"], "province", None, row["code"], None)
    for row in _read_csv("admin_divisions_cn", "cities.csv"):
        # Municipalities (北京, 天津, 上海, 重庆) appear as "市辖区": name the row after
        # the province so pickers and the database read "北京市", as the loader stores it.
        name = province_names[row["provinceCode"]] if row["name"] == "市辖区" else row["name"]
        table[row["code"]] = Division(row["code"], name, "city", row["provinceCode"],
                                      row["provinceCode"], row["code"])
    for row in _read_csv("admin_divisions_cn", "areas.csv"):
        table[row["code"]] = Division(row["code"], row["name"], "county", row["cityCode"],
                                      row["provinceCode"], row["cityCode"])
    return table


@cache
def _children_index() -> dict[str, tuple[Division, ...]]:
    index: dict[str, list[Division]] = {}
    for item in _division_table().values():
        if item.parent_code is not None:
            index.setdefault(item.parent_code, []).append(item)
    return {code: tuple(sorted(items, key=lambda d: d.code)) for code, items in index.items()}


def normalise_code(code: str) -> str:
    """Return the canonical 2/4/6-digit code of a known division.

    Parameters
    ----------
    code : str
        A canonical code, a 6-digit code padded with zeros (``'141000'``), or a
        12-digit NBS code whose township and village digits are zero.

    Returns
    -------
    str
        The 2 (province), 4 (city) or 6 (county) digit code.

    Raises
    ------
    ValueError
        For non-digits, a wrong length, a township/village code, or a code
        that is not a known division.

    Examples
    --------
    >>> normalise_code('141000'), normalise_code('140000'), normalise_code('141002000000')
    ('1410', '14', '141002')

    东莞市 has a county-level row of its own, so its padded-looking code stays:

    >>> normalise_code('441900')
    '441900'
    >>> normalise_code('999999')
    Traceback (most recent call last):
    ...
    ValueError: unknown division code '999999'
    """
    text = str(code).strip()
    # isdigit() alone would accept full-width digits such as '１４'.
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"division code must be ASCII digits, got {code!r}")
    if len(text) == 12:
        if text[6:] != "000000":
            raise ValueError(f"{code!r} is a township or village code; only province, city and county "
                             f"codes are held (use its first 6 digits for the county)")
        text = text[:6]
    if len(text) not in _DIVISION_LEVELS:
        raise ValueError(f"division code must have 2, 4, 6 or 12 digits, got {len(text)} in {code!r}")
    table = _division_table()
    # Try the code as given before trimming zero pairs: 441900 (东莞市) is a real county code.
    while text not in table and len(text) > 2 and text.endswith("00"):
        text = text[:-2]
    if text not in table:
        raise ValueError(f"unknown division code {code!r}")
    return text


def division(code: str) -> Division | None:
    """The division with this code, or ``None``.

    Parameters
    ----------
    code : str
        Any form :func:`normalise_code` accepts; malformed and unknown codes give ``None``.

    Examples
    --------
    >>> division('141002')
    Division(code='141002', name='尧都区', level='county', parent_code='1410',
             province_code='14', city_code='1410')
    >>> division('1101').name, division('141000').name, division('abc')
    ('北京市', '临汾市', None)
    """
    try:
        return _division_table()[normalise_code(code)]
    except ValueError:
        return None


def divisions() -> list[Division]:
    """Every division, provinces first, then cities, then counties (parents before children).

    Examples
    --------
    >>> len(divisions()), divisions()[0].name
    (3351, '北京市')
    """
    rank = {"province": 0, "city": 1, "county": 2}
    return sorted(_division_table().values(), key=lambda d: (rank[d.level], d.code))


def provinces() -> list[Division]:
    """The 31 provincial-level divisions, ordered by code.

    Examples
    --------
    >>> [p.name for p in provinces()][:3]
    ['北京市', '天津市', '河北省']
    """
    return [d for d in _division_table().values() if d.level == "province"]


def children(code: str) -> list[Division]:
    """Direct children ordered by code: a province's cities or a city's counties.

    Raises ``ValueError`` for codes :func:`normalise_code` rejects.

    Examples
    --------
    >>> len(children('1410')), children('1410')[0].name
    (17, '尧都区')
    >>> children('141002')
    []
    """
    return list(_children_index().get(normalise_code(code), ()))


def full_name(code: str) -> str:
    """The name with its ancestors, e.g. for addresses and pickers.

    Placeholder and repeated names are skipped unless they are the division's
    own name, so municipalities read '北京市东城区' rather than '北京市市辖区东城区'.
    Raises ``ValueError`` for codes :func:`normalise_code` rejects.

    Examples
    --------
    >>> full_name('141002'), full_name('110101'), full_name('1101')
    ('山西省临汾市尧都区', '北京市东城区', '北京市')
    >>> full_name('419001'), full_name('441900')
    ('河南省济源市', '广东省东莞市')
    """
    item = _division_table()[normalise_code(code)]
    path = [item.province_code, item.city_code, item.code]
    names = [_division_table()[c].name for c in dict.fromkeys(c for c in path if c)]
    parts: list[str] = []
    for i, name in enumerate(names):
        last = i == len(names) - 1
        if (parts and parts[-1] == name) or (not last and name in _PLACEHOLDERS):
            continue
        parts.append(name)
    return "".join(parts)


def is_local(code: str, home_code: str) -> bool:
    """Whether division ``code`` lies inside (or is) the home division.

    Parameters
    ----------
    code : str
        Where the company or project is.
    home_code : str
        The home province, city or county.

    Returns
    -------
    bool
        A coarser code never lies inside a finer home: knowing only the city
        does not place a company inside one of its counties.

    Raises
    ------
    ValueError
        For codes :func:`normalise_code` rejects.

    Examples
    --------
    >>> is_local('141002', '1410'), is_local('141002', '14'), is_local('1410', '141002')
    (True, True, False)
    """
    code, home = normalise_code(code), normalise_code(home_code)
    # Codes are hierarchical (2 + 2 + 2 digits), so containment is a prefix test.
    return code.startswith(home)


@cache
def _membership_rows() -> tuple[Membership, ...]:
    rows: dict[tuple[str, str], Membership] = {}
    for row in _read_csv("region_membership", "city_cluster_membership.csv"):
        coverage: Coverage = "partial" if row["coverage"] == "partial" else "full"
        item = Membership(row["region_id"], row["city_code"], coverage, row["yrd_core_27"] == "Y")
        rows.setdefault((item.cluster, item.division_code), item)
    for row in _read_csv("region_membership", "guanzhong_counties.csv"):
        # setdefault keeps the first row for a (cluster, code) pair, as the table's unique key demands.
        rows.setdefault(("gzpc", row["county_code"]), Membership("gzpc", row["county_code"], "county", False))
    return tuple(rows.values())


def memberships() -> list[Membership]:
    """The cluster membership rows: every listed city, then every 关中平原城市群 county.

    Examples
    --------
    >>> len(memberships()), memberships()[0]
    (155, Membership(cluster='jjj', division_code='1101', coverage='full', core=False))
    """
    return list(_membership_rows())


@cache
def _membership_index() -> dict[str, Membership]:
    # One cluster per division holds for these three clusters (tests check it).
    return {m.division_code: m for m in _membership_rows()}


def _match(member: Membership) -> ClusterMatch:
    return ClusterMatch(member.cluster, CLUSTERS[member.cluster], member.core)


def cluster_of(code: str) -> ClusterMatch | None:
    """The target cluster a division lies in, at county precision.

    - county: in the cluster if its city is fully covered, or if it is one of
      the named counties of a partly covered city (临汾, 运城, 商洛, 平凉, 庆阳);
    - city: the cluster when fully covered; ``None`` when only partly covered,
      because the answer then depends on the county, which a city code does not tell;
    - province: the cluster when all its cities are fully in the same one
      (``core`` only when all are core), else ``None``.

    Parameters
    ----------
    code : str
        A division code in any form :func:`normalise_code` accepts.

    Returns
    -------
    ClusterMatch or None
        ``None`` when outside every cluster or, for a city or province, undecidable.

    Raises
    ------
    ValueError
        For codes :func:`normalise_code` rejects: a typo is not "outside".

    Examples
    --------
    >>> cluster_of('141002')
    ClusterMatch(cluster='gzpc', name='关中平原城市群', core=False)
    >>> cluster_of('141028') is None, cluster_of('1410') is None, cluster_of('140105') is None
    (True, True, True)
    >>> cluster_of('320505').core, cluster_of('3203').core, cluster_of('110105').cluster
    (True, False, 'jjj')
    >>> cluster_of('32').cluster, cluster_of('14') is None
    ('yrd', True)
    """
    item = _division_table()[normalise_code(code)]
    index = _membership_index()
    if item.level == "province":
        matches = [cluster_of(city.code) for city in children(item.code)]
        found = [m for m in matches if m is not None]
        if not matches or len(found) < len(matches) or len({m.cluster for m in found}) != 1:
            return None
        return ClusterMatch(found[0].cluster, found[0].name, all(m.core for m in found))
    city = index.get(item.city_code or "")
    if city is None:
        return None
    if city.coverage == "full":
        return _match(city)
    if item.level == "county" and item.code in index:
        return _match(index[item.code])
    return None
