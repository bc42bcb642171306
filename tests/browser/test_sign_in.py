"""Sign-in through a real OpenID Connect provider on 127.0.0.1, in Debian's Chromium.

``oidc-provider-mock`` (PyPI) is a real provider: discovery, authorisation page, tokens. The
app is started with an ``[auth]`` section pointing at it and three users in its users table:
a coordinator, a police officer and a councillor. Each signs in through the provider's page and
gets only their own pages; a fourth account the table does not know sees whom to ask; a user
removed from the table loses access at their next click.
"""

from __future__ import annotations

import json

import pytest

from geo.demo import load_demo
from geo.store import open_store
from tests.browser.signed_app import menu, needs_provider, sign_in, signed_app
from ui.pages import pages_for

USERS = {
    "cora@council.example": "coordinator",
    "pat@police.example": "police",
    "cllr.khan@council.example": "councillor",
}
STRANGER = "someone@elsewhere.example"

pytestmark = needs_provider


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """The demo borough in a real store, three users in its table, the app signing in."""
    folder = tmp_path_factory.mktemp("sign-in")
    store = open_store(folder / "atlas.sqlite")
    load_demo(store, directory=folder / "demo")
    for email, role in USERS.items():
        store.put_user(email, role=role)
    with signed_app(store.path, folder, [*USERS, STRANGER]) as url:
        yield url, store


@pytest.mark.parametrize(("email", "role"), list(USERS.items()))
def test_each_user_signs_in_and_gets_their_own_pages(signed, chromium_browser, email, role):
    url, store = signed
    context = chromium_browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, url, email)
        assert menu(page) == [spec.title for spec in pages_for(role)]
        sidebar = page.locator("[data-testid='stSidebar']")
        assert f"Signed in as {email} ({role})" in sidebar.inner_text()
        log = store._audit_rows()
        signed = [json.loads(d) for d in log.loc[log["user"] == email, "detail"]]
        assert "sign in" in set(log.loc[log["user"] == email, "action"])
        assert signed  # page views and the sign-in, under their own name
    finally:
        context.close()


def test_someone_not_in_the_table_sees_whom_to_ask(signed, chromium_browser):
    url, _ = signed
    context = chromium_browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, url, STRANGER)
        page.get_by_role("heading", name="No access yet").wait_for(timeout=60_000)
        page.get_by_text("has not been opened to you").wait_for(timeout=30_000)
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        assert "cora@council.example" not in page.inner_text("body")  # no admin, no names
    finally:
        context.close()


def test_a_removed_user_loses_access_at_their_next_click(signed, chromium_browser):
    url, store = signed
    context = chromium_browser.new_context()
    page = context.new_page()
    try:
        sign_in(page, url, "pat@police.example")
        menu(page)
        store.remove_user("pat@police.example")
        page.locator("[data-testid='stSidebarNav'] a", has_text="Ward map").click()
        page.get_by_role("heading", name="No access yet").wait_for(timeout=60_000)
    finally:
        store.put_user("pat@police.example", role="police")
        context.close()
