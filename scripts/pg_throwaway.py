#!/usr/bin/env python3
"""Start or stop a throwaway PostgreSQL cluster for tests and CI (stdlib only).

``initdb`` and ``pg_ctl`` refuse to run as root, so they run as the
``postgres`` user through ``runuser`` when we are root. The cluster is UTF-8
with the ``C.UTF-8`` locale (pg_trgm yields no trigrams for Chinese under
``C``), durability is switched off for speed, and it listens on 127.0.0.1
only, on a port other than 5432.

    python scripts/pg_throwaway.py start [--dir DIR] [--port PORT]   # prints the DATABASE_URL
    python scripts/pg_throwaway.py stop  [--dir DIR]
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess  # nosec B404 - runs the local PostgreSQL binaries only
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_PORT = 55432


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(_as_postgres(args), check=True, capture_output=True, text=True, **kw)  # nosec B603


def start(directory: Path | None = None, port: int = DEFAULT_PORT) -> str:
    """Start a cluster (reusing a running one in ``directory``) and return its URL."""
    binaries = pg_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
    directory = Path(directory or Path(tempfile.gettempdir()) / f"chaincrm-pg-{port}")
    data = directory / "data"
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    if (data / "postmaster.pid").exists():
        status = subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "status", "-D", str(data)]),  # nosec B603
                                capture_output=True, text=True)
        if status.returncode == 0:
            return url
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    if not (data / "PG_VERSION").exists():
        _run([str(binaries / "initdb"), "-D", str(data), "-E", "UTF8", "--locale=C.UTF-8",
              "--auth=trust", "-U", "postgres"])
    log = directory / "server.log"
    _run([str(binaries / "pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
          f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
          "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"])
    for _ in range(60):
        ready = [str(binaries / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)]
        probe = subprocess.run(_as_postgres(ready), capture_output=True)  # nosec B603
        if probe.returncode == 0:
            return url
        time.sleep(0.5)
    raise RuntimeError(f"PostgreSQL did not start; see {log}")


def stop(directory: Path | None = None, port: int = DEFAULT_PORT) -> None:
    binaries = pg_bin()
    directory = Path(directory or Path(tempfile.gettempdir()) / f"chaincrm-pg-{port}")
    if binaries and (directory / "data" / "postmaster.pid").exists():
        subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "stop", "-D", str(directory / "data"),  # nosec B603
                                     "-m", "fast"]), capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args()
    if args.action == "start":
        print(start(args.dir, args.port))
    else:
        stop(args.dir, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
