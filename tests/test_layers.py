"""Map layers without a browser: local links only, escaped record text, colour classes, AppTest.

Browser checks of the same maps are in tests/browser/.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from layers import maps, offline_assets
from layers.offline_assets import URL_MAP, VENDOR_URL, RemoteAssetError, localise

ROOT = Path(__file__).resolve().parents[1]
VENDOR_DIR = ROOT / "static" / "vendor"
MAP_APP = ROOT / "tests" / "browser" / "map_app.py"
SITE_PACKAGES = Path(folium.__file__).resolve().parents[1]

SCRIPT = "<script>alert('ward')</script>"
IMG = "<img src=x onerror=alert(1)>"


# --- Tiny data, checked by hand ---------------------------------------------------------------


@pytest.fixture
def wards() -> gpd.GeoDataFrame:
    """Three 0.01-degree squares in Coventry; the second is named with a script payload."""
    frame = gpd.GeoDataFrame(
        {
            "area_code": ["E05001", "E05002", "E05003"],
            "area_name": ["Abbey", SCRIPT, "Castle"],
            "people": [0, 33, "<5"],
        },
        geometry=[box(-1.52 + 0.01 * i, 52.40, -1.51 + 0.01 * i, 52.41) for i in range(3)],
        crs="EPSG:4326",
    )
    return frame.set_index("area_code", drop=False)


@pytest.fixture
def sightings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lon": [-1.515, -1.505, -1.495],
            "lat": [52.405, 52.405, 52.405],
            "notes": ["doorway", IMG, None],
            "people": [1, 2, 3],
        }
    )


def full_map(wards: gpd.GeoDataFrame, sightings: pd.DataFrame) -> folium.Map:
    m = maps.base_map(tuple(wards.total_bounds))
    maps.add_areas(m, wards, value_column="people", legend_title="People seen")
    maps.add_points(m, sightings, label="Sightings", popup_columns=["notes", "people"])
    maps.add_points(m, sightings, label="Services", popup_columns=["notes"], cluster=False)
    maps.add_heat(m, sightings, weight_column="people")
    maps.add_layer_control(m)
    return m


class _Links(HTMLParser):
    """Collects every <script src> and <link href> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        self.links += [value or "" for name, value in attrs if name == wanted]


def page_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def geojson_features(layer: folium.FeatureGroup) -> list[dict]:
    geojson = next(c for c in layer._children.values() if isinstance(c, folium.GeoJson))
    return geojson.data["features"]


# --- Offline links ----------------------------------------------------------------------------


def test_rendered_map_links_only_local_vendor_files(wards, sightings):
    html = full_map(wards, sightings).get_root().render()

    links = page_links(html)
    assert links, "the page should load Leaflet and friends"
    assert [link for link in links if not link.startswith(f"{VENDOR_URL}/")] == []
    assert f"{VENDOR_URL}/leaflet/leaflet.js" in links
    assert f"{VENDOR_URL}/leaflet.markercluster/leaflet.markercluster.js" in links
    assert f"{VENDOR_URL}/leaflet.heat/leaflet_heat.min.js" in links
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "tile" not in html.lower().replace("tiles=none", "")  # no tile layer at all


def test_every_local_link_is_a_vendored_file():
    offline_assets.patch()
    links = set(URL_MAP.values())
    for element in (folium.Map, folium.plugins.MarkerCluster, folium.plugins.HeatMap):
        links |= {url for _, url in element.default_js + element.default_css}
    for link in sorted(links):
        assert link.startswith(f"{VENDOR_URL}/"), link
        path = VENDOR_DIR / link.removeprefix(f"{VENDOR_URL}/")
        assert path.is_file(), f"{link} is not in static/vendor: run tools/refresh_vendor.sh"


def test_patch_is_idempotent_and_leaves_other_plugins_alone():
    offline_assets.patch()
    first = (list(folium.Map.default_js), list(folium.Map.default_css))
    offline_assets.patch()
    assert (folium.Map.default_js, folium.Map.default_css) == first
    assert folium.folium._default_js == folium.Map.default_js
    assert folium.plugins.Fullscreen.default_js[0][1].startswith("https://")


def test_url_map_covers_every_cdn_link_folium_and_streamlit_folium_use_for_our_maps():
    # Read the installed sources: patch() has already replaced the values in memory.
    sources = [
        SITE_PACKAGES / "folium" / "folium.py",
        SITE_PACKAGES / "folium" / "plugins" / "marker_cluster.py",
        SITE_PACKAGES / "folium" / "plugins" / "heat_map.py",
        SITE_PACKAGES / "streamlit_folium" / "__init__.py",
    ]
    found = set()
    for source in sources:
        found |= set(re.findall(r"https://[^\s\"']+\.(?:js|css)", source.read_text()))
    assert found, "no CDN links found: has folium moved them?"
    assert found - set(URL_MAP) - offline_assets.DROPPED_LINKS == set()


def test_localise_maps_d3_links_and_removes_duplicates():
    links = [
        "https://d3js.org/d3.v4.min.js",
        "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
        f"{VENDOR_URL}/leaflet/leaflet.js",
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    ]
    assert localise(links) == [
        f"{VENDOR_URL}/d3-v4/d3.min.js",
        f"{VENDOR_URL}/d3-v3/d3.min.js",
        f"{VENDOR_URL}/leaflet/leaflet.js",
    ]


def test_localise_rejects_a_plugin_that_was_not_vendored():
    fullscreen = [url for _, url in folium.plugins.Fullscreen.default_js]
    with pytest.raises(RemoteAssetError, match=r"leaflet\.fullscreen.*tools/refresh_vendor\.sh"):
        localise([f"{VENDOR_URL}/leaflet/leaflet.js", *fullscreen])
    with pytest.raises(RemoteAssetError, match="//example.org/x.js"):
        localise(["//example.org/x.js"])
    assert issubclass(RemoteAssetError, RuntimeError)


# --- Vendor folder ----------------------------------------------------------------------------


def test_vendor_files_are_small_licensed_and_listed():
    files = [p for p in VENDOR_DIR.rglob("*") if p.is_file()]
    assert files, "static/vendor is empty: run tools/refresh_vendor.sh"
    assert [p for p in files if p.stat().st_size >= 1024 * 1024] == []
    committed = [  # static/basemap/ holds base map tiles the app unpacks (git-ignored)
        p
        for p in (ROOT / "static").rglob("*")
        if p.is_file() and p.relative_to(ROOT / "static").parts[0] != "basemap"
    ]
    static_total = sum(p.stat().st_size for p in committed)
    assert static_total < 2.5 * 1024 * 1024
    for package in (p for p in VENDOR_DIR.iterdir() if p.is_dir()):
        assert (package / "LICENSE").is_file(), f"{package.name} has no LICENSE"
    readme = (VENDOR_DIR / "README.md").read_text()
    for path in files:
        if path.name != "README.md":
            assert f"`{path.relative_to(VENDOR_DIR).as_posix()}`" in readme, path


# --- Escaping ---------------------------------------------------------------------------------


def test_record_text_is_escaped_in_tooltips_and_popups(wards, sightings):
    html = full_map(wards, sightings).get_root().render()

    for raw in ("<script>alert", "<img src=x"):
        assert raw not in html
        # The same text passed through json without escaping would look like this:
        assert json.dumps(raw).strip('"').replace("<", "\\u003c") not in html
    assert "\\u0026lt;script\\u0026gt;alert" in html  # &lt;script&gt; inside the JSON data
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html


def test_area_tooltips_hold_only_escaped_text_and_ids_are_area_codes(wards):
    m = maps.base_map(tuple(wards.total_bounds))
    layer = maps.add_areas(m, wards, value_column="people", tooltip_fields=["area_name"])
    features = geojson_features(layer)

    assert [f["id"] for f in features] == ["E05001", "E05002", "E05003"]
    assert all(set(f["properties"]) == {"tooltip", "fill"} for f in features)
    assert [f["properties"]["tooltip"] for f in features] == [
        "<b>Abbey</b><br>people: <b>0</b>",
        "<b>&lt;script&gt;alert(&#x27;ward&#x27;)&lt;/script&gt;</b><br>people: <b>33</b>",
        "<b>Castle</b><br>people: <b>&lt;5</b>",
    ]


def test_point_popups_escape_every_column(sightings):
    m = maps.base_map((-1.52, 52.40, -1.49, 52.41))
    layer = maps.add_points(m, sightings, label="S", popup_columns=["notes"], cluster=False)
    popups = [f["properties"]["popup"] for f in geojson_features(layer)]
    assert IMG not in "".join(popups)
    assert "<b>notes:</b> &lt;img src=x onerror=alert(1)&gt;" in popups[1]
    assert popups[2].endswith("<b>notes:</b> </div>")  # missing value: empty, not "None"


def test_coordinates_sent_to_the_browser_are_rounded(wards, sightings):
    m = maps.base_map(tuple(wards.total_bounds))
    moved = sightings.assign(lon=sightings["lon"] + 1.23456789e-4)
    layer = maps.add_points(m, moved, label="S", cluster=False)
    lon, lat = geojson_features(layer)[0]["geometry"]["coordinates"]
    assert (lon, lat) == (round(-1.515 + 1.23456789e-4, 5), 52.405)


def test_builders_do_not_change_their_inputs(wards, sightings):
    wards_before, sightings_before = wards.copy(), sightings.copy()
    full_map(wards, sightings)
    pd.testing.assert_frame_equal(wards, wards_before)
    pd.testing.assert_frame_equal(sightings, sightings_before)


# --- Colour classes and legend ----------------------------------------------------------------


def test_whole_number_classes_and_no_data():
    values = pd.Series([0, 2, 5, 9, 14, 20, 27, 33, "<5", None])
    scale = maps.colour_scale(values)
    # Equal intervals over 0..33: edges 6.6, 13.2, 19.8, 26.4, 33 -> whole-number classes.
    assert scale.labels == ("0–6", "7–13", "14–19", "20–26", "27–33")
    assert scale.upper == (6.0, 13.0, 19.0, 26.0, 33.0)
    assert len(set(scale.colours)) == 5
    colours = scale.colours_for(values).tolist()
    assert colours[:3] == [scale.colours[0]] * 3
    assert colours[3:8] == [
        scale.colours[1],
        scale.colours[2],
        scale.colours[3],
        scale.colours[4],
        scale.colours[4],
    ]
    assert colours[8:] == [maps.NO_DATA_COLOUR] * 2


def test_fewer_classes_than_distinct_values_and_decimals():
    assert maps.colour_scale(pd.Series([4, 4])).labels == ("4",)
    assert maps.colour_scale(pd.Series([1, 2])).labels == ("1", "2")
    assert maps.colour_scale(pd.Series([0.5, 1.0])).labels == ("0.5–0.75", "0.75–1")
    empty = maps.colour_scale(pd.Series(["<5", None]))
    assert empty.labels == () and empty.colours_for(pd.Series(["<5"])).tolist() == ["#d9d9d9"]


def test_legend_is_in_the_map_with_its_values(wards):
    m = maps.base_map(tuple(wards.total_bounds))
    maps.add_areas(m, wards, value_column="people", legend_title="People <seen>")
    html = m.get_root().render()
    # people 0 and 33 -> two classes; "<5" -> the no-data row.
    for text in (
        "People \\u0026lt;seen\\u0026gt;",
        "0\\u201316",
        "17\\u201333",
        maps.NO_DATA_LABEL,
    ):
        assert text in html
    legend = maps.legend_html(maps.colour_scale(wards["people"]), title="People <seen>")
    assert "People &lt;seen&gt;" in legend and "<seen>" not in legend
    assert [link for link in page_links(html) if "d3" in link] == []  # no branca colormap


@pytest.mark.shared
def test_real_ward_boundaries_draw_one_feature_per_ward(shared_data):
    raw = gpd.read_file(shared_data / "wards" / "E06000043-brighton-and-hove.geojson")
    wards = raw.rename(columns={"WD13CD": "area_code", "WD13NM": "area_name"})
    wards = wards.set_index("area_code", drop=False)
    wards["people"] = range(len(wards))
    m = maps.base_map(tuple(wards.total_bounds))
    layer = maps.add_areas(m, wards, value_column="people")
    features = geojson_features(layer)
    assert [f["id"] for f in features] == wards.index.tolist()
    assert all(f["properties"]["tooltip"].startswith("<b>") for f in features)
    links = page_links(m.get_root().render())
    assert [link for link in links if not link.startswith(f"{VENDOR_URL}/")] == []


# --- Validation -------------------------------------------------------------------------------


def test_projected_bounds_are_rejected_with_the_fix():
    with pytest.raises(ValueError, match=r"to_crs\('EPSG:4326'\)"):
        maps.base_map((430000.0, 270000.0, 440000.0, 280000.0))


def test_points_without_location_are_rejected(sightings):
    m = maps.base_map((-1.52, 52.40, -1.49, 52.41))
    with pytest.raises(ValueError, match="no lon column"):
        maps.add_points(m, sightings.drop(columns="lon"), label="S")
    broken = sightings.assign(lat=[52.4, None, 52.4])
    with pytest.raises(ValueError, match=r"1 point\(s\) have no valid lon/lat \(first: index 1"):
        maps.add_points(m, broken, label="S")
    with pytest.raises(ValueError, match="hex colour"):
        maps.add_points(m, sightings, label="S", colour="red; alert(1)")
    with pytest.raises(ValueError, match="popup_columns"):
        maps.add_points(m, sightings, label="S", popup_columns=["name"])


def test_areas_without_crs_or_value_column_are_rejected(wards):
    m = maps.base_map(tuple(wards.total_bounds))
    with pytest.raises(ValueError, match="set_crs"):
        maps.add_areas(m, wards.set_crs(None, allow_override=True))
    with pytest.raises(ValueError, match="'count' is not a column"):
        maps.add_areas(m, wards, value_column="count")


def test_areas_in_british_national_grid_are_drawn_in_lon_lat(wards):
    m = maps.base_map(tuple(wards.total_bounds))
    layer = maps.add_areas(m, wards.to_crs("EPSG:27700"))
    lon, lat = geojson_features(layer)[0]["geometry"]["coordinates"][0][0]
    assert -1.53 < lon < -1.49 and 52.39 < lat < 52.42


def test_heat_weights_must_be_numbers(sightings):
    m = maps.base_map((-1.52, 52.40, -1.49, 52.41))
    with pytest.raises(ValueError, match=r"weight_column 'notes' has 3 value\(s\)"):
        maps.add_heat(m, sightings, weight_column="notes")


# --- Architecture and configuration -----------------------------------------------------------


def test_layers_never_import_streamlit():
    code = (
        "import sys, layers.maps, layers.offline_assets, layers.registry, layers.wards, "
        "layers.overlays; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'streamlit', "
        "'streamlit_folium'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_streamlit_config_uses_known_options_and_values():
    from streamlit import config

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    known = config.get_config_options()
    for section, options in settings.items():
        for name in options:
            assert f"{section}.{name}" in known, f"unknown Streamlit option {section}.{name}"
    assert settings["client"]["showErrorDetails"] in {
        o.value for o in config.ShowErrorDetailsConfigOptions
    }
    assert settings["client"]["toolbarMode"] in {"auto", "developer", "viewer", "minimal"}
    assert settings["server"]["enableStaticServing"] is True
    assert settings["browser"]["gatherUsageStats"] is False


# --- What st_folium sends to the browser (AppTest) --------------------------------------------


def _map_args(query: dict[str, str] | None = None) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(MAP_APP), default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    component = next(e for e in at.main if getattr(e, "type", "") == "component_instance")
    return json.loads(component.proto.json_args)


def test_st_folium_links_are_all_local():
    args = _map_args()
    assert args["js_links"] and args["css_links"]
    for link in args["js_links"] + args["css_links"]:
        assert link.startswith(f"{VENDOR_URL}/"), link
    assert args["returned_objects"] == []


def test_st_folium_colormap_d3_links_are_local():
    args = _map_args({"colormap": "1"})
    assert args["js_links"][:2] == [
        f"{VENDOR_URL}/d3-v4/d3.min.js",
        f"{VENDOR_URL}/d3-v3/d3.min.js",
    ]
    assert all(link.startswith(f"{VENDOR_URL}/") for link in args["js_links"] + args["css_links"])


def test_st_folium_with_an_unvendored_plugin_fails_loudly():
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    old = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")  # the project config redacts it
    try:
        at = AppTest.from_file(str(MAP_APP), default_timeout=60)
        at.query_params["plugin"] = "fullscreen"
        at.run()
    finally:
        config.set_option("client.showErrorDetails", old)
    assert [e.proto.type for e in at.exception] == ["layers.offline_assets.RemoteAssetError"]
    assert "leaflet.fullscreen" in at.exception[0].message


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_map_script_is_valid_javascript(tmp_path):
    script = tmp_path / "map.js"
    script.write_text(_map_args()["script"])
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_counts_are_shaded_as_the_ward_maps_shade_them():
    # 0 is "none seen"; the 10 non-zero counts in quartiles (count_classes): bounds at ranks
    # ceil(10/4) = 3, 5 and 8 of the sorted counts, i.e. 3, 8 and 34; equal intervals over 0..89
    # (0-17, 18-35, ...) would have put 8 of the 12 wards in the lowest class
    counts = pd.Series([0, 0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, "<5"])
    scale = maps.count_scale(counts)
    assert scale.labels == ("none seen", "1–3", "4–8", "9–34", "35+")
    shaded = scale.colours_for(counts).tolist()
    assert shaded[:2] == [scale.colours[0]] * 2 and scale.colours[0] == "#ffffcc"
    assert shaded[2:5] == [scale.colours[1]] * 3 and shaded[-2] == scale.colours[4]
    assert shaded[-1] == maps.NO_DATA_COLOUR
    naive = maps.colour_scale(counts)
    assert (naive.colours_for(counts) == naive.colours[0]).sum() == 8
