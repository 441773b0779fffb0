"""Likely duplicate companies: fuzzy matching on the normalised name.

Names are compared by their key (:func:`crm.companies.services.normalise_name`) with rapidfuzz:
``WRatio`` (which scores a name contained in a longer one at 90) when both keys have three
characters or more, plain ``ratio`` for shorter keys, where containment says little (焦煤 in
焦煤化工). Two names whose stripped leading regions cannot be the same place (西藏药业, 云南药业)
score lower, and two companies holding different credit codes are different legal entities, so
never duplicates. The same USCC twice is refused outright by the company service.

Both searches stay cheap on tens of thousands of companies: :func:`find_similar` scores only the
candidates a few indexed SQL conditions return (keys sharing a two-character prefix, or
containing the key's first or last two characters); :func:`likely_pairs` compares names only
within blocks of keys sharing a two-character piece near their start, each block bounded by
sorted windows, never every pair.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crm.companies.regions import compatible
from crm.companies.services import name_parts
from crm.models import Company

__all__ = ["DEFAULT_THRESHOLD", "LikelyPair", "find_similar", "likely_pairs", "similarity"]

DEFAULT_THRESHOLD = 85
# Scores of names from places that cannot be the same are multiplied by this.
REGION_PENALTY = 0.8
# Rows fetched per candidate condition in find_similar.
CANDIDATES_PER_CONDITION = 500
# Largest group compared pairwise in likely_pairs; bigger blocks are cut into overlapping windows.
MAX_BLOCK = 400


def similarity(a: str, b: str, a_regions: list | None = None, b_regions: list | None = None) -> float:
    """Score two name keys from 0 to 100.

    >>> similarity("焦煤", "焦煤"), similarity("京东方", "京东方科技"), similarity("焦煤", "焦煤化工")
    (100.0, 90.0, 66.7)
    >>> from crm.companies.regions import split_regions
    >>> similarity("药业", "药业", split_regions("西藏药业")[0], split_regions("云南药业")[0])
    80.0
    """
    if not a or not b:
        return 0.0
    score = fuzz.WRatio(a, b) if min(len(a), len(b)) >= 3 else fuzz.ratio(a, b)
    if a_regions is not None and b_regions is not None and not compatible(a_regions, b_regions):
        score *= REGION_PENALTY
    return round(score, 1)


def _upper_bound(prefix: str) -> str:
    # Keys are compared in code point order (SQLite BINARY, PostgreSQL C.UTF-8), so every key
    # starting with ``prefix`` sorts in [prefix, bound): an index range, unlike LIKE on PostgreSQL.
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _prefix(column, prefix: str):
    return (column >= prefix) & (column < _upper_bound(prefix))


def _bigrams(key: str) -> list[str]:
    if len(key) < 2:
        return [key] if key else []
    return list(dict.fromkeys(key[i:i + 2] for i in range(len(key) - 1)))


def _candidate_rows(session: Session, key: str, exclude_id: int | None) -> list:
    cols = (Company.id, Company.name, Company.name_norm, Company.uscc)
    grams = _bigrams(key)[:12]
    if not grams:
        return []
    base = select(*cols)
    if exclude_id is not None:
        base = base.where(Company.id != exclude_id)
    # 1. keys starting with any two characters of this key (中国宝武钢铁 → 宝武钢铁): index ranges.
    starts = base.where(or_(*(_prefix(Company.name_norm, g) for g in grams))).limit(CANDIDATES_PER_CONDITION)
    # 2. keys containing its first or last two characters (宝武钢铁 → 中国宝武钢铁, a typo up front),
    #    closest in length first.
    pieces = {grams[0], grams[-1]}
    contains = (base.where(or_(*(Company.name_norm.contains(p, autoescape=True) for p in pieces)))
                .order_by(func.abs(func.length(Company.name_norm) - len(key)), Company.id)
                .limit(CANDIDATES_PER_CONDITION))
    rows = {row.id: row for row in session.execute(starts)}
    rows.update({row.id: row for row in session.execute(contains)})
    return list(rows.values())


def _different_entities(uscc_a: str | None, uscc_b: str | None) -> bool:
    return bool(uscc_a and uscc_b and uscc_a != uscc_b)


def find_similar(session: Session, name: str, *, exclude_id: int | None = None, limit: int = 5,
                 threshold: float = DEFAULT_THRESHOLD, uscc: str | None = None) -> list[tuple[Company, float]]:
    """Existing companies whose name is likely the same firm as ``name``, best first.

    Parameters
    ----------
    name : str
        The name as typed; it is normalised here.
    exclude_id : int, optional
        A company to leave out (the one being edited).
    limit, threshold
        At most ``limit`` matches scoring ``threshold`` or more.
    uscc : str, optional
        The credit code of the new company: a company holding a different code is another
        legal entity and is not offered as a duplicate.

    Returns
    -------
    list of (Company, score)
    """
    regions, key = name_parts(name)
    scored: list[tuple[float, int]] = []
    for row in _candidate_rows(session, key, exclude_id):
        if _different_entities(uscc, row.uscc):
            continue
        score = similarity(key, row.name_norm, regions, name_parts(row.name)[0])
        if score >= threshold:
            scored.append((score, row.id))
    scored.sort(key=lambda item: (-item[0], item[1]))
    scored = scored[:limit]
    if not scored:
        return []
    companies = {c.id: c for c in session.scalars(select(Company).where(Company.id.in_([i for _s, i in scored])))}
    return [(companies[i], s) for s, i in scored if i in companies]


@dataclass(frozen=True)
class LikelyPair:
    a: Company
    b: Company
    score: float


def _block_keys(key: str) -> set[str]:
    # Two-character pieces at the first three positions: names sharing any of them meet in a block,
    # which catches a prefix added or dropped (中国宝武钢铁 / 宝武钢铁) as well as a changed ending.
    if len(key) < 2:
        return {key} if key else set()
    return {key[i:i + 2] for i in range(min(3, len(key) - 1))}


def _windows(members: list[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    if len(members) <= MAX_BLOCK:
        yield members
        return
    # Sorted neighbourhood: similar keys sort near each other; windows overlap by half.
    members = sorted(members, key=lambda m: m[1])
    step = MAX_BLOCK // 2
    for start in range(0, len(members) - step, step):
        yield members[start:start + MAX_BLOCK]


def likely_pairs(session: Session, threshold: float = DEFAULT_THRESHOLD, limit: int = 200) -> list[LikelyPair]:
    """Pairs of companies across the database that are likely one firm, best first."""
    rows = session.execute(select(Company.id, Company.name, Company.name_norm, Company.uscc)).all()
    info = {row.id: row for row in rows}
    blocks: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        for block_key in _block_keys(row.name_norm or ""):
            blocks[block_key].append((row.id, row.name_norm))
    regions: dict[int, list] = {}

    def regions_of(company_id: int) -> list:
        if company_id not in regions:
            regions[company_id] = name_parts(info[company_id].name)[0]
        return regions[company_id]

    best: dict[tuple[int, int], float] = {}
    for members in blocks.values():
        if len(members) < 2:
            continue
        for window in _windows(members):
            keys = [key for _id, key in window]
            for i in range(len(window) - 1):
                first_id, first_key = window[i]
                # WRatio is never below ratio, so its cut-off keeps every pair similarity() could keep.
                hits = process.extract(first_key, keys[i + 1:], scorer=fuzz.WRatio, score_cutoff=threshold,
                                       limit=None)
                for _choice, _raw, offset in hits:
                    other_id, other_key = window[i + 1 + offset]
                    pair = (min(first_id, other_id), max(first_id, other_id))
                    if pair[0] == pair[1] or pair in best:
                        continue
                    if _different_entities(info[first_id].uscc, info[other_id].uscc):
                        continue
                    score = similarity(first_key, other_key, regions_of(first_id), regions_of(other_id))
                    if score >= threshold:
                        best[pair] = score
    top = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
    ids = {i for pair, _s in top for i in pair}
    companies = {c.id: c for c in session.scalars(select(Company).where(Company.id.in_(ids)))} if ids else {}
    return [LikelyPair(companies[a], companies[b], score) for (a, b), score in top]
