"""Find division codes from names as spreadsheets write them (省 / 市 / 区县 columns).

企查查-style exports carry 所属省份, 所属城市 and 所属区县 as names, sometimes
without their suffix (山西 for 山西省, 临汾 for 临汾市). Matching is exact on
the name or on the name without its administrative suffix, always inside the
parent already found, so 朝阳区 resolves differently under 北京 and 长春. An
ambiguous or unknown name is reported, never guessed.
"""
from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

from crm.refdata.lookup import Division, children, provinces

_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|省|市|区|县|旗|盟)$")


def _bare(name: str) -> str:
    """'山西省' → '山西'; '尧都区' → '尧都'; a one-character stem keeps its suffix ('古县').

    >>> _bare("山西省"), _bare("尧都区"), _bare("古县"), _bare("临汾")
    ('山西', '尧都', '古县', '临汾')
    """
    name = (name or "").strip()
    stem = _SUFFIX.sub("", name)
    return stem if len(stem) >= 2 else name


@cache
def _index(parent: str | None) -> dict[str, tuple[Division, ...]]:
    found: dict[str, list[Division]] = defaultdict(list)
    for d in (provinces() if parent is None else children(parent)):
        for key in {d.name, _bare(d.name)}:
            found[key].append(d)
    return {k: tuple(v) for k, v in found.items()}


def _one(name: str, parent: str | None, what: str) -> Division:
    matches = _index(parent).get(name.strip()) or _index(parent).get(_bare(name))
    if not matches:
        raise ValueError(f"unknown {what} {name!r}")
    if len(matches) > 1:
        raise ValueError(f"{what} {name!r} is ambiguous")
    return matches[0]


def resolve(province: str = "", city: str = "", county: str = "") -> str | None:
    """The most precise division code the names give, or ``None`` when all are blank.

    >>> resolve("山西省", "临汾市", "尧都区"), resolve("山西", "临汾"), resolve("北京市", "", "朝阳区")
    ('141002', '1410', '110105')
    """
    province, city, county = (province or "").strip(), (city or "").strip(), (county or "").strip()
    if not (province or city or county):
        return None
    if not province:
        raise ValueError("a city or county needs its province")
    code = _one(province, None, "province").code
    if city:
        try:
            code = _one(city, code, "city").code
        except ValueError:
            # Municipalities: the city row is 市辖区 under the province's name.
            if _bare(city) != _bare(province):
                raise
            code = children(code)[0].code
    elif county and len(children(code)) == 1:
        code = children(code)[0].code
    elif county:
        # 北京市 + 朝阳区: look through the municipality's city rows.
        for city_row in children(code):
            try:
                return _one(county, city_row.code, "county").code
            except ValueError:
                continue
        raise ValueError(f"unknown county {county!r} in {province}")
    if county:
        code = _one(county, code, "county").code
    return code
