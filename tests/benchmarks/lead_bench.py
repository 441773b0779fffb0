"""The lead list and board at a city's scale, beside raw-cursor floors; writes docs/BENCHMARKS-leads.md.

    .venv/bin/python -m tests.benchmarks.lead_bench                # 200k leads, 1M interactions, SQLite
    .venv/bin/python -m tests.benchmarks.lead_bench --postgres     # and a throwaway PostgreSQL
    .venv/bin/python -m tests.benchmarks.lead_bench --quick        # 5k leads, 25k interactions, temp file

For an officer (one county's leads and the leads it assists) and a city leader (all leads):

- **List request**: ``GET /leads/`` through the whole app (session, user, scope, filters, the count,
  50 rows, the filter choices, the full template) against a bare route on the same app that runs the
  list's own two statements (count and first page, compiled with literal binds) on the raw DB-API
  cursor and renders a plain 50-row table. Target ≤ 3×.
- **Board statements**: ``crm.leads.board.totals`` and the first page of every column
  (``crm.leads.board.cards``) against the same statements on the raw cursor. Target ≤ 2×.
"""
from __future__ import annotations

import argparse
import gc
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import render_template_string

from crm.extensions import db
from tests.benchmarks import data, lead_data, report, run, suite

TARGETS = {"list": 3.0, "board": 2.0}
TITLES = {"list": "Lead list request `GET /leads/`", "board": "Board statements (totals + first page per column)"}
FLOOR_TABLE = """<!doctype html><title>leads</title><p>{{ total }}</p><table>
{% for r in rows %}<tr><td>{{ r[0] }}</td><td>{{ r[1] }}</td><td>{{ r[2] }}</td><td>{{ r[3] }}</td>
<td>{{ r[4] }}</td></tr>{% endfor %}</table>"""
FLOOR_SQL: dict[str, tuple[str, str]] = {}  # role → (count SQL, page SQL) for the bare route


@dataclass
class Row:
    key: str
    role: str
    visible: int
    ours: float
    floor: float
    checks: str

    @property
    def ratio(self) -> float:
        return self.ours / self.floor

    @property
    def met(self) -> bool:
        return self.ratio <= TARGETS[self.key]


def _raw_rows(sql: str) -> list[tuple]:
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
        cursor.close()
        raw.rollback()
        return rows
    finally:
        raw.close()


def floor_route(role: str):
    """The floor: the list's two statements on the raw cursor, a plain 50-row table."""
    count_sql, page_sql = FLOOR_SQL[role]
    total = _raw_rows(count_sql)[0][0]
    rows = _raw_rows(page_sql)
    return render_template_string(FLOOR_TABLE, total=total, rows=rows)


def _compile(stmt) -> str:
    from tests.benchmarks.floors import compile_sql
    return compile_sql(db.engine, stmt)


def _scope(user_id: int):
    from crm.models import User
    from crm.security.scope import scope_for
    return scope_for(db.session, db.session.get(User, user_id))


def statements(user_id: int) -> tuple[str, str, str, list[str]]:
    """The list's count and page, the board's totals and column pages, as the database receives them."""
    from crm.leads import board, listing
    filters, scope = listing.filters_from_args({}), _scope(user_id)
    count_sql = _compile(listing.count_query(filters, scope))
    page_sql = _compile(listing.lead_query(filters, scope).limit(50).offset(0))
    totals_sql = _compile(listing.board_totals_query(filters, scope))
    cards = [_compile(listing.board_cards_query(filters, scope, s).limit(board.CARDS_PER_PAGE + 1).offset(0))
             for s in board.COLUMNS]
    db.session.remove()
    return count_sql, page_sql, totals_sql, cards


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _sign_in(app, username: str):
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.get_data(as_text=True))
    if token is None:
        raise SystemExit(f"no sign-in form for {username}: {page.status_code} {page.headers.get('Location')}")
    signed = client.post("/login", data={"username": username, "password": lead_data.PASSWORD,
                                         "csrf_token": token.group(1)})
    if signed.status_code != 302:
        raise SystemExit(f"{username} could not sign in")
    return client


def bench_list(app, role: str, user_id: int, username: str, repeats: int, log) -> Row:
    """Requests run outside any app context, as in production: each has its own ``g`` and session."""
    with app.app_context():
        count_sql, page_sql, _totals, _cards = statements(user_id)
        visible = _raw_rows(count_sql)[0][0]
        db.session.remove()
    FLOOR_SQL[role] = (count_sql, page_sql)
    client = _sign_in(app, username)
    first = client.get("/leads/")
    bare = client.get(f"/_bench/leads/{role}")
    if first.status_code != 200 or bare.status_code != 200:
        raise SystemExit(f"list {first.status_code}, floor {bare.status_code} for {username}")
    links = len(set(re.findall(r'href="/leads/(\d+)"', first.get_data(as_text=True))))
    checks = (f"ours {first.status_code}, {links} leads linked; "
              f"floor {bare.status_code}, {bare.get_data(as_text=True).count('<tr>')} rows")
    ours, floor = [], []
    for _ in range(repeats):  # alternate, best of each
        ours.append(_best(lambda: client.get("/leads/"), 1))
        floor.append(_best(lambda: client.get(f"/_bench/leads/{role}"), 1))
    log(f"[{role}] list ours {min(ours):.4f}s floor {min(floor):.4f}s")
    return Row("list", role, visible, min(ours), min(floor), checks)


def bench_board(app, role: str, user_id: int, repeats: int, log) -> Row:
    from crm.leads import board, listing
    with app.app_context():
        count_sql, _page, totals_sql, card_sqls = statements(user_id)
        visible = _raw_rows(count_sql)[0][0]

        def ours_board():
            filters, scope = listing.filters_from_args({}), _scope(user_id)
            sums = board.totals(filters, scope)
            columns = [board.cards(filters, scope, s, 1) for s in board.COLUMNS]
            db.session.remove()
            return sums, columns

        def floor_board():
            return _raw_rows(totals_sql), [_raw_rows(sql) for sql in card_sqls]

        sums, columns = ours_board()
        raw_sums, raw_columns = floor_board()
        same = (sum(v["count"] for v in sums.values()) == sum(r[1] for r in raw_sums) == visible
                and [len(c[0]) for c in columns] == [min(len(r), board.CARDS_PER_PAGE) for r in raw_columns])
        ours, floor = [], []
        for _ in range(repeats):
            ours.append(_best(ours_board, 1))
            floor.append(_best(floor_board, 1))
        db.session.remove()
    log(f"[{role}] board ours {min(ours):.4f}s floor {min(floor):.4f}s")
    return Row("board", role, visible, min(ours), min(floor),
               "same counts and column pages as the floor" if same else "DIFFERENT from the floor")


def run_one(url: str, leads: int, interactions: int, workdir: Path, repeats: int, log) -> tuple[str, list[Row]]:
    workdir.mkdir(parents=True, exist_ok=True)
    app = suite.open_app(url, workdir / "instance")
    from crm.security.permissions import PUBLIC
    floor_route.permission = PUBLIC  # bare: no sign-in, no user, no scope to load
    app.add_url_rule("/_bench/leads/<role>", "bench_floor", floor_route)
    with app.app_context():
        unit_id, user_id = suite.prepare()
        name = suite.database_name()
        companies = max(leads // 10, 100)
        log(f"[{name}] seeding {companies:,} companies, {leads:,} leads, {interactions:,} interactions")
        suite.seed(data.generate(companies), unit_id, user_id)
        who = lead_data.people()
        lead_data.seed(who, leads, interactions)
        suite._maintain()
    rows = []
    roles = (("officer", who.officer, "perf_off0_0"), ("city leader", who.city_leader, "perf_leader"))
    for role, user, username in roles:
        rows.append(bench_list(app, role, user, username, repeats, log))
        rows.append(bench_board(app, role, user, repeats, log))
    with app.app_context():
        db.engine.dispose()
    return name, rows


def render(results: list[tuple[str, list[Row]]], leads: int, interactions: int, info: dict[str, str]) -> str:
    out = ["# Lead benchmarks", "",
           "Generated by `python -m tests.benchmarks.lead_bench` (`make bench`); do not edit by hand.", "",
           __doc__.split("\n\n", 2)[2].strip(), "",
           f"Data: {leads:,} leads over {lead_data.COUNTIES} counties ({lead_data.OFFICERS} officers and a manager "
           f"each, a tenth of the leads assisted by a second county), {interactions:,} interactions, "
           f"{max(leads // 10, 100):,} companies. Each figure is the best of its runs; ours and the floor alternate.",
           ""]
    for name, rows in results:
        out += [f"## {name}", "",
                "| Benchmark | Role | Leads visible | Ours (s) | Floor (s) | Ratio | Target | Met | Checks |",
                "|---|---|---:|---:|---:|---:|---:|---|---|"]
        out += [f"| {TITLES[r.key]} | {r.role} | {r.visible:,} | {r.ours:.4f} | {r.floor:.4f} | {r.ratio:.2f} | "
                f"≤ {TARGETS[r.key]:g} | {'met' if r.met else '**missed**'} | {r.checks} |" for r in rows]
        out.append("")
    out += ["## Machine", "", *(f"- {k}: {v}" for k, v in info.items()), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.lead_bench")
    parser.add_argument("--quick", action="store_true", help="5,000 leads and 25,000 interactions; temp file")
    parser.add_argument("--leads", type=int)
    parser.add_argument("--interactions", type=int)
    parser.add_argument("--postgres", action="store_true", help="also run on a throwaway PostgreSQL cluster")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    leads = args.leads or (5_000 if args.quick else 200_000)
    interactions = args.interactions or leads * 5
    info = report.machine()
    results = []
    with run.databases("leadbench", args.postgres) as urls:
        for url, workdir in urls(""):
            results.append(run_one(url, leads, interactions, workdir, args.repeats,
                                   lambda line: print(line, flush=True)))
    info["Load average (1, 5, 15 min) at the end"] = report.load_average()
    output = args.output or (Path(tempfile.mkstemp(prefix="BENCHMARKS-leads-", suffix=".md")[1]) if args.quick
                             else report.ROOT / "docs" / "BENCHMARKS-leads.md")
    output.write_text(render(results, leads, interactions, info), encoding="utf-8")
    print(output.read_text(encoding="utf-8"))
    missed = [r for _n, rows in results for r in rows if not r.met]
    wrong = [r for _n, rows in results for r in rows if "DIFFERENT" in r.checks]
    return 1 if wrong or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
