"""Run our export and import code and their floors on one database, on the same data, in one run.

Each benchmark alternates ours and the floor (best of ``repeats``), so drift in the machine's speed
hits both. The exports read a company table seeded with ``rows`` companies; the import then starts
from an emptied company table (rows, staged rows and batches deleted, then ``VACUUM``) before every
run of either side, so ours and the floor both insert into an empty table of the same database.
"""
from __future__ import annotations

import cProfile
import gc
import io
import pstats
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import delete, func, insert, select, text

from config import TestingConfig
from crm import create_app
from crm.extensions import db
from tests.benchmarks import data, floors

TARGETS = {"csv_export": 1.5, "xlsx_export": 1.3, "csv_import": 3.0}
TITLES = {"csv_export": "Company CSV export (`csv_chunks`)",
          "xlsx_export": "Company XLSX export (`write_file` xlsx)",
          "csv_import": "Company CSV import, validation + dedupe (create_batch → stage → apply)"}
PASSWORD = "Bench-pass-2026"
Log = Callable[[str], None]


@dataclass
class Result:
    key: str
    rows: int
    ours: float
    floor: float
    target: float
    ours_peak_mib: float | None = None
    floor_peak_mib: float | None = None
    runs: int = 1
    phases: dict[str, float] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    profile: str | None = None

    @property
    def title(self) -> str:
        return TITLES[self.key]

    @property
    def ratio(self) -> float:
        return self.ours / self.floor

    @property
    def met(self) -> bool:
        return self.ratio <= self.target

    def problems(self) -> list[str]:
        """Checks that failed: both sides must produce the rows they were given (imports: minus repeats)."""
        c = self.checks
        if self.key == "csv_import":
            wanted = {"ours_created": c["expected"], "ours_table": c["expected"], "ours_refused": c["duplicates"],
                      "floor_created": c["expected"], "floor_table": c["expected"]}
        else:
            wanted = {"ours_rows": self.rows, "floor_rows": self.rows}
        return [f"{k} is {c.get(k)}, expected {v}" for k, v in wanted.items() if c.get(k) != v]


@dataclass
class Suite:
    database: str            # "SQLite 3.40.1" / "PostgreSQL 15.x"
    url: str                 # without password
    rows: int
    results: list[Result] = field(default_factory=list)


# --- the app and the database ---------------------------------------------------------------------------

def open_app(url: str, instance: Path) -> Flask:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    app.instance_path = str(instance)  # uploads and job files are stored under it
    return app


def prepare() -> tuple[int, int]:
    """Migrate, load reference data, create a unit and an officer; return their ids (app context pushed)."""
    from crm.models import Company
    from crm.refdata.loader import load_reference_data
    from crm.units.services import create_unit
    from crm.users.services import create_user

    upgrade()
    if db.session.scalar(select(func.count()).select_from(Company)):
        raise SystemExit("the benchmark database already holds companies; give it an empty (fresh) database")
    load_reference_data(db.session)
    unit = create_unit(db.session, None, {"name": "基准测试县", "kind": "county"})
    db.session.flush()
    user = create_user(db.session, None, username="perf_officer", name="基准测试", unit_id=unit.id, roles={"officer"},
                       password=PASSWORD)
    db.session.commit()
    ids = unit.id, user.id
    db.session.remove()
    return ids


def database_name() -> str:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        import sqlite3
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar()
    return f"PostgreSQL {version}"


def seed(records: list[data.Record], unit_id: int, user_id: int) -> None:
    from crm.models import Company

    values = data.seed_values(records, unit_id, user_id)
    for start in range(0, len(values), 5000):
        db.session.execute(insert(Company), values[start:start + 5000])
    db.session.commit()
    db.session.remove()
    _maintain()


def clear() -> None:
    """Empty the company table and the import tables, then reclaim space and refresh statistics."""
    from crm.models import Company, ImportBatch, ImportRow

    db.session.execute(delete(ImportRow))
    db.session.execute(delete(ImportBatch))
    db.session.execute(delete(Company))
    db.session.commit()
    db.session.remove()
    _maintain(vacuum=True)


def _maintain(vacuum: bool = False) -> None:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # pysqlite runs in autocommit mode here (crm.core.database)
        try:
            for sql in (("VACUUM",) if vacuum else ()) + ("ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"):
                raw.driver_connection.execute(sql)
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if vacuum else "ANALYZE")


# --- measuring ------------------------------------------------------------------------------------------

def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def peak_mib(fn: Callable[[], Any]) -> float:
    """Peak Python heap (tracemalloc) of one run; slow, so never part of a timed run."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()


def profiled(fn: Callable[[], Any], top: int = 15) -> str:
    """cProfile of one run: the ``top`` entries by cumulative time, this package's wrappers left out."""
    profile = cProfile.Profile()
    profile.enable()
    fn()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(top + 10)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    body = [line for line in lines[start + 1:] if line.strip() and "tests/benchmarks/" not in line]
    return "\n".join([lines[start], *body[:top]])


# --- the three benchmarks ---------------------------------------------------------------------------------

def _scope(user_id: int):
    from crm.models import User
    from crm.security.scope import scope_for
    return scope_for(db.session, db.session.get(User, user_id))


def ours_csv(user_id: int, target: Path) -> None:
    from crm.exports.services import csv_chunks
    try:
        with open(target, "w", encoding="utf-8", newline="") as fh:
            for chunk in csv_chunks(db.session, "companies", _scope(user_id), {}):
                fh.write(chunk)
    finally:
        db.session.rollback()
        db.session.remove()


def ours_xlsx(user_id: int, target: Path) -> int:
    from crm.exports.services import write_file
    try:
        return write_file(db.session, "companies", _scope(user_id), {}, "xlsx", target)
    finally:
        db.session.rollback()
        db.session.remove()


def export_sql(user_id: int, fmt: str) -> tuple[str, list[str]]:
    """The export's own statement for this user and format, compiled for the database; and its headers."""
    from crm.exports.registry import EXPORT_KINDS
    kind = EXPORT_KINDS["companies"]
    sql = floors.compile_sql(db.engine, kind.statement(_scope(user_id), {}, fmt))
    db.session.remove()
    return sql, [c.header for c in kind.columns]


def ours_import(user_id: int, payload: bytes, phases: dict[str, float] | None = None) -> tuple[int, int]:
    """The whole import path as the worker runs it; returns (companies created, rows refused)."""
    from crm.imports import services
    from crm.models import User

    session = db.session
    try:
        start = time.perf_counter()
        user = session.get(User, user_id)
        batch = services.create_batch(session, user, "companies", "企查查导出.csv", payload)
        services.set_mapping(session, user, batch, batch.mapping)
        session.commit()
        read = time.perf_counter()
        for _done in services.stage(session, batch):
            session.commit()
        staged = time.perf_counter()
        batch.valid_only = True  # the repeated rows are refused; the user imports the valid rows
        result = services.apply(session, user, batch)
        session.commit()
        end = time.perf_counter()
        if phases is not None:
            phases.update({"upload + map": read - start, "stage": staged - read, "apply": end - staged})
        return result["created"], batch.errors
    finally:
        session.rollback()
        session.remove()


def csv_rows(path: Path) -> int:
    return path.read_bytes().count(b"\r\n") - 1


def xlsx_rows(path: Path) -> int:
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return len(rows) - 1


def company_count() -> int:
    from crm.models import Company
    n = db.session.scalar(select(func.count()).select_from(Company)) or 0
    db.session.remove()
    return n


def _best(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(p[0] for p in pairs), min(p[1] for p in pairs)


def bench_export(key: str, user_id: int, workdir: Path, *, repeats: int, memory: bool, profile: bool,
                 log: Log, label: str) -> Result:
    """One export format, ours against the raw-cursor floor, on the seeded company table."""
    sql, headers = export_sql(user_id, "csv" if key == "csv_export" else "xlsx")
    if key == "csv_export":
        ext, count = "csv", csv_rows
        ours, floor = partial(ours_csv, user_id), partial(floors.csv_export, db.engine, sql, headers)
    else:
        ext, count = "xlsx", xlsx_rows
        ours, floor = partial(ours_xlsx, user_id), partial(floors.xlsx_export, db.engine, sql, headers)
    mine, raw = workdir / f"ours.{ext}", workdir / f"floor.{ext}"
    times = []
    for i in range(repeats):
        t_ours, _ = timed(lambda: ours(mine))
        t_floor, _ = timed(lambda: floor(raw))
        times.append((t_ours, t_floor))
        log(f"[{label}] {key} run {i + 1}: ours {t_ours:.3f}s floor {t_floor:.3f}s")
    result = Result(key, company_count(), *_best(times), TARGETS[key], runs=repeats,
                    checks={"ours_rows": count(mine), "floor_rows": count(raw)})
    if memory:
        result.ours_peak_mib = peak_mib(lambda: ours(mine))
        result.floor_peak_mib = peak_mib(lambda: floor(raw))
    if profile:
        result.profile = profiled(lambda: ours(mine))
    return result


def bench_import(rows: int, unit_id: int, user_id: int, *, repeats: int, memory: bool, profile: bool,
                 log: Log, label: str) -> Result:
    """The company import, ours against the executemany floor, each run on an emptied company table."""
    records, dups = data.import_rows(rows, seed=4754)
    payload = data.import_csv(records)
    locations = {(r.province_name, r.city_name, r.county_name): (r.province_code, r.city_code, r.county_code)
                 for r in records}
    industries = {r.industry_name: r.industry_code for r in records}

    def floor() -> int:
        return floors.csv_import(db.engine, payload, locations, industries, unit_id, user_id)

    times: list[tuple[float, float]] = []
    phases: dict[str, float] = {}
    checks: dict[str, int] = {"expected": rows - dups, "duplicates": dups}
    for i in range(repeats):
        clear()
        t_floor, checks["floor_created"] = timed(floor)
        checks["floor_table"] = company_count()
        clear()
        run_phases: dict[str, float] = {}
        t_ours, (checks["ours_created"], checks["ours_refused"]) = timed(
            lambda: ours_import(user_id, payload, run_phases))
        checks["ours_table"] = company_count()
        if not times or t_ours < min(t for t, _f in times):
            phases = run_phases
        times.append((t_ours, t_floor))
        log(f"[{label}] csv_import run {i + 1}: ours {t_ours:.3f}s "
            f"({', '.join(f'{k} {v:.2f}s' for k, v in run_phases.items())}) floor {t_floor:.3f}s")
    result = Result("csv_import", rows, *_best(times), TARGETS["csv_import"], runs=repeats, phases=phases,
                    checks=checks)
    if memory:
        clear()
        result.floor_peak_mib = peak_mib(floor)
        clear()
        result.ours_peak_mib = peak_mib(lambda: ours_import(user_id, payload))
    if profile:
        clear()
        result.profile = profiled(lambda: ours_import(user_id, payload))
    return result


def run(url: str, rows: int, workdir: Path, *, export_repeats: int = 3, import_repeats: int = 1,
        memory: bool = False, profile: bool = False, log: Log = print) -> Suite:
    """All three benchmarks on the database at ``url`` (empty or fresh; it is migrated here)."""
    workdir.mkdir(parents=True, exist_ok=True)
    app = open_app(url, workdir / "instance")
    with app.app_context():
        unit_id, user_id = prepare()
        suite = Suite(database_name(), db.engine.url.render_as_string(hide_password=True), rows)
        log(f"[{suite.database}] seeding {rows:,} companies")
        seed(data.generate(rows), unit_id, user_id)
        options = {"memory": memory, "profile": profile, "log": log, "label": suite.database}
        for key in ("csv_export", "xlsx_export"):
            suite.results.append(bench_export(key, user_id, workdir, repeats=export_repeats, **options))
        suite.results.append(bench_import(rows, unit_id, user_id, repeats=import_repeats, **options))
        db.session.remove()
        db.engine.dispose()
    return suite
