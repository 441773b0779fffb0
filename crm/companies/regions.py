"""Province and city names at the start of company names (山西焦煤, 临汾市晋南钢铁).

The name key strips them so 山西焦煤集团 and 焦煤集团 compare equal; the fuzzy matcher asks which
regions were stripped, so 西藏药业 and 云南药业 — equal once stripped — are not taken for one firm.
Names come from the division codes (:mod:`crm.refdata.lookup`), full (山西省, 临汾市, 延边朝鲜族自治州)
and short (山西, 临汾, 延边); counties are left alone: too many are ordinary words (城区, 矿区).
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

from crm.refdata import lookup

# Ethnic names inside the names of autonomous regions and prefectures (广西壮族自治区 → 广西).
_AUTONOMOUS = re.compile(
    r"^(.{2,}?)(?:(?:蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉祜|水|"
    r"东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|"
    r"鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|满)族?)*自治[州区]$")
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Stripping stops when fewer characters than this would remain: 北京市 stays 北京市.
MIN_REST = 2


def short_name(name: str) -> str:
    """The everyday short form of a province or city name.

    >>> short_name("山西省"), short_name("临汾市"), short_name("延边朝鲜族自治州"), short_name("内蒙古自治区")
    ('山西', '临汾', '延边', '内蒙古')
    >>> short_name("锡林郭勒盟"), short_name("大兴安岭地区"), short_name("儋州市")
    ('锡林郭勒', '大兴安岭', '儋州')
    """
    match = _AUTONOMOUS.match(name)
    if match:
        return match.group(1)
    for suffix in ("特别行政区", "地区", "省", "市", "盟"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[:-len(suffix)]
    return name


@cache
def _index() -> tuple[dict[str, frozenset[str]], tuple[int, ...]]:
    """Region name (full and short, NFKC, case-folded) → division codes; name lengths, longest first."""
    codes: dict[str, set[str]] = {}
    for item in lookup.divisions():
        if item.level == "county" or item.name in _PLACEHOLDERS:
            continue
        full = unicodedata.normalize("NFKC", item.name).casefold()
        for name in {full, short_name(full)}:
            if len(name) >= 2:
                codes.setdefault(name, set()).add(item.code)
    lengths = tuple(sorted({len(n) for n in codes}, reverse=True))
    return {n: frozenset(c) for n, c in codes.items()}, lengths


def split_regions(text: str) -> tuple[list[frozenset[str]], str]:
    """Peel leading region names off an already folded name: (division codes of each, the rest).

    >>> codes, rest = split_regions("山西省临汾市晋南钢铁")
    >>> [sorted(c) for c in codes], rest
    ([['14'], ['1410']], '晋南钢铁')
    >>> split_regions("北京市")
    ([], '北京市')
    """
    names, lengths = _index()
    found: list[frozenset[str]] = []
    matched = True
    while matched:
        matched = False
        for length in lengths:
            if len(text) - length >= MIN_REST and text[:length] in names:
                found.append(names[text[:length]])
                text, matched = text[length:], True
                break
    return found, text


def compatible(a: list[frozenset[str]], b: list[frozenset[str]]) -> bool:
    """Whether two names' leading regions can be the same place (one inside the other).

    A name without a leading region is compatible with any. Only the most specific region of
    each name counts: 山西临汾 and 临汾 agree, 西藏 and 云南 do not.

    >>> compatible(split_regions("西藏药业")[0], split_regions("云南药业")[0])
    False
    >>> compatible(split_regions("山西焦煤")[0], split_regions("焦煤")[0])
    True
    >>> compatible(split_regions("山西临汾钢铁")[0], split_regions("临汾市钢铁")[0])
    True
    """
    if not a or not b:
        return True
    return any(x.startswith(y) or y.startswith(x) for x in a[-1] for y in b[-1])
