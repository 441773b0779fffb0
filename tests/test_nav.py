"""The navigation: links and dropdowns by menu, only what the user's roles may use, the current page marked."""
from __future__ import annotations

import re


def _menu(html: str) -> str:
    return html.split('id="mainNav"', 1)[1].split('navbar-nav align-items-lg-center', 1)[0]


def test_officer_sees_attraction_menu_and_no_administration(client, login, make_user):
    login(make_user(("officer",)))
    nav = _menu(client.get("/leads/board/").get_data(as_text=True))
    toggles = re.findall(r'dropdown-toggle( active)?" href="#"[^>]*>([^<]+)</a>', nav)
    assert [(bool(active), label) for active, label in toggles] == [(True, "招商"), (False, "重点项目"),
                                                                    (False, "数据与管理")]
    assert 'class="dropdown-item active" href="/leads/board/">看板</a>' in nav
    assert 'href="/users/"' not in nav and 'href="/imports/"' in nav
    assert re.search(r'class="nav-link" href="/companies/">企业库</a>', nav)


def test_only_the_current_page_lights_up_when_a_blueprint_has_two_entries(client, login, make_user):
    login(make_user(("officer",)))
    nav = _menu(client.get("/projects/monthly").get_data(as_text=True))
    assert 'class="dropdown-item active" href="/projects/monthly">' in nav
    assert 'class="dropdown-item" href="/projects/">' in nav
    nav = _menu(client.get("/projects/").get_data(as_text=True))
    assert 'class="dropdown-item active" href="/projects/">' in nav
    assert 'dropdown-item active" href="/projects/monthly"' not in nav


def test_admin_sees_user_and_settings_pages_in_the_admin_menu(client, login, make_user):
    login(make_user(("admin",)))
    nav = _menu(client.get("/dashboard").get_data(as_text=True))
    admin_menu = nav.split(">数据与管理</a>", 1)[1].split("</ul>", 1)[0]
    assert all(f'href="{path}"' in admin_menu for path in ("/imports/", "/users/", "/units/", "/settings/"))
    assert re.search(r'class="nav-link active" href="/dashboard', nav)
