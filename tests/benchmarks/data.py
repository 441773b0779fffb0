"""Realistic company records for the benchmarks, generated from a seed (no network, no fixtures).

Names are Chinese (an optional city prefix, a two-character 字号, an industry word, a legal form),
about a third carry a valid unified social credit code (check character from
:func:`crm.companies.uscc.check_char`), locations are division names that
:func:`crm.refdata.names.resolve` maps back to their codes, industries are GB/T 4754 division names,
registered capital is written the way 企查查 exports write it ("5000万元", "1.2亿", "3,000万元人民币").
The same records seed the export database and become the import CSV, which also repeats a few rows
(duplicates the import must catch).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from crm.companies.services import normalise_name
from crm.companies.uscc import ALPHABET, check_char
from crm.refdata import lookup, names

IMPORT_HEADER = ("企业名称", "统一社会信用代码", "所属省份", "所属城市", "所属区县", "所属行业", "注册资本", "参保人数",
                 "股票代码")
# 字号 characters and industry words: 80 × 79 × 40 names, far more than 100k.
_TRADE_CHARS = ("华宏鑫泰瑞恒盛兴达通源鼎金银海天晋汾中新远博创智德安康丰顺隆信诚嘉福祥和美永昌荣辉光明宇峰云龙"
                "凤建科联成汇聚星辰润泽佳景元正大立伟东南北西红绿蓝青")
_WORDS = ("科技", "钢铁", "焦化", "煤业", "化工", "新材料", "机械制造", "电子", "医药", "物流", "建材", "食品", "能源", "电力",
          "环保", "农业", "纺织", "汽车零部件", "信息技术", "建筑工程", "贸易", "房地产开发", "装备制造", "光伏", "半导体",
          "生物科技", "铝业", "水泥", "陶瓷", "玻璃", "酿造", "制药", "软件", "网络科技", "智能装备", "新能源", "精密机械",
          "包装", "印刷", "冶金")
_FORMS = ("有限公司", "有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
_CAPITAL = ((50, "{}万"), (40, "{}万元"), (5, "{}万元人民币"), (5, "{:,}万元"))
# Provinces the companies come from, weighted towards the home province (山西) and the target clusters.
_PROVINCES = {"14": 40, "11": 6, "12": 3, "13": 8, "31": 6, "32": 10, "33": 8, "34": 4, "61": 8, "62": 3, "44": 4}


@dataclass(frozen=True)
class Record:
    """One company as the generator knows it: the text a spreadsheet holds and the codes behind it."""

    name: str
    uscc: str | None
    province_name: str
    city_name: str
    county_name: str
    province_code: str
    city_code: str
    county_code: str | None
    industry_name: str
    industry_code: str
    capital_text: str
    capital_wan: Decimal
    employees: int | None
    stock_code: str | None

    @property
    def location_code(self) -> str:
        return self.county_code or self.city_code

    def csv_cells(self) -> tuple[str, ...]:
        return (self.name, self.uscc or "", self.province_name, self.city_name, self.county_name, self.industry_name,
                self.capital_text, "" if self.employees is None else str(self.employees), self.stock_code or "")


@cache
def _locations() -> tuple[tuple[str, ...], ...]:
    """Counties (and cities, county left blank) whose names resolve back to their own code."""
    table = {d.code: d for d in lookup.divisions()}
    found = []
    for d in lookup.divisions():
        if d.province_code not in _PROVINCES or d.level == "province":
            continue
        province, city = table[d.province_code].name, table[d.city_code].name
        county = d.name if d.level == "county" else ""
        try:
            if names.resolve(province, city, county) != d.code:
                continue
        except ValueError:
            continue
        found.append((d.province_code, d.code, province, city, county))
    return tuple(found)


@cache
def _industries() -> tuple[tuple[str, str], ...]:
    """GB/T 4754 division names that name exactly one category (as an import can resolve them)."""
    everything = lookup.industries()
    counts = Counter(i.name for i in everything)
    return tuple((i.code, i.name) for i in everything if i.level == "division" and counts[i.name] == 1)


def _uscc(rng: random.Random, county_code: str) -> str:
    first17 = "91" + county_code.ljust(6, "0") + "".join(rng.choice(ALPHABET) for _ in range(9))
    return first17 + check_char(first17)


def _capital(rng: random.Random) -> tuple[str, Decimal]:
    if rng.random() < 0.08:
        value = Decimal(rng.randint(11, 99)) / 10
        return f"{value}亿", value * 10000
    wan = rng.choice((50, 100, 200, 300, 500, 800, 1000, 2000, 3000, 5000, 10000, 20000))
    weights, forms = zip(*_CAPITAL)
    return rng.choices(forms, weights)[0].format(wan), Decimal(wan)


def generate(n: int, seed: int = 2026) -> list[Record]:
    """``n`` distinct companies (distinct names and credit codes), in random order."""
    rng = random.Random(seed)
    by_province: dict[str, list[tuple[str, ...]]] = {}
    for loc in _locations():
        by_province.setdefault(loc[0], []).append(loc)
    provinces = list(by_province)
    weights = [_PROVINCES[p] for p in provinces]
    industries = _industries()
    pairs = len(_TRADE_CHARS) * (len(_TRADE_CHARS) - 1) * len(_WORDS)
    seen_uscc: set[str] = set()
    seen_keys: set[str] = set()
    records: list[Record] = []
    for index in rng.sample(range(pairs), min(pairs, 2 * n)):
        if len(records) == n:
            break
        word, rest = _WORDS[index % len(_WORDS)], index // len(_WORDS)
        first, second = divmod(rest, len(_TRADE_CHARS) - 1)
        second += second >= first
        trade = _TRADE_CHARS[first] + _TRADE_CHARS[second]
        province_code, code, province, city, county = rng.choice(by_province[rng.choices(provinces, weights)[0]])
        prefix = rng.choice(("", "", "", city.removesuffix("市"), province.removesuffix("省")))
        name = f"{prefix}{trade}{word}{rng.choice(_FORMS)}"
        key = normalise_name(name)
        if key in seen_keys:  # a 字号 that is itself a place name (海南, 西安) is stripped like a prefix
            continue
        seen_keys.add(key)
        uscc = None
        if rng.random() < 1 / 3:
            uscc = _uscc(rng, code)
            while uscc in seen_uscc:
                uscc = _uscc(rng, code)
            seen_uscc.add(uscc)
        industry_code, industry_name = rng.choice(industries)
        capital_text, capital = _capital(rng)
        records.append(Record(
            name=name, uscc=uscc, province_name=province, city_name=city, county_name=county,
            province_code=province_code, city_code=code[:4], county_code=code if len(code) == 6 else None,
            industry_name=industry_name, industry_code=industry_code, capital_text=capital_text,
            capital_wan=capital, employees=rng.choice((None, rng.randint(5, 5000))),
            stock_code=f"{rng.choice((0, 2, 3, 6))}{rng.randint(0, 99999):05d}" if rng.random() < 0.05 else None))
    if len(records) < n:
        raise ValueError(f"could only make {len(records)} distinct companies")
    return records


def duplicates_for(n: int) -> int:
    """How many of ``n`` import rows repeat an earlier row (0.1 %, at least 3)."""
    return max(3, n // 1000)


def import_rows(n: int, seed: int = 2026) -> tuple[list[Record], int]:
    """``n`` rows for the import file: distinct companies plus a few repeats, and the repeat count."""
    dups = duplicates_for(n)
    rows = generate(n - dups, seed)
    rng = random.Random(seed + 1)
    for _ in range(dups):
        rows.insert(rng.randint(len(rows) // 2, len(rows)), rows[rng.randrange(len(rows) // 2)])
    return rows, dups


def import_csv(rows: list[Record]) -> bytes:
    """The import file as Excel saves a CSV: UTF-8 with a BOM, CRLF, the 企查查 headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(IMPORT_HEADER)
    writer.writerows(r.csv_cells() for r in rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def seed_values(records: list[Record], unit_id: int, user_id: int, home: str = "1410") -> list[dict]:
    """Company table rows for the export database (what an applied import would have stored)."""
    rng = random.Random(7)
    now = dt.datetime.now(dt.timezone.utc)
    out = []
    for i, r in enumerate(records):
        cluster = lookup.cluster_of(r.location_code)
        flags = {k: rng.random() < p for k, p in (("world500", 0.01), ("china500", 0.02), ("private500", 0.02),
                                                  ("listed", 0.05), ("specialized", 0.08), ("central_soe", 0.01),
                                                  ("provincial_soe", 0.02))}
        out.append({
            "name": r.name, "name_norm": normalise_name(r.name), "short_name": r.name[:4] if i % 5 == 0 else None,
            "uscc": r.uscc, "stock_code": r.stock_code, "province_code": r.province_code, "city_code": r.city_code,
            "county_code": r.county_code, "cluster": cluster.cluster if cluster else None,
            "is_local": lookup.is_local(r.location_code, home), "industry_code": r.industry_code,
            "registered_capital": r.capital_wan, "revenue": Decimal(rng.randint(0, 10 ** 7)) / 100 if i % 3 else None,
            "employees": r.employees, **flags, "owner_unit_id": unit_id, "owner_id": user_id,
            "notes": None, "version_id": 1, "created_at": now - dt.timedelta(minutes=i), "updated_at": now})
    return out
