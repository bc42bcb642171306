"""The app's pages through Streamlit's AppTest: first start, roles, and what reaches the browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.store import demo_store_path, open_store
from tests.signing import signed_in
from ui.pages import pages_for

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app_main.py")


@pytest.fixture
def demo_store(tmp_path, monkeypatch):
    """A store path of the test's own; the app builds the demo borough in it on first run."""
    path = tmp_path / "atlas.sqlite"
    monkeypatch.setenv("OUTREACH_ATLAS_STORE", str(path))
    return path


def run(role: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if role:
        at.session_state["role"] = role
    return at.run()


def map_args(at: AppTest) -> dict:
    component = next(e for e in at.main if getattr(e, "type", "") == "component_instance")
    return json.loads(component.proto.json_args)


def test_first_start_builds_the_demo_in_its_own_store_and_says_so(demo_store):
    at = run()
    assert not at.exception
    assert any("synthetic demo borough" in i.value for i in at.info)
    assert at.title[0].value == "Overview"
    assert any("Synthetic demo data" in w.value for w in at.sidebar.warning)
    assert demo_store_path(demo_store).is_file()
    assert not demo_store.exists()  # the real store is not begun by looking at the demo
    again = run()  # second start: nothing rebuilt, no message
    assert not again.exception and not any("synthetic demo borough" in i.value for i in again.info)


def test_importing_while_the_demo_shows_offers_a_real_store_instead(demo_store):
    at = page("coordinator", "app_pages/import_data.py")
    assert "synthetic demo borough" in at.warning[0].value
    assert not at.radio  # no upload into the demo: made-up and real people are never mixed
    at.button(key="import_start_real").click().run()
    assert not at.exception
    assert demo_store.is_file()  # the real store, begun empty
    assert at.radio(key="import_what")  # the upload form, for the real store
    demo = open_store(demo_store_path(demo_store))
    assert demo.counts()["records"] > 0  # the demo is kept, untouched, in its own store


@pytest.mark.parametrize("role", ["coordinator", "police", "councillor", "admin"])
def test_every_page_of_an_empty_real_store_says_what_to_import(demo_store, role):
    store = open_store(demo_store)  # a real store, begun and still empty
    at = signed_in(AppTest.from_file(APP, default_timeout=120), store, role).run()
    assert not at.exception
    assert any("This store is empty" in i.value for i in at.info)
    assert not at.sidebar.warning  # not the demo: no synthetic label
    for spec in pages_for(role)[1:]:
        at.switch_page(spec.path).run()
        assert not at.exception, (spec.path, at.exception)


def page(role: str, path: str) -> AppTest:
    at = run(role)
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def test_the_map_loads_nothing_from_the_internet(demo_store):
    for path in ("app_pages/ward_map.py", "app_pages/map.py"):
        args = map_args(page("coordinator", path))
        links = args["js_links"] + args["css_links"]
        assert links and all(link.startswith("/app/static/vendor/") for link in links)
        assert "http://" not in args["script"] and "https://" not in args["script"]


def test_a_councillor_map_carries_no_record_points(demo_store):
    def sent(args: dict) -> str:  # everything the map component sends: base, layers, switcher
        return json.dumps(args)

    coordinator = sent(map_args(page("coordinator", "app_pages/map.py")))
    script = sent(map_args(page("councillor", "app_pages/ward_map.py")))
    assert "Sightings and contacts" in coordinator and "Sightings and contacts" not in script
    assert "people:" not in script.lower() and "outcome" not in script.lower()
    # the records page is not even registered for councillors; run on its own, it refuses
    with pytest.raises(ValueError, match="Could not find"):
        run("councillor").switch_page("app_pages/map.py")
    alone = AppTest.from_file(str(ROOT / "app_pages" / "map.py"), default_timeout=120)
    alone.session_state["role"] = "councillor"
    alone.run()
    assert any("does not see records as points" in i.value for i in alone.info)


def test_roles_that_may_not_import_are_told_so(demo_store):
    with pytest.raises(ValueError, match="Could not find"):
        run("police").switch_page("app_pages/import_data.py")
    alone = AppTest.from_file(str(ROOT / "app_pages" / "import_data.py"), default_timeout=60)
    alone.session_state["role"] = "police"
    alone.run()
    assert any("cannot import files" in i.value for i in alone.info)
    at = page("coordinator", "app_pages/import_data.py")
    assert at.title[0].value == "Import" and not at.info


def _page_needing_a_role() -> None:
    import streamlit as st

    from ui import session

    st.write(f"role {session.role()}")


@pytest.mark.parametrize(("seeded", "error"), [(None, "no role given"), ("mayor", "unknown role")])
def test_a_page_without_a_known_role_shows_nothing_but_an_error(seeded, error):
    at = AppTest.from_function(_page_needing_a_role, default_timeout=30)
    if seeded is not None:
        at.session_state["role"] = seeded
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and error in at.error[0].value
    assert not at.markdown  # fails closed: never a default role's page


def test_a_page_with_a_role_gets_it():
    at = AppTest.from_function(_page_needing_a_role, default_timeout=30)
    at.session_state["role"] = "councillor"
    at.run()
    assert not at.error and at.markdown[0].value == "role councillor"


def test_importing_the_map_module_patches_nothing_until_a_map_is_shown():
    import subprocess
    import sys

    script = (
        "import folium, streamlit_folium\n"
        "before = list(folium.Map.default_js)\n"
        "import ui.offline_maps as om\n"
        "assert list(folium.Map.default_js) == before, 'patched on import'\n"
        "assert not getattr(streamlit_folium._component_func, 'atlas_localised', False)\n"
        "om.use_local_assets(); om.use_local_assets()\n"
        "links = [url for _, url in folium.Map.default_js]\n"
        "assert links and all(u.startswith('/app/static/vendor/') for u in links), links\n"
        "assert streamlit_folium._component_func.atlas_localised\n"
        "assert not hasattr(streamlit_folium._component_func.component, 'atlas_localised')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_tables_on_screen_offer_no_export_of_their_own():
    # st.dataframe's own CSV export would skip formula neutralising: the pages' buttons don't
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
