"""Browser tests: one live server on a demo database, Debian's Chromium, and a guard on every page.

The live server runs the real app (CSRF on) in a thread on a SQLite file that is
migrated once per session and filled with the reference data and the demo. Tests
sign in through the form with the demo's generated passwords.

Every browser context a test opens is watched: a request that leaves the live
server's origin, a console message of type "error" (CSP violations land there) or
an uncaught page error fails the test.
"""
from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from crm import create_app
from crm.extensions import db
from tests.conftest import IN_CI, make_config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1366, "height": 768}


# --- markers ----------------------------------------------------------------------------------------

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # tryfirst: the mark must be on the items before ``-m "not browser"`` deselects.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- live server ------------------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    credentials: dict[str, str]

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, instance_dir):
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'live.sqlite'}"
    setup = create_app(make_config(url))
    # config.INSTANCE_DIR is read when ``config`` is first imported, before the
    # instance_dir fixture sets CHAINCRM_INSTANCE: point the app at it directly so
    # the demo's password file never lands in the working tree's instance/.
    setup.instance_path = str(instance_dir)
    with setup.app_context():
        upgrade()
        from crm.refdata.loader import load_reference_data
        load_reference_data(db.session)
        db.session.commit()
        from crm.demo.loader import credentials_path, load_demo
        load_demo(db.session)
        db.session.commit()
        credentials = json.loads(credentials_path().read_text(encoding="utf-8"))
        db.session.remove()
        db.engine.dispose()

    app = create_app(make_config(url))
    app.instance_path = str(instance_dir)
    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", credentials=credentials)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


# --- pytest-playwright overrides --------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        if IN_CI:
            pytest.fail(f"required in CI: {message}")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages open relative paths (``page.goto("/login")``) on the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url, "viewport": DESKTOP, "locale": "zh-CN"}


# --- the guard: nothing from outside, no console errors ---------------------------------------------

@dataclass
class PageGuard:
    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)

    def watch(self, context) -> None:
        context.on("request", self._on_request)
        context.on("console", self._on_console)
        context.on("weberror", self._on_weberror)

    def _on_request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return  # inline resources (Bootstrap's SVG icons), not network requests
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(f"{request.method} {url} (from {request.frame.url})")

    def _on_console(self, message) -> None:
        if message.type == "error":
            where = message.location or {}
            self.console_errors.append(f"{message.text} @ {where.get('url', '?')}:{where.get('lineNumber', '?')}")

    def _on_weberror(self, error) -> None:
        self.page_errors.append(str(error.error))

    def problems(self) -> list[str]:
        return ([f"request off the live server: {r}" for r in self.foreign_requests]
                + [f"console error: {c}" for c in self.console_errors]
                + [f"uncaught page error: {e}" for e in self.page_errors])

    def unreported(self) -> list[str]:
        return [p for p in self.problems() if p not in self.reported]

    def check(self) -> None:
        problems = self.unreported()
        self.reported.update(problems)
        if problems:
            raise AssertionError("browser guard:\n  " + "\n  ".join(problems))


@pytest.fixture
def page_guard(live_server):
    guard = PageGuard(live_server.origin)
    yield guard
    # Anything that arrived after the test body (checked in pytest_runtest_call) still fails.
    late = guard.unreported()
    if late:
        pytest.fail("browser guard (after the test):\n  " + "\n  ".join(late), pytrace=False)


@pytest.fixture
def new_context(new_context, page_guard):
    """pytest-playwright's ``new_context`` with every context watched by the guard."""
    def make(**kwargs):
        context = new_context(**kwargs)
        page_guard.watch(context)
        return context
    return make


@pytest.fixture(autouse=True)
def _guard_every_test(page_guard):
    """Every browser test gets the guard, so pytest_runtest_call below always checks it.

    Contexts made through ``context``/``page``/``new_context`` are watched; do not call
    ``browser.new_context()`` directly, it would bypass the guard.
    """
    return page_guard


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    guard = item.funcargs.get("page_guard")
    if guard is not None:
        guard.check()  # raised here, the test itself fails (not only its teardown)
    return result


# --- helpers ----------------------------------------------------------------------------------------

@pytest.fixture
def sign_in(live_server):
    """Sign a page in through the form; returns once the dashboard has loaded."""
    def do(page, username: str, password: str | None = None) -> None:
        page.goto("/login")
        form = page.locator("form:has(input[name=username])")
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=password]").fill(password or live_server.credentials[username])
        form.locator("button[type=submit]").click()
        page.wait_for_url("**/dashboard")
    return do


@pytest.fixture(scope="session")
def screenshots_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
