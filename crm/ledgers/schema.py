"""台账 templates: YAML files in ``crm/ledgers/templates/`` loaded with ``yaml.safe_load`` and checked here.

A template is configuration, not code: title and meta row (with ``{year}`` ``{month}`` ``{unit}``
``{period_end}`` ``{today}`` placeholders), columns (key, header, optional group for a two-level merged
header, source field, type, number format, width, wrap, summed in 总计/小计, value labels), the 总计 row,
the subtotal groupings a user may choose, frozen columns and print setup. Every problem is reported as
:class:`TemplateError` naming the file and the field (``columns[3].type``), so a wrong edit fails at
start-up and in the test that loads every shipped template, never half-way through an export.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TYPES = ("seq", "text", "int", "money", "percent", "date", "month")
#: The default number format of each type; a column's ``format`` overrides it.
FORMATS = {"seq": "0", "text": "@", "int": "0", "money": "#,##0.00", "percent": "0.00%", "date": "yyyy-mm-dd",
           "month": 'yyyy"年"m"月"'}
PLACEHOLDERS = frozenset({"year", "month", "unit", "period_end", "today", "value"})
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class TemplateError(ValueError):
    """A template file that cannot be used; the message names the file and the field."""

    def __init__(self, file: str, where: str, message: str):
        super().__init__(f"{file}: {where}: {message}")
        self.file, self.where, self.message = file, where, message


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    source: str
    type: str = "text"
    format: str = "@"
    width: float = 12
    wrap: bool = False
    sum: bool = False
    ratio: tuple[str, str] | None = None  # percent columns: Σ numerator ÷ Σ denominator in 总计/小计 rows
    labels: dict[str, str] = field(default_factory=dict)
    group: str | None = None
    hidden: bool = False
    fill: bool = False            # a figure the unit fills in for the month: unlocked in a fill download
    optional: str | None = None   # written only when this option is asked for (e.g. ``funds``)


@dataclass(frozen=True)
class Grouping:
    by: str       # a field of the source's rows
    name: str     # shown in the form: 按项目类别
    label: str    # the 小计 row's label, e.g. "{value}小计"


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    source: str
    sheet: str
    title: str
    meta: tuple[str, str, str]
    columns: tuple[Column, ...]
    totals_label: str | None
    totals_column: str | None
    count_column: str | None
    subtotals: tuple[Grouping, ...]
    freeze_columns: int
    landscape: bool
    fit_width: bool
    paper: int
    description: str = ""
    #: Every column, the optional ones included; ``columns`` are those written by default.
    all_columns: tuple[Column, ...] = ()

    def column(self, key: str) -> Column:
        return next(c for c in self.all_columns or self.columns if c.key == key)

    @property
    def options(self) -> tuple[str, ...]:
        """The names of the optional column sets, in column order."""
        return tuple(dict.fromkeys(c.optional for c in self.all_columns if c.optional))

    def with_options(self, names) -> Template:
        """The template with the optional columns of ``names`` written in their places."""
        wanted = set(names or ())
        return replace(self, columns=tuple(c for c in self.all_columns or self.columns
                                           if c.optional is None or c.optional in wanted))


def _check_text(file: str, where: str, value: Any, *, required: bool = True, placeholders=PLACEHOLDERS) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise TemplateError(file, where, "must be a non-empty text")
    try:
        names = {name for _lit, name, _spec, _conv in string.Formatter().parse(value) if name is not None}
    except ValueError as err:
        raise TemplateError(file, where, f"bad placeholder: {err}") from None
    unknown = names - set(placeholders)
    if unknown:
        raise TemplateError(file, where, f"unknown placeholder {{{sorted(unknown)[0]}}}; allowed: "
                            + ", ".join(f"{{{p}}}" for p in sorted(placeholders)))
    return value


def _check_keys(file: str, where: str, data: dict, allowed: set[str], required: set[str]) -> None:
    if not isinstance(data, dict):
        raise TemplateError(file, where, "must be a mapping")
    for name in sorted(set(data) - allowed):
        raise TemplateError(file, f"{where}.{name}" if where else name, "unknown field")
    for name in sorted(required - set(data)):
        raise TemplateError(file, f"{where}.{name}" if where else name, "is required")


COLUMN_FIELDS = {"key", "header", "source", "type", "format", "width", "wrap", "sum", "ratio", "labels", "hidden",
                 "fill", "optional"}


def _optional(file: str, where: str, value: Any) -> str | None:
    if value is not None and not (isinstance(value, str) and KEY.match(value)):
        raise TemplateError(file, where, "must name an option (lower-case key)")
    return value


def _column(file: str, where: str, data: Any, group: str | None, optional: str | None = None) -> Column:
    _check_keys(file, where, data, COLUMN_FIELDS, {"key", "header"})
    key = data["key"]
    if not isinstance(key, str) or not KEY.match(key):
        raise TemplateError(file, f"{where}.key", "must be lower-case letters, digits and _ (a stable machine key)")
    kind = data.get("type", "text")
    if kind not in TYPES:
        raise TemplateError(file, f"{where}.type", f"{kind!r} is not one of {', '.join(TYPES)}")
    width = data.get("width", 12)
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not 1 <= width <= 120:
        raise TemplateError(file, f"{where}.width", "must be a number from 1 to 120")
    for flag in ("wrap", "sum", "hidden", "fill"):
        if not isinstance(data.get(flag, False), bool):
            raise TemplateError(file, f"{where}.{flag}", "must be true or false")
    if data.get("sum") and kind not in ("int", "money"):
        raise TemplateError(file, f"{where}.sum", "only int and money columns are summed")
    ratio = data.get("ratio")
    if ratio is not None:
        if kind != "percent" or not (isinstance(ratio, list) and len(ratio) == 2 and all(isinstance(r, str)
                                                                                         for r in ratio)):
            raise TemplateError(file, f"{where}.ratio", "a percent column's [numerator key, denominator key]")
    labels = data.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise TemplateError(file, f"{where}.labels", "must map stored values to texts")
    number_format = data.get("format", FORMATS[kind])
    if not isinstance(number_format, str) or not number_format:
        raise TemplateError(file, f"{where}.format", "must be an Excel number format")
    source = data.get("source", key)
    if not isinstance(source, str) or not KEY.match(source):
        raise TemplateError(file, f"{where}.source", "must name a field of the source (lower-case key)")
    return Column(key=key, header=_check_text(file, f"{where}.header", data["header"]), source=source, type=kind,
                  format=number_format, width=float(width), wrap=bool(data.get("wrap", False)),
                  sum=bool(data.get("sum", False)), ratio=tuple(ratio) if ratio else None,
                  labels={str(k): v for k, v in labels.items()}, group=group, hidden=bool(data.get("hidden", False)),
                  fill=bool(data.get("fill", False)),
                  optional=_optional(file, f"{where}.optional", data.get("optional")) or optional)


TOP_FIELDS = {"name", "description", "source", "sheet", "title", "meta", "columns", "totals", "subtotals",
              "freeze_columns", "print"}


def parse(file: str, data: Any, sources: frozenset[str] | None = None) -> Template:
    """Check one template's data (as YAML gives it) and build the :class:`Template`."""
    _check_keys(file, "", data, TOP_FIELDS, {"name", "source", "title", "columns"})
    if sources is not None and data["source"] not in sources:
        raise TemplateError(file, "source",
                            f"{data['source']!r} is not a data source; known: {', '.join(sorted(sources))}")
    meta = data.get("meta") or {}
    _check_keys(file, "meta", meta, {"left", "center", "right"}, set())
    meta_texts = tuple(_check_text(file, f"meta.{side}", meta.get(side), required=False)
                       for side in ("left", "center", "right"))
    raw_columns = data["columns"]
    if not isinstance(raw_columns, list) or not raw_columns:
        raise TemplateError(file, "columns", "must be a non-empty list")
    columns: list[Column] = []
    for i, item in enumerate(raw_columns):
        where = f"columns[{i}]"
        if isinstance(item, dict) and "group" in item:
            _check_keys(file, where, item, {"group", "columns", "optional"}, {"group", "columns"})
            group = _check_text(file, f"{where}.group", item["group"])
            optional = _optional(file, f"{where}.optional", item.get("optional"))
            children = item["columns"]
            if not isinstance(children, list) or len(children) < 2:
                raise TemplateError(file, f"{where}.columns", "a group needs at least two columns")
            columns += [_column(file, f"{where}.columns[{j}]", child, group, optional)
                        for j, child in enumerate(children)]
        else:
            columns.append(_column(file, where, item, None))
    keys = [c.key for c in columns]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise TemplateError(file, f"columns.{key}", "the key is used twice")
    for c in columns:
        for other in c.ratio or ():
            if other not in keys:
                raise TemplateError(file, f"columns.{c.key}.ratio", f"no column {other!r}")
    totals = data.get("totals")
    label = label_column = count_column = None
    if totals is not None:
        _check_keys(file, "totals", totals, {"label", "column", "count_column"}, {"label", "column"})
        label = _check_text(file, "totals.label", totals["label"])
        label_column, count_column = totals["column"], totals.get("count_column")
        for name, value in (("column", label_column), ("count_column", count_column)):
            if value is not None and value not in keys:
                raise TemplateError(file, f"totals.{name}", f"no column {value!r}")
    groupings = []
    for i, item in enumerate(data.get("subtotals") or []):
        _check_keys(file, f"subtotals[{i}]", item, {"by", "name", "label"}, {"by", "name", "label"})
        groupings.append(Grouping(by=item["by"], name=_check_text(file, f"subtotals[{i}].name", item["name"]),
                                  label=_check_text(file, f"subtotals[{i}].label", item["label"])))
    if groupings and label_column is None:
        raise TemplateError(file, "subtotals", "小计 rows need a totals section (its label column)")
    freeze = data.get("freeze_columns", 0)
    if isinstance(freeze, bool) or not isinstance(freeze, int) or not 0 <= freeze < len(columns):
        raise TemplateError(file, "freeze_columns", "must be a column count smaller than the number of columns")
    setup = data.get("print") or {}
    _check_keys(file, "print", setup, {"landscape", "fit_width", "paper"}, set())
    paper = setup.get("paper", "A4")
    if paper not in ("A3", "A4"):
        raise TemplateError(file, "print.paper", "must be A3 or A4")
    sheet = data.get("sheet", data["name"])
    if not isinstance(sheet, str) or not 0 < len(sheet) <= 31 or set(sheet) & set("[]:*?/\\"):
        raise TemplateError(file, "sheet", "an Excel sheet name: 1–31 characters without [ ] : * ? / \\")
    return Template(key=Path(file).stem, name=_check_text(file, "name", data["name"], placeholders=()),
                    description=_check_text(file, "description", data.get("description"), required=False,
                                            placeholders=()),
                    source=data["source"], sheet=sheet,
                    title=_check_text(file, "title", data["title"]), meta=meta_texts,
                    columns=tuple(c for c in columns if c.optional is None), all_columns=tuple(columns),
                    totals_label=label, totals_column=label_column, count_column=count_column,
                    subtotals=tuple(groupings), freeze_columns=freeze,
                    landscape=bool(setup.get("landscape", True)), fit_width=bool(setup.get("fit_width", True)),
                    paper=8 if paper == "A3" else 9)


def load_file(path: Path, sources: frozenset[str] | None = None) -> Template:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise TemplateError(path.name, "yaml", str(err).replace("\n", " ")) from None
    return parse(path.name, data, sources)


def load_dir(directory: Path = TEMPLATE_DIR, sources: frozenset[str] | None = None) -> dict[str, Template]:
    """Every ``*.yaml`` template of a directory, by file stem, in file-name order."""
    return {t.key: t for t in (load_file(p, sources) for p in sorted(directory.glob("*.yaml")))}
