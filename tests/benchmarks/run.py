"""Run the file-core benchmarks beside their floors and write docs/BENCHMARKS.md.

    .venv/bin/python -m tests.benchmarks.run                 # 100,000 rows on a fresh SQLite file
    .venv/bin/python -m tests.benchmarks.run --quick         # 5,000 rows; writes a temporary file
    .venv/bin/python -m tests.benchmarks.run --postgres      # SQLite, then a throwaway PostgreSQL
    .venv/bin/python -m tests.benchmarks.run --database-url postgresql+psycopg://user@host/bench

A database given with ``--database-url`` is migrated here and must hold no companies (give it a
fresh one). Missed targets are reported in the file, never hidden; ``--strict`` also makes the
exit status 1 when one is missed.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import signal
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.benchmarks import report, suite

ROOT = report.ROOT
QUICK_ROWS = 5_000
FULL_ROWS = 100_000
PG_DATABASE = "bench"


def _pg_throwaway():
    spec = importlib.util.spec_from_file_location("pg_throwaway", ROOT / "scripts" / "pg_throwaway.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _admin(server_url: str, *statements: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        admin.dispose()


def fresh_pg_database(server_url: str, name: str = PG_DATABASE) -> str:
    """Create (or re-create) database ``name`` on the server; return its URL."""
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
           f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, name: str = PG_DATABASE) -> None:
    _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def databases(name: str, postgres: bool):
    """Fresh databases for one benchmark run. Yields ``urls(label)``: a SQLite file and, with ``postgres``, a
    fresh database on the throwaway cluster, each as (url, work directory). The cluster may be shared with test
    runs: it is left running; only the databases made here are dropped at the end."""
    with tempfile.TemporaryDirectory(prefix=f"chaincrm-{name}-") as tmp:
        work = Path(tmp)
        server = _pg_throwaway().start() if postgres else None
        made: list[str] = []

        def urls(label) -> list[tuple[str, Path]]:
            out = [(f"sqlite:///{work / f'{name}{label}.sqlite'}", work / f"db{label}-0")]
            if server is not None:
                made.append(f"{name}{label}")
                out.append((fresh_pg_database(server, made[-1]), work / f"db{label}-1"))
            return out
        try:
            yield urls
        finally:
            for database in made:
                drop_pg_database(server, database)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows; write a temporary file")
    parser.add_argument("--rows", type=int, help=f"rows per benchmark (default {FULL_ROWS:,})")
    parser.add_argument("--database-url", action="append", default=[], metavar="URL",
                        help="benchmark on this (empty) database instead of a fresh SQLite file; repeatable")
    parser.add_argument("--postgres", action="store_true",
                        help="also run on a fresh database of a throwaway PostgreSQL cluster (scripts/pg_throwaway.py)")
    parser.add_argument("--output", type=Path, help="where to write the report (default docs/BENCHMARKS.md)")
    parser.add_argument("--export-repeats", type=int, default=3, help="runs per export side (best is kept)")
    parser.add_argument("--import-repeats", type=int, default=2, help="runs per import side (best is kept)")
    parser.add_argument("--no-memory", action="store_true", help="skip the untimed tracemalloc runs")
    parser.add_argument("--profile", action="store_true", help="cProfile our side; print it, and add missed ones")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.rows is None:
        args.rows = QUICK_ROWS if args.quick else FULL_ROWS
    if args.rows < 10:
        parser.error("--rows must be at least 10")
    return args


def _terminated(signum, _frame):
    raise SystemExit(128 + signum)  # run the clean-ups (temporary files, the PostgreSQL database)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    info = report.machine()  # the commit and working-tree state of the code this process imports
    with tempfile.TemporaryDirectory(prefix="chaincrm-bench-") as tmp:
        work = Path(tmp)
        urls = list(args.database_url) or [f"sqlite:///{work / 'bench.sqlite'}"]
        server = None
        if args.postgres:
            # The cluster may be shared with test runs: it is left running; only our database is dropped.
            server = _pg_throwaway().start()
            urls.append(fresh_pg_database(server))
        suites = []
        try:
            for n, url in enumerate(urls):
                suites.append(suite.run(url, args.rows, work / f"db{n}", export_repeats=args.export_repeats,
                                        import_repeats=args.import_repeats, memory=not args.no_memory,
                                        profile=args.profile, log=lambda line: print(line, flush=True)))
        finally:
            if server is not None:
                drop_pg_database(server)
        if args.output is not None:
            output = args.output
        elif args.quick:
            output = Path(tempfile.mkstemp(prefix="BENCHMARKS-", suffix=".md")[1])
        else:
            output = ROOT / "docs" / "BENCHMARKS.md"
        output.parent.mkdir(parents=True, exist_ok=True)
        info["Load average (1, 5, 15 min) at the end"] = report.load_average()
        output.write_text(report.render(suites, info), encoding="utf-8")
    for s in suites:
        print(f"\n{s.database}\n{report.table(s)}")
        if args.profile:
            for r in s.results:
                print(f"\n--- profile of ours: {r.title} ({s.database})\n{report.trim_profile(r.profile or '')}")
    print(f"\nwritten: {output}")
    failed = [f"{s.database}, {r.title}: {p}" for s in suites for r in s.results for p in r.problems()]
    for line in failed:
        print(f"CHECK FAILED: {line}", file=sys.stderr)
    missed = [r for s in suites for r in s.results if not r.met]
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
