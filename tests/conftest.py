"""Shared fixtures: one migrated database per backend, per-test savepoints, users and sign-in.

Database tests run on SQLite and on PostgreSQL: the ``app`` fixture is
parametrised over both. Each backend is migrated once per session (through
the migrations, never ``create_all``) with the reference data loaded; each test
then runs inside an outer transaction on one connection, and every session
(the test's and each request's) joins it through savepoints, so nothing a test
writes survives it.

PostgreSQL comes from ``DATABASE_URL`` when set, else a throwaway cluster is
started here. In CI (``CI=true``) a backend or browser that cannot be had fails
the run instead of skipping.
"""
from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import re
import tempfile
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FSASession
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestingConfig
from crm import create_app
from crm.extensions import db as _db

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_PASSWORD = "Chain-crm-2026"

_spec = importlib.util.spec_from_file_location("pg_throwaway", ROOT / "scripts" / "pg_throwaway.py")
pg_throwaway = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pg_throwaway)


def unavailable(reason: str):
    """Skip locally, fail in CI: a skipped database or browser test is a failure there."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


# --- PostgreSQL server ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_server_url():
    """URL of a PostgreSQL server database with CREATE DATABASE rights."""
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres"):
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    if pg_throwaway.pg_bin() is None:
        unavailable("no PostgreSQL binaries and no DATABASE_URL")
    try:
        return pg_throwaway.start()
    except Exception as exc:  # noqa: BLE001 - any failure to start is reported the same way
        unavailable(f"could not start PostgreSQL: {exc}")


def create_pg_database(server_url: str, name: str) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\''))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fresh_database_url(request, tmp_path):
    """An empty database of the given backend, for migration tests."""
    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / ('fresh-' + uuid.uuid4().hex[:8] + '.sqlite')}"
        server = request.getfixturevalue("pg_server_url")
        name = "cc_fresh_" + uuid.uuid4().hex[:10]
        request.addfinalizer(lambda: drop_pg_database(server, name))
        return create_pg_database(server, name)
    return make


# --- the app, once per backend -------------------------------------------------------------------------

def make_config(url: str, **extra) -> TestingConfig:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    for key, value in extra.items():
        setattr(config, key, value)
    return config


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("instance")
    os.environ["CHAINCRM_INSTANCE"] = str(path)
    return path


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, request, tmp_path_factory):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
    server = request.getfixturevalue("pg_server_url")
    name = f"cc_test_{os.getpid()}"
    url = create_pg_database(server, name)
    request.addfinalizer(lambda: drop_pg_database(server, name))
    return url


@pytest.fixture(scope="session")
def app(database_url, instance_dir):
    """The app under test, on a database migrated once, with reference data loaded."""
    application = create_app(make_config(database_url))
    application.instance_path = str(instance_dir)  # config read CHAINCRM_INSTANCE at import
    with application.app_context():
        upgrade()
        from crm.refdata.loader import load_reference_data
        load_reference_data(_db.session)
        _db.session.commit()
        _db.session.remove()
    yield application
    with application.app_context():
        _db.engine.dispose()


class _ConnectionSession(FSASession):
    """Flask-SQLAlchemy's session ignores ``bind``; tests need it on one connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@contextlib.contextmanager
def one_connection(app):
    """``db.session`` bound to one connection in an outer transaction (rolled back at the end), its commits
    savepoints; the block runs in a twin app's context, so each test-client request still pushes a fresh
    context with its own ``g`` and session, as in production. Yields the connection."""
    twin = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"]))
    twin.instance_path = app.instance_path
    with app.app_context():
        connection = _db.engine.connect()
    outer = connection.begin()
    original = _db.session
    _db.session = _db._make_scoped_session({
        "bind": connection, "class_": _ConnectionSession, "join_transaction_mode": "create_savepoint"})
    ctx = twin.app_context()
    ctx.push()
    try:
        yield connection
    finally:
        _db.session.remove()
        ctx.pop()
        _db.session = original
        outer.rollback()
        connection.close()
        with twin.app_context():
            _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database for one test: everything runs in savepoints of one outer transaction."""
    with one_connection(app):
        yield _db


@pytest.fixture
def client(app, db):
    return app.test_client()


# --- records --------------------------------------------------------------------------------------------

_seq = itertools.count(1)


@pytest.fixture
def make_unit(db):
    from crm.units.services import create_unit

    def make(name: str | None = None, kind: str = "county", parent=None, **fields):
        unit = create_unit(db.session, None, {
            "name": name or f"测试单位{next(_seq)}", "kind": kind,
            "parent_id": parent.id if parent is not None else None, **fields})
        db.session.commit()
        return unit
    return make


@pytest.fixture
def make_user(db, make_unit):
    from crm.users.services import create_user

    def make(roles=("officer",), unit=None, username: str | None = None, password: str = TEST_PASSWORD):
        unit = unit or make_unit()
        user = create_user(db.session, None, username=username or f"user{next(_seq)}", name="测试用户",
                           unit_id=unit.id, roles=set(roles), password=password)
        db.session.commit()
        return user
    return make


@pytest.fixture
def login(client):
    def do(user, password: str = TEST_PASSWORD):
        client.delete_cookie("session")  # sign in afresh, whoever was signed in before
        response = client.get("/login")
        token = csrf_token(response.get_data(as_text=True))
        response = client.post("/login", data={"username": user.username, "password": password,
                                               "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response
    return do


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def tmp_dir():
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a database or browser that could not be had hides bugs."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if IN_CI and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped — failing the run", red=True)
        session.exitstatus = 1
