"""Read a chain from YAML, JSON, the industry-chain atlas format, or a CSV pair — all or nothing.

Every reader returns a :class:`chains.records.ChainData` or raises one
:class:`chains.errors.ChainParseError` listing every problem as ``(file, row, field, message)``.
Rows are 1-based: in YAML and JSON the item's number within its list (``field`` names the list and
key, e.g. ``segments.position``); in CSV the spreadsheet row (the header is row 1, the first data
row is 2); row 0 means the file as a whole.

**YAML / JSON** (a mapping)::

    id: steel                 # optional: the reader's chain_id, else the file's stem
    name: 特钢                 # optional: defaults to the id
    segments:                 # required, non-empty
      - {id: ore, name: 铁矿, position: upstream, tier: 1, layer: 0, group: raw,
         gbt_codes: ["0810"], policy_weight: 0.5}
    links:                    # optional: supplier segment -> buyer segment, weight in [0, 1] (default 1)
      - {source: ore, target: smelt, weight: 1}
    companies:                # optional
      - {id: "600019", name: 宝钢股份, stock_code: "600019"}
    memberships:              # optional: share in [0, 1] (default 1), leader: chain leader here
      - {company: "600019", segment: smelt, share: 1, leader: true}
    supply_links:             # optional: confidence in [0, 1] (default 1)
      - {supplier: "600019", buyer: "000001", confidence: 0.8}

A mapping with ``supply_relationships`` or segments carrying ``key_companies`` is read as the atlas
format (:mod:`chains.atlas`). Without ``links``, segment links are derived from the supply links
through memberships, the position order as a fallback (:func:`chains.segments.derive_segment_links`).

**CSV pair** (UTF-8, a BOM allowed), ``segments.csv`` with the columns

- ``id`` (required, unique), ``name`` (required),
- ``position`` (required: ``upstream`` / ``midstream`` / ``downstream`` or 上游 / 中游 / 下游),
- ``tier``, ``layer`` (optional integers, order within the position), ``group`` (optional),
- ``gbt_codes`` (optional, GB/T 4754 codes separated by ``;``), ``policy_weight`` (optional, 0–1);

and ``links.csv`` with ``source`` and ``target`` (required, segment ids of segments.csv) and
``weight`` (optional, 0–1, default 1). Without a links file the position order gives the links.

Examples
--------
>>> chain = read_csv_pair("id,name,position\\na,铁矿,上游\\nb,冶炼,midstream\\n", "source,target\\na,b\\n",
...                       chain_id="steel")
>>> [(s.id, s.position) for s in chain.segments], [(l.source, l.target) for l in chain.links]
([('a', 'upstream'), ('b', 'midstream')], [('a', 'b')])
>>> read_csv_pair("id,name,position\\na,铁矿,sideways\\n", None, chain_id="steel")
Traceback (most recent call last):
...
chains.errors.ChainParseError: segments.csv:2:position: unknown position 'sideways' (upstream, midstream, downstream)
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import yaml

from chains.errors import ChainParseError, Issue
from chains.records import POSITIONS, ChainData, Company, Membership, Segment, SegmentLink, SupplyLink
from chains.segments import derive_segment_links

__all__ = ["read_yaml", "read_json", "read_csv_pair", "read_path", "parse_mapping", "TextLoader"]

CN_POSITIONS = {"上游": "upstream", "中游": "midstream", "下游": "downstream"}
GBT_CODE = re.compile(r"^(?:[A-T](?:\d{2}(?:\d{1,2})?)?|\d{2}(?:\d{1,2})?)$")


class TextLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps zero-padded numbers (stock codes like ``002129``) as text."""


def _int_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    text = loader.construct_scalar(node)
    if len(text) > 1 and text.startswith("0") and text.isdigit():
        return text
    return yaml.SafeLoader.construct_yaml_int(loader, node)


TextLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


class _Errors:
    def __init__(self, file: str):
        self.file, self.items = file, []

    def add(self, row: int, field: str, message: str) -> None:
        self.items.append(Issue(self.file, row, field, message))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(errors: _Errors, row: int, field: str, value: Any, default: float, *, unit: bool = True) -> float:
    if value is None or _text(value) == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.add(row, field, f"not a number: {value!r}")
        return default
    if not math.isfinite(number) or (unit and not 0 <= number <= 1):
        errors.add(row, field, f"must be between 0 and 1, not {value!r}")
        return default
    return number


def _integer(errors: _Errors, row: int, field: str, value: Any) -> int:
    if value is None or _text(value) == "":
        return 0
    try:
        return int(_text(value))
    except ValueError:
        errors.add(row, field, f"not an integer: {value!r}")
        return 0


def _segment(errors: _Errors, row: int, item: dict, chain_id: str, seen: set[str], prefix: str) -> Segment | None:
    sid, name = _text(item.get("id")), _text(item.get("name"))
    position = _text(item.get("position")).lower()
    position = CN_POSITIONS.get(position, position)
    ok = True
    if not sid:
        errors.add(row, f"{prefix}id", "missing")
        ok = False
    elif sid in seen:
        errors.add(row, f"{prefix}id", f"repeats segment {sid!r}")
        ok = False
    if not name:
        errors.add(row, f"{prefix}name", "missing")
        ok = False
    if position not in POSITIONS:
        errors.add(row, f"{prefix}position",
                   f"unknown position {item.get('position')!r} ({', '.join(POSITIONS)})" if position
                   else "missing")
        ok = False
    codes = item.get("gbt_codes") or ()
    if isinstance(codes, str):
        codes = [c for c in re.split(r"[;；,，\s]+", codes) if c]
    codes = tuple(_text(c) for c in codes)
    bad = [c for c in codes if not GBT_CODE.match(c)]
    if bad:
        errors.add(row, f"{prefix}gbt_codes", f"not GB/T 4754 codes: {', '.join(bad)}")
    tier = _integer(errors, row, f"{prefix}tier", item.get("tier"))
    layer = _integer(errors, row, f"{prefix}layer", item.get("layer"))
    weight = _number(errors, row, f"{prefix}policy_weight", item.get("policy_weight"), 0.0)
    seen.add(sid)
    if not ok or bad:
        return None
    return Segment(sid, chain_id, name, position, tier, layer, codes, weight, _text(item.get("group")))


def _link(errors: _Errors, row: int, item: dict, known: set[str], prefix: str) -> SegmentLink | None:
    source, target = _text(item.get("source")), _text(item.get("target"))
    ok = True
    for field, value in (("source", source), ("target", target)):
        if not value:
            errors.add(row, f"{prefix}{field}", "missing")
            ok = False
        elif value not in known:
            errors.add(row, f"{prefix}{field}", f"unknown segment {value!r}")
            ok = False
    if ok and source == target:
        errors.add(row, f"{prefix}target", "a segment cannot supply itself")
        ok = False
    weight = _number(errors, row, f"{prefix}weight", item.get("weight"), 1.0)
    return SegmentLink(source, target, weight) if ok else None


def _items(errors: _Errors, data: dict, key: str, *, required: bool = False) -> list[dict]:
    items = data.get(key)
    if items is None:
        if required:
            errors.add(0, key, "missing")
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        errors.add(0, key, "must be a list of mappings")
        return []
    if required and not items:
        errors.add(0, key, "is empty")
    return items


def parse_mapping(data: Any, *, file: str = "chain", chain_id: str | None = None) -> ChainData:
    """Read a chain from already-loaded YAML/JSON data (native or atlas format)."""
    from chains import atlas
    errors = _Errors(file)
    if not isinstance(data, dict):
        raise ChainParseError([Issue(file, 0, "", "the file must hold a mapping")])
    chain_id = chain_id or _text(data.get("id")) or Path(file).stem
    if atlas.is_atlas(data):
        return atlas.parse_atlas(data, file=file, chain_id=chain_id)
    seen: set[str] = set()
    segments = [_segment(errors, row, item, chain_id, seen, "segments.")
                for row, item in enumerate(_items(errors, data, "segments", required=True), 1)]
    links = [_link(errors, row, item, seen, "links.") for row, item in enumerate(_items(errors, data, "links"), 1)]
    companies, ids = [], set()
    for row, item in enumerate(_items(errors, data, "companies"), 1):
        cid, name = _text(item.get("id")), _text(item.get("name"))
        if not cid or not name or cid in ids:
            errors.add(row, "companies.id" if not cid or cid in ids else "companies.name",
                       "repeats a company" if cid in ids and cid else "missing")
            continue
        ids.add(cid)
        companies.append(Company(cid, name, stock_code=_text(item.get("stock_code")) or None))
    memberships = []
    for row, item in enumerate(_items(errors, data, "memberships"), 1):
        cid, sid = _text(item.get("company")), _text(item.get("segment"))
        if cid not in ids:
            errors.add(row, "memberships.company", f"unknown company {cid!r}")
        if sid not in seen:
            errors.add(row, "memberships.segment", f"unknown segment {sid!r}")
        share = _number(errors, row, "memberships.share", item.get("share"), 1.0)
        memberships.append(Membership(cid, sid, share, bool(item.get("leader", False))))
    supply = []
    for row, item in enumerate(_items(errors, data, "supply_links"), 1):
        a, b = _text(item.get("supplier")), _text(item.get("buyer"))
        for field, value in (("supplier", a), ("buyer", b)):
            if value not in ids:
                errors.add(row, f"supply_links.{field}", f"unknown company {value!r}")
        conf = _number(errors, row, "supply_links.confidence", item.get("confidence"), 1.0)
        supply.append(SupplyLink(a, b, conf, _text(item.get("product"))))
    if errors.items:
        raise ChainParseError(errors.items)
    segs = tuple(s for s in segments if s is not None)
    seg_links = tuple(lk for lk in links if lk is not None) if "links" in data else \
        tuple(derive_segment_links(segs, memberships, supply))
    return ChainData(chain_id, _text(data.get("name")) or chain_id, segs, seg_links, tuple(companies),
                     tuple(memberships), tuple(supply))


def _decode(content: str | bytes, file: str) -> str:
    if isinstance(content, bytes):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ChainParseError([Issue(file, 0, "", f"not UTF-8 text ({exc.reason})")]) from None
    return content.lstrip("\ufeff")


def read_yaml(content: str | bytes, *, file: str = "chain.yaml", chain_id: str | None = None) -> ChainData:
    """Read a chain (native or atlas format) from YAML text."""
    try:
        data = yaml.load(_decode(content, file), Loader=TextLoader)  # nosec B506 - TextLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ChainParseError([Issue(file, mark.line + 1 if mark else 0, "", f"not valid YAML: {exc}")]) from None
    return parse_mapping(data, file=file, chain_id=chain_id)


def read_json(content: str | bytes, *, file: str = "chain.json", chain_id: str | None = None) -> ChainData:
    """Read a chain (native or atlas format) from JSON text."""
    try:
        data = json.loads(_decode(content, file))
    except json.JSONDecodeError as exc:
        raise ChainParseError([Issue(file, exc.lineno, "", f"not valid JSON: {exc.msg}")]) from None
    return parse_mapping(data, file=file, chain_id=chain_id)


def _csv_rows(content: str | bytes, file: str, required: tuple[str, ...], errors: _Errors) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(_decode(content, file), newline=""))
    header = [(_text(h)).lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        errors.add(1, ",".join(missing), "missing column" + ("s" if len(missing) > 1 else ""))
        return []
    reader.fieldnames = header
    return [(row, rec) for row, rec in enumerate(reader, 2) if any(_text(v) for v in rec.values())]


def read_csv_pair(segments_csv: str | bytes, links_csv: str | bytes | None, *, chain_id: str, name: str | None = None,
                  files: tuple[str, str] = ("segments.csv", "links.csv")) -> ChainData:
    """Read a chain from the documented ``segments.csv`` and (optional) ``links.csv``."""
    seg_errors, link_errors = _Errors(files[0]), _Errors(files[1])
    seen: set[str] = set()
    segments = [_segment(seg_errors, row, rec, chain_id, seen, "")
                for row, rec in _csv_rows(segments_csv, files[0], ("id", "name", "position"), seg_errors)]
    links = []
    if links_csv is not None:
        links = [_link(link_errors, row, rec, seen, "")
                 for row, rec in _csv_rows(links_csv, files[1], ("source", "target"), link_errors)]
    if not segments and not seg_errors.items:
        seg_errors.add(0, "", "no segments")
    if seg_errors.items or link_errors.items:
        raise ChainParseError(seg_errors.items + link_errors.items)
    segs = tuple(s for s in segments if s is not None)
    seg_links = tuple(lk for lk in links if lk is not None) if links_csv is not None else \
        tuple(derive_segment_links(segs, (), ()))
    return ChainData(chain_id, name or chain_id, segs, seg_links)


def read_path(path: str | Path, *, chain_id: str | None = None) -> ChainData:
    """Read a ``.yaml``/``.yml`` or ``.json`` chain file by its extension."""
    path = Path(path)
    content = path.read_bytes()
    if path.suffix.lower() in (".yaml", ".yml"):
        return read_yaml(content, file=path.name, chain_id=chain_id or path.stem)
    if path.suffix.lower() == ".json":
        return read_json(content, file=path.name, chain_id=chain_id or path.stem)
    raise ChainParseError([Issue(path.name, 0, "", "unknown chain file type (use .yaml, .yml or .json)")])
