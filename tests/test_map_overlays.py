"""Layers sent apart from the base map (``show_map(overlays=...)``): what the browser gets on the
first draw and when a layer is switched, and the mistakes ``show_map`` refuses.

streamlit-folium keeps a map mounted while its base script and key stay the same, and then only
swaps the overlays; it loads scripts, stylesheets and the header only when it mounts a map. So
switching a layer must leave the base alone, and the base must load what every layer it may
get needs. AppTest on the demo borough for the Records map; tiny maps made here for the rest.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from layers import maps, overlays
from layers.offline_assets import VENDOR_URL
from layers.registry import add_layer_scripts, layer_spec
from ui.offline_maps import RETURNABLE, show_map

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app_main.py")
RECORDS_MAP = "app_pages/map.py"
BOUNDS = (-0.21, 50.81, -0.12, 50.84)
HEAT_JS = f"{VENDOR_URL}/leaflet.heat/leaflet_heat.min.js"
CLUSTER_JS = f"{VENDOR_URL}/leaflet.markercluster/leaflet.markercluster.js"


def records_map(role: str = "coordinator") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["role"] = role
    at.run()
    at.switch_page(RECORDS_MAP).run()
    assert not at.exception, at.exception
    return at


def map_args(at: AppTest) -> dict:
    component = next(e for e in at.main if getattr(e, "type", "") == "component_instance")
    return json.loads(component.proto.json_args)


def switch(at: AppTest, layer: str, on: bool) -> dict:
    at.toggle(key=f"map_layer_{layer}").set_value(on)
    at.run()
    assert not at.exception, at.exception
    return map_args(at)


# --- The Records map ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "police"])
def test_records_map_switches_layers_without_drawing_the_map_again(app_store, role):
    at = records_map(role)
    first = map_args(at)
    toggles = {t.key: t.label for t in at.sidebar.toggle}
    assert toggles == {
        f"map_layer_{name}": layer_spec(name).title
        for name in ("records", "heat", "services", "police_asb")
    }
    # the first draw loads the scripts of layers that are off: they cannot come later
    assert HEAT_JS in first["js_links"] and CLUSTER_JS in first["js_links"]
    assert "L.heatLayer" not in first["script"] + first["feature_group"]
    # the wards, shaded, and their legend are the base; the switched layers are not in it
    assert "People counted, last 28 nights" in first["script"]
    assert "Sightings and contacts" not in first["script"] + first["feature_group"]
    assert "Night:" not in first["script"] and "Night:" in first["feature_group"]  # a popup
    heat = switch(at, "heat", True)
    asb = switch(at, "police_asb", True)
    off = switch(at, "records", False)
    for args in (heat, asb, off):
        for name in ("script", "key", "header", "html", "js_links", "css_links"):
            assert args[name] == first[name], name
    assert "L.heatLayer" in heat["feature_group"]
    assert '"police.uk anti-social behaviour"' in asb["layer_control"]
    assert len(asb["feature_group"]) > len(heat["feature_group"])
    assert "Night:" not in off["feature_group"]
    # the layer switcher lists the base's wards and the layers sent, whatever they are now
    assert '"Wards"' in off["layer_control"] and '"Services"' in off["layer_control"]
    assert '"Sightings and contacts"' not in off["layer_control"]
    assert '"Sightings and contacts"' in first["layer_control"]
    for args in (first, heat, asb, off):
        code = args["script"] + args["feature_group"] + args["layer_control"]
        assert not re.search(r"https?://", code)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_base_layers_and_switcher_are_valid_javascript_together(app_store, tmp_path):
    at = records_map()
    args = switch(at, "heat", True)
    path = tmp_path / "map.js"
    path.write_text(args["script"] + args["feature_group"] + args["layer_control"])
    done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- show_map refuses what would break in the browser ------------------------------------------


def heat_points() -> pd.DataFrame:
    return pd.DataFrame({"lon": [-0.1372, -0.15], "lat": [50.8226, 50.83], "people": [2, 1]})


def test_an_overlay_needing_a_script_the_base_does_not_load_is_refused():
    # leaflet.heat would not be there when heat is switched on after the first draw
    base = maps.base_map(BOUNDS)
    heat = overlays.add_record_heat(None, heat_points())
    with pytest.raises(ValueError, match=r"needs .*leaflet_heat\.min\.js.*add_layer_scripts"):
        show_map(base, key="k", overlays=[heat])


def test_an_overlay_already_on_a_map_is_refused():
    base = maps.base_map(BOUNDS)
    drawn = overlays.add_services(base, heat_points().assign(name="Day centre"))
    with pytest.raises(ValueError, match=r"'Services' is on a map already: build it with m=None"):
        show_map(base, key="k", overlays=[drawn])
    with pytest.raises(TypeError, match="overlays must be folium.FeatureGroup, got Map"):
        show_map(base, key="k", overlays=[maps.base_map(BOUNDS)])  # type: ignore[list-item]


def test_only_what_a_map_reports_can_be_asked_for():
    with pytest.raises(ValueError, match=r"\['clicks'\] are not what a map reports; use some of"):
        show_map(maps.base_map(BOUNDS), key="k", returned_objects=["clicks"])
    assert {"last_clicked", "bounds", "zoom"} <= RETURNABLE


def test_the_base_loads_the_scripts_of_every_layer_offered():
    from ui.offline_maps import _check_overlays

    base = maps.base_map(BOUNDS)
    add_layer_scripts(base, [layer_spec("heat"), layer_spec("records")])
    heat = overlays.add_record_heat(None, heat_points())
    records = overlays.add_records(None, heat_points())
    _check_overlays(base, [heat, records])  # nothing missing: no error
