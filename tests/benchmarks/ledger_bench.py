"""The full 重点项目月报 export at a city's scale, beside a bare-xlsxwriter floor; writes docs/BENCHMARKS-ledgers.md.

    .venv/bin/python -m tests.benchmarks.ledger_bench               # 2,000 and 10,000 projects, SQLite
    .venv/bin/python -m tests.benchmarks.ledger_bench --postgres    # and a throwaway PostgreSQL
    .venv/bin/python -m tests.benchmarks.ledger_bench --quick       # 500 projects, temp file

- **Ours**: ``crm.ledgers.service.export`` of the shipped ``monthly_key_projects`` template for a city
  leader (every project of the plan), June 2026, to a file: the source's two statements (projects with
  their membership, owner, place, chain; the grouped monthly sums), the registry's fields (包联领导,
  联系人及电话 with masking, 问题和建议 — one statement each), assembling the rows, the 总计 row, and the
  workbook (title, meta row, merged two-level header, key row, formats, print setup).
- **Floor**: the very same statements (compiled with literal binds) run on the raw DB-API cursor and
  fetched, plus a bare xlsxwriter workbook (``constant_memory``, a format per column made once) writing
  the same cells from rows prepared beforehand — every value already final, so the floor does no
  assembling at all. Target: ours ≤ 1.3 × floor.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from crm.extensions import db
from tests.benchmarks import ledger_data, report, run, suite

TARGET = 1.3
FULL_SIZES = (2_000, 10_000)
QUICK_SIZES = (500,)


@dataclass
class Row:
    database: str
    projects: int
    ours: float
    floor: float
    floor_sql: float
    floor_write: float
    checks: dict
    ours_cpu: float = 0.0
    floor_cpu: float = 0.0

    @property
    def ratio(self) -> float:
        return self.ours / self.floor

    @property
    def cpu_ratio(self) -> float:
        return self.ours_cpu / self.floor_cpu

    @property
    def met(self) -> bool:
        return self.ratio <= TARGET

    def problems(self) -> list[str]:
        wanted = {"ours_rows": self.projects, "floor_rows": self.projects, "ours_file_rows": self.projects,
                  "floor_file_rows": self.projects}
        return [f"{k} is {self.checks.get(k)}, expected {v}" for k, v in wanted.items() if self.checks.get(k) != v]


def _context(leader_id: int):
    from crm.ledgers import service
    from crm.models import User
    from crm.security.scope import scope_for
    scope = scope_for(db.session, db.session.get(User, leader_id))
    return service.context(db.session, scope, ledger_data.YEAR, ledger_data.MONTH, None, dt.date(2026, 7, 1))


def statements(ctx) -> list[str]:
    """Every statement our export runs, as the database receives it."""
    from crm.ledgers import fields, service, sources
    from tests.benchmarks.floors import compile_sql
    template = service.templates()["monthly_key_projects"]
    out = [compile_sql(db.engine, s) for s in sources.monthly_statements(ctx).values()]
    ids = sources._project_ids(ctx)
    for key in sorted({c.source for c in template.columns} - sources.MONTHLY_FIELDS):
        field = fields.field_object(key)
        if isinstance(field, fields.SqlField):
            out.append(compile_sql(db.engine, field.statement(ids, ctx)))
    return out


def floor_sql(sqls: list[str]) -> int:
    raw = db.engine.raw_connection()
    try:
        n = 0
        for sql in sqls:
            cursor = raw.cursor()
            cursor.execute(sql)
            n += len(cursor.fetchall())
            cursor.close()
        raw.rollback()
        return n
    finally:
        raw.close()


def floor_write(path: Path, template, sheet) -> int:
    """The same cells, bare: strings, numbers, dates and blanks with a per-column format made once."""
    import xlsxwriter
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_urls": False, "strings_to_numbers": False})
    ws = book.add_worksheet(template.sheet)
    formats = [book.add_format({"border": 1, "num_format": c.format}) for c in template.columns]
    ws.write_string(0, 0, template.title)
    for c, column in enumerate(template.columns):
        ws.write_string(2, c, column.group or column.header)
    for c, column in enumerate(template.columns):
        ws.write_string(3, c, column.header)
    for c, column in enumerate(template.columns):
        ws.write_string(4, c, column.key)
    r = 5
    n = 0
    for kind, values in sheet.rows:
        for c, v in enumerate(values):
            if v is None:
                ws.write_blank(r, c, None, formats[c])
            elif isinstance(v, str):
                ws.write_string(r, c, v, formats[c])
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, v, formats[c])
            else:
                ws.write_number(r, c, v, formats[c])
        n += kind == "data"
        r += 1
    book.close()
    return n


def _file_rows(path: Path, id_column: int) -> int:
    from python_calamine import CalamineWorkbook
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    return sum(1 for row in sheet[5:] if len(row) > id_column and isinstance(row[id_column], (int, float))
               and row[id_column] != "")


def _timed(fn) -> tuple[float, float, object]:
    """Wall and process CPU time of one run."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def run_one(url: str, projects: int, workdir: Path, repeats: int, log) -> Row:
    from crm.ledgers import render, service, sources
    workdir.mkdir(parents=True, exist_ok=True)
    app = suite.open_app(url, workdir / "instance")
    with app.app_context():
        suite.prepare()
        name = suite.database_name()
        leader, counties = ledger_data.people()
        log(f"[{name}] seeding {projects:,} projects")
        ledger_data.seed(projects, leader, counties)
        suite._maintain()
        template = service.templates()["monthly_key_projects"]
        ctx = _context(leader)
        sqls = statements(ctx)
        data = sources.monthly_projects(db.session, ctx)  # the floor's prepared cells (untimed)
        sources.fill_fields(db.session, ctx, data, sorted({c.source for c in template.columns if c.type != "seq"}
                                                          - sources.MONTHLY_FIELDS))
        sheet = render.lay_out(template, data, None)
        db.session.remove()
        ours_path, floor_path = workdir / "ours.xlsx", workdir / "floor.xlsx"

        def ours():
            n = service.export(db.session, template, _context(leader), str(ours_path))
            db.session.remove()
            return n

        times: dict[str, list[tuple[float, float]]] = {"ours": [], "sql": [], "write": []}
        ours_rows = floor_rows = 0
        for _ in range(repeats):  # alternate, best of each
            wall, cpu, ours_rows = _timed(ours)
            times["ours"].append((wall, cpu))
            wall, cpu, _fetched = _timed(lambda: floor_sql(sqls))
            times["sql"].append((wall, cpu))
            wall, cpu, floor_rows = _timed(lambda: floor_write(floor_path, template, sheet))
            times["write"].append((wall, cpu))
        id_column = len(template.columns) - 1
        checks = {"ours_rows": ours_rows, "floor_rows": floor_rows, "ours_file_rows": _file_rows(ours_path, id_column),
                  "floor_file_rows": _file_rows(floor_path, id_column), "statements": len(sqls)}
        db.engine.dispose()
    best = {k: min(w for w, _c in v) for k, v in times.items()}
    cpu = {k: min(c for _w, c in v) for k, v in times.items()}
    row = Row(name, projects, best["ours"], best["sql"] + best["write"], best["sql"], best["write"], checks,
              cpu["ours"], cpu["sql"] + cpu["write"])
    log(f"[{name}] {projects:,} projects: ours {row.ours:.3f}s, floor {row.floor:.3f}s "
        f"(SQL {row.floor_sql:.3f}s + write {row.floor_write:.3f}s), ratio {row.ratio:.2f}; "
        f"CPU ours {row.ours_cpu:.3f}s floor {row.floor_cpu:.3f}s, ratio {row.cpu_ratio:.2f}")
    return row


def render_report(rows: list[Row], info: dict[str, str]) -> str:
    out = ["# 台账 benchmarks", "",
           "Generated by `python -m tests.benchmarks.ledger_bench` (`make bench`); do not edit by hand.", "",
           __doc__.split("\n\n", 2)[2].strip(), "",
           "Data (`tests/benchmarks/ledger_data.py`): 12 counties, every project in 2026's plan with 12 months of "
           "figures, a contact on every other company, a 包联 leader on a third and an open problem on a tenth of "
           "the projects. Each figure is the best of its runs; ours and the floor alternate. The floor is the sum "
           "of its best SQL time and its best write time. The target is judged on wall time; the CPU columns "
           "(this process's CPU time, `time.process_time`: a PostgreSQL server's own work is not in it, on "
           "either side) show the same comparison without the waiting a loaded machine adds to wall time.", "",
           "| Database | Projects | Ours (s) | Floor (s) | Floor SQL (s) | Floor write (s) | Ratio | Target | Met "
           "| Ours CPU (s) | Floor CPU (s) | CPU ratio | Checks |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"]
    for r in rows:
        problems = r.problems()
        checks = "; ".join(problems) if problems else (
            f"{r.checks['ours_rows']:,} project rows on both sides, read back from both files; "
            f"{r.checks['statements']} statements")
        out.append(f"| {r.database} | {r.projects:,} | {r.ours:.3f} | {r.floor:.3f} | {r.floor_sql:.3f} | "
                   f"{r.floor_write:.3f} | {r.ratio:.2f} | ≤ {TARGET:g} | {'met' if r.met else '**missed**'} | "
                   f"{r.ours_cpu:.3f} | {r.floor_cpu:.3f} | {r.cpu_ratio:.2f} | "
                   f"{'**' + checks + '**' if problems else checks} |")
    out += ["", "## Machine", "", *(f"- {k}: {v}" for k, v in info.items()), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.ledger_bench")
    parser.add_argument("--quick", action="store_true", help="500 projects; writes a temporary file")
    parser.add_argument("--projects", type=int, nargs="+")
    parser.add_argument("--postgres", action="store_true", help="also run on a throwaway PostgreSQL cluster")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args, _unknown = parser.parse_known_args(argv)  # `make bench` passes the other benchmarks' arguments too
    sizes = args.projects or (QUICK_SIZES if args.quick else FULL_SIZES)
    info = report.machine()
    rows: list[Row] = []
    with run.databases("ledgerbench", args.postgres) as urls:
        for n in sizes:
            for url, workdir in urls(n):
                rows.append(run_one(url, n, workdir, args.repeats, lambda line: print(line, flush=True)))
    info["Load average (1, 5, 15 min) at the end"] = report.load_average()
    output = args.output or (Path(tempfile.mkstemp(prefix="BENCHMARKS-ledgers-", suffix=".md")[1]) if args.quick
                             else report.ROOT / "docs" / "BENCHMARKS-ledgers.md")
    output.write_text(render_report(rows, info), encoding="utf-8")
    print(output.read_text(encoding="utf-8"))
    wrong = [r for r in rows if r.problems()]
    return 1 if wrong or (args.strict and any(not r.met for r in rows)) else 0


if __name__ == "__main__":
    sys.exit(main())
