"""The floors: the least work that gives the same output, on the raw DB-API connection.

Exports run the export's own SQL (compiled with literal binds for the database in use) on a raw
cursor and hand the rows, unformatted, to a plain ``csv.writer`` or a plain xlsxwriter
``write_row`` loop. On PostgreSQL the cursor is a server-side (named) cursor fetching 2,000 rows
at a time, as our export streams with ``yield_per``; on SQLite the cursor streams anyway.
The import floor decodes the same CSV bytes, reads them with the csv module, skips repeated keys
with a set, looks codes up in plain dicts prepared beforehand and ``executemany``-s one INSERT into
the company table in one committed transaction: no validation, no normalisation, no staging.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal

from sqlalchemy import Select
from sqlalchemy.engine import Engine

FETCH = 2000
IMPORT_COLUMNS = ("name", "name_norm", "uscc", "stock_code", "province_code", "city_code", "county_code",
                  "industry_code", "registered_capital", "employees", "owner_unit_id", "owner_id", "batch_id",
                  "version_id", "created_at", "updated_at")


def compile_sql(engine: Engine, statement: Select) -> str:
    """The statement as the database receives it, parameters inlined."""
    return str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def _rows(engine: Engine, sql: str, connection) -> Iterator[Sequence]:
    if engine.dialect.name == "postgresql":
        cursor = connection.driver_connection.cursor(name="bench_floor")
        cursor.itersize = FETCH
    else:
        cursor = connection.cursor()
    try:
        cursor.execute(sql)
        while True:
            chunk = cursor.fetchmany(FETCH)
            if not chunk:
                break
            yield from chunk
    finally:
        cursor.close()


def csv_export(engine: Engine, sql: str, headers: Sequence[str], target) -> int:
    """BOM, header, then every row through one ``csv.writer``; returns the number of data rows."""
    connection = engine.raw_connection()
    n = 0
    try:
        with open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write("\ufeff")
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(headers)
            for row in _rows(engine, sql, connection):
                writer.writerow(row)
                n += 1
        connection.rollback()
    finally:
        connection.close()
    return n


def xlsx_export(engine: Engine, sql: str, headers: Sequence[str], target) -> int:
    """A constant-memory workbook written with ``write_row``; returns the number of data rows."""
    import xlsxwriter

    connection = engine.raw_connection()
    n = 0
    try:
        book = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_formulas": False,
                                                 "strings_to_urls": False, "strings_to_numbers": False,
                                                 "remove_timezone": True})
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, headers)
        for n, row in enumerate(_rows(engine, sql, connection), start=1):
            sheet.write_row(n, 0, row)
        book.close()
        connection.rollback()
    finally:
        connection.close()
    return n


def _wan(text: str) -> Decimal | None:
    text = text.replace(",", "").removesuffix("人民币").removesuffix("元")
    if not text:
        return None
    if text.endswith("亿"):
        return Decimal(text[:-1]) * 10000
    return Decimal(text.removesuffix("万"))


def csv_import(engine: Engine, data: bytes, locations: dict[tuple[str, str, str], tuple[str, str, str | None]],
               industries: dict[str, str], unit_id: int, user_id: int) -> int:
    """Insert the file's companies (repeats skipped) in one transaction; returns the number inserted."""
    sqlite = engine.dialect.name == "sqlite"
    now = dt.datetime.now(dt.timezone.utc)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = next(reader)
    col = {h: i for i, h in enumerate(header)}
    i_name, i_uscc, i_prov, i_city, i_county = (col[h] for h in ("企业名称", "统一社会信用代码", "所属省份", "所属城市",
                                                                 "所属区县"))
    i_ind, i_cap, i_emp, i_stock = (col[h] for h in ("所属行业", "注册资本", "参保人数", "股票代码"))
    seen: set = set()
    params = []
    for cells in reader:
        name, uscc = cells[i_name].strip(), cells[i_uscc].strip() or None
        province, city, county = locations[(cells[i_prov], cells[i_city], cells[i_county])]
        key = uscc or (name, county or city)
        if key in seen:
            continue
        seen.add(key)
        capital = _wan(cells[i_cap])
        params.append((name, name, uscc, cells[i_stock] or None, province, city, county,
                       industries.get(cells[i_ind]), float(capital) if sqlite and capital is not None else capital,
                       int(cells[i_emp]) if cells[i_emp] else None, unit_id, user_id, "floor", 1, stamp, stamp))
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO company ({', '.join(IMPORT_COLUMNS)}) "
           f"VALUES ({', '.join(mark for _ in IMPORT_COLUMNS)})")
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if sqlite:
            cursor.execute("BEGIN")  # the app's engine runs pysqlite in autocommit mode and begins itself
        cursor.executemany(sql, params)
        connection.commit()
        cursor.close()
    finally:
        connection.close()
    return len(params)
