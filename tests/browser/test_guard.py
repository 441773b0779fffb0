"""The guard itself: it must notice a request off the live server and a CSP violation."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_guard_records_foreign_requests_and_console_errors(page, page_guard):
    page.route("http://127.0.0.2/**", lambda route: route.abort())  # never leaves the machine
    page.goto("/login")
    # The app's CSP refuses an outside image: Chromium reports it as a console error.
    page.evaluate("() => { const i = new Image(); i.src = 'http://127.0.0.2/csp.png'; document.body.append(i); }")
    page.wait_for_timeout(300)
    assert any("Content Security Policy" in e for e in page_guard.console_errors), page_guard.console_errors
    # Without a CSP (about:blank) the request goes out and is recorded.
    page.set_content('<img src="http://127.0.0.2/outside.png">')
    page.wait_for_timeout(300)
    assert any("127.0.0.2/outside.png" in r for r in page_guard.foreign_requests), page_guard.foreign_requests
    with pytest.raises(AssertionError, match="request off the live server"):
        page_guard.check()
    # Seen and expected: clear them so this test passes.
    page_guard.foreign_requests.clear()
    page_guard.console_errors.clear()
    page_guard.page_errors.clear()
