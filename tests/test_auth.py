"""Sign-in, throttling, session ending on disable and reset, password policy, cookies."""
from __future__ import annotations

from sqlalchemy import func, select

from crm.models import LoginAttempt, User
from tests.conftest import TEST_PASSWORD, csrf_token


def _post_login(client, username, password):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_sign_in_and_out(client, make_user, login):
    user = make_user(("officer",))
    login(user)
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert user.name in page.get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_is_refused_and_recorded(client, db, make_user):
    user = make_user()
    response = _post_login(client, user.username, "wrong-password-1")
    assert response.status_code == 200
    assert "form-error" in response.get_data(as_text=True)
    count = db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == user.username, LoginAttempt.success.is_(False)))
    assert count == 1


def test_throttling_counts_in_the_database(client, make_user):
    user = make_user()
    for _ in range(5):
        _post_login(client, user.username, "wrong-password-1")
    # Even the right password is refused while the pause lasts.
    response = _post_login(client, user.username, TEST_PASSWORD)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "15" in body and "form-error" in body
    assert client.get("/dashboard").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, make_user):
    user = make_user()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x", data={
        "username": user.username, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")


def test_disabling_a_user_ends_their_session(app, client, db, make_user, login):
    user = make_user()
    login(user)
    assert client.get("/dashboard").status_code == 200
    admin = make_user(("admin",))
    from crm.users.services import set_active
    set_active(db.session, admin, db.session.get(User, user.id), False)
    db.session.commit()
    assert client.get("/dashboard").status_code == 302
    assert _post_login(client, user.username, TEST_PASSWORD).status_code == 200  # refused


def test_password_reset_ends_sessions(client, db, make_user, login):
    user = make_user()
    login(user)
    admin = make_user(("admin",))
    from crm.users.services import set_password
    set_password(db.session, admin, db.session.get(User, user.id), "New-password-42")
    db.session.commit()
    assert client.get("/dashboard").status_code == 302
    assert _post_login(client, user.username, "New-password-42").status_code == 302


def test_own_password_change_keeps_this_session(client, db, make_user, login):
    user = make_user()
    login(user)
    page = client.get("/account/password").get_data(as_text=True)
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(page), "current": TEST_PASSWORD, "password": "Another-pass-77",
        "confirm": "Another-pass-77"})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_password_policy(db, make_user):
    import pytest
    from crm.core.errors import DomainError
    from crm.security.passwords import check_policy
    for bad in ("short1", "onlyletters-here", "12345678901234", "Password123"[:5]):
        with pytest.raises(DomainError) as err:
            check_policy(db.session, bad, "someone")
        assert err.value.field == "password"
    with pytest.raises(DomainError):
        check_policy(db.session, "zhangsan-2026x", "zhangsan")
    check_policy(db.session, "Good-pass-2026", "zhangsan")


def test_session_cookie_flags(client, make_user, login):
    user = make_user()
    response = login(user)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_csp_has_no_inline_script(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.get_data(as_text=True)


def test_create_admin_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "--username", "root1", "--password", "short"])
    assert result.exit_code != 0
    assert "10" in result.output and "Error" in result.output
    result = runner.invoke(args=["users", "create-admin", "--username", "root1", "--password", "Root-pass-2026"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "root1"))
    assert user is not None and user.roles == {"admin"}
