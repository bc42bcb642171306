"""The layer registry, the ward map of figures as each role sees them, and the point overlays.

Tiny frames made here, every expected class, colour and word worked out by hand in comments.
The real-browser check of the same layers is in tests/browser/.
"""

from __future__ import annotations

import doctest
import json
import re
import shutil
import subprocess
from datetime import date

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.errors import AccessDenied
from geo.io.exports.shades import CLASS_COLOURS
from geo.privacy import ROLES
from layers import maps, offline_assets, overlays, registry, wards
from layers.registry import LAYERS, LayerSpec, build_layer, layer_spec, layers_for
from layers.wards import (
    HIDDEN_FILL,
    SMALL_COLOUR,
    ZERO_COLOUR,
    add_ward_figures,
    count_classes,
)
from tests.shapes import CLOCK_TOWER, EAST_WARD, STATION_ROAD, WEST_WARD

SCRIPT = "<script>alert('ward')</script>"
WEEK_END = date(2026, 11, 22)


# --- Tiny data --------------------------------------------------------------------------------


def ward_outlines(names: list[str]) -> gpd.GeoDataFrame:
    """Wards ``E05000001``... as 0.01-degree squares in a row along the Brighton seafront."""
    return gpd.GeoDataFrame(
        {"area_code": [f"E0500000{i + 1}" for i in range(len(names))], "area_name": names},
        geometry=[box(-0.20 + 0.01 * i, 50.82, -0.19 + 0.01 * i, 50.83) for i in range(len(names))],
        crs="EPSG:4326",
    )


def figures(people: list[object], *, period: str = "2026-11-16/2026-11-22") -> pd.DataFrame:
    """One week of ``area_summary(...).areas`` for the wards of :func:`ward_outlines`."""
    codes = [f"E0500000{i + 1}" for i in range(len(people))]
    return pd.DataFrame(
        {
            "area_code": codes,
            "area_name": [f"Ward {i + 1}" for i in range(len(people))],
            "period": period,
            "period_start": date.fromisoformat(period[:10]),
            "period_end": date.fromisoformat(period[-10:]),
            "nights": 7,
            "people": pd.Series(people, dtype=object),
        }
    )


@pytest.fixture
def councillor_week() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Six wards as a councillor sees them: none, small, hidden, 7, 12 and 1 (a coordinator's)."""
    outlines = ward_outlines(["Abbey", SCRIPT, "Castle", "Dyke", "Elm", "Fir"])
    week = figures([0, "<5", "*", 7, 12, 30]).drop(columns="area_name")
    return outlines, week


def geojson_of(layer: folium.FeatureGroup) -> folium.GeoJson:
    return next(c for c in layer._children.values() if isinstance(c, folium.GeoJson))


def fills(layer: folium.FeatureGroup) -> dict[str, str]:
    geojson = geojson_of(layer)
    return {f["id"]: geojson.style_function(f)["fillColor"] for f in geojson.data["features"]}


def tooltips(layer: folium.FeatureGroup) -> dict[str, str]:
    return {f["id"]: f["properties"]["tooltip"] for f in geojson_of(layer).data["features"]}


def legend_lines(layer: folium.FeatureGroup) -> list[str]:
    legend = next(c for c in layer._children.values() if isinstance(c, maps.LayerLegend))
    return re.findall(r"</span>([^<]*)</div>", legend.legend)


# --- Class breaks -----------------------------------------------------------------------------


def test_quantile_breaks_on_a_hand_checked_list():
    # Non-zero counts, sorted: 1 2 3 5 8 12 13 20 40 (n = 9, 4 classes). Upper bounds are the
    # counts at ranks ceil(9/4) = 3, ceil(18/4) = 5 and ceil(27/4) = 7: 3, 8 and 13.
    c = count_classes(pd.Series([0, 0, 1, 2, 3, 5, 8, 12, 13, 20, 40, "<5", "*", None]))
    assert c.labels == ("1–3", "4–8", "9–13", "14+")
    assert c.upper == (3, 8, 13, 40) and c.lower == (1, 4, 9, 14)
    assert c.colours == ("#a1dab4", "#41b6c4", "#2c7fb8", "#253494")  # YlGnBu 5, lightest off
    assert c.classify(np.array([1, 3, 4, 8, 9, 13, 14, 40])).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]


def test_breaks_start_where_small_numbers_stop_hiding():
    # A councillor's counts start at 5 ("<5" hides 1-4). Ranks 3, 5, 7 of nine: 7, 12, 22.
    c = count_classes(pd.Series([5, 6, 7, 9, 12, 15, 22, 40, 75]), start=5)
    assert c.labels == ("5–7", "8–12", "13–22", "23+")


def test_few_distinct_counts_give_fewer_classes():
    # 1 six times, 2, 50: ranks 3 and 6 of eight are both 1, so the bounds merge: "1", "2+".
    assert count_classes(pd.Series([1, 1, 1, 1, 1, 1, 2, 50])).labels == ("1", "2+")
    assert count_classes(pd.Series([4, 4])).labels == ("1–4",)
    assert count_classes(pd.Series([1])).labels == ("1",)
    assert count_classes(pd.Series([0, "<5", "*"])).labels == ()
    assert count_classes(pd.Series([3, 9]), n_classes=1).labels == ("1–9",)


def test_a_skewed_borough_does_not_put_most_wards_in_the_lowest_class():
    # Most wards have a few people, a few have many: equal intervals over 1..89 (1-23, 24-45,
    # 46-67, 68-89) would put 10 of 13 wards in the lowest class; quantiles put 4 there.
    counts = pd.Series([1, 1, 2, 2, 3, 4, 5, 8, 13, 21, 34, 55, 89])
    c = count_classes(counts)
    classes = c.classify(counts.to_numpy())
    assert np.bincount(classes).max() <= len(counts) / 2
    assert (classes == 0).sum() == 4  # 1 1 2 2 (bound: rank ceil(13/4) = 4, the count 2)
    naive = maps.colour_scale(counts, n_classes=4)
    assert (naive.colours_for(counts) == naive.colours[0]).sum() == 10


def test_class_count_is_checked():
    with pytest.raises(ValueError, match="n_classes must be from 1 to 5, got 6"):
        count_classes(pd.Series([1, 2]), n_classes=6)


def test_the_worked_example_in_the_docstring_runs():
    from geo.io.exports import shades  # the classes the ward layer and the PNG map share

    assert doctest.testmod(shades, raise_on_error=True).attempted >= 2


# --- Ward figures: suppressed cells, colours, legend ------------------------------------------


def test_suppressed_cells_have_their_own_fill_never_zero_or_a_class(councillor_week):
    outlines, week = councillor_week
    layer = add_ward_figures(None, week, boundaries=outlines)
    fill = fills(layer)
    assert fill["E05000001"] == ZERO_COLOUR
    assert fill["E05000002"] == SMALL_COLOUR
    assert fill["E05000003"] == HIDDEN_FILL == "url(#atlas-hatch) #bdbdbd"
    # 7, 12, 30 over three distinct counts: ranks 1 and 2 of three -> 7 and 12; from 5 up.
    classes = count_classes(week["people"], start=5)
    assert classes.labels == ("5–7", "8–12", "13+")
    assert [fill[c] for c in ("E05000004", "E05000005", "E05000006")] == list(classes.colours)
    hidden = {fill["E05000002"], fill["E05000003"]}
    assert len(hidden) == 2
    assert hidden.isdisjoint({ZERO_COLOUR, *classes.colours, *CLASS_COLOURS[5]})
    style = geojson_of(layer).style_function(geojson_of(layer).data["features"][1])
    assert style["dashArray"] == "4 3"  # told apart by outline too, not by colour alone


def test_legend_names_every_kind_of_cell_in_order(councillor_week):
    outlines, week = councillor_week
    layer = add_ward_figures(None, week, boundaries=outlines)
    assert legend_lines(layer) == [
        "none seen", "5–7", "8–12", "13+", "fewer than 5", "hidden",
    ]  # fmt: skip
    legend = next(c for c in layer._children.values() if isinstance(c, maps.LayerLegend))
    assert "People counted, week to 22 Nov 2026" in legend.legend
    assert "repeating-linear-gradient" in legend.legend  # the hatch, in the legend too


def test_legend_leaves_out_kinds_of_cell_there_are_none_of():
    # A coordinator's exact figures: no zero, nothing hidden.
    layer = add_ward_figures(None, figures([3, 9]), boundaries=ward_outlines(["A", "B"]))
    assert legend_lines(layer) == ["1–3", "4+"]


def test_tooltips_give_the_name_and_the_value_as_shown(councillor_week):
    outlines, week = councillor_week
    tips = tooltips(add_ward_figures(None, week, boundaries=outlines))
    assert tips == {
        "E05000001": "<b>Abbey</b><br>none seen",
        "E05000002": "<b>&lt;script&gt;alert(&#x27;ward&#x27;)&lt;/script&gt;</b>"
        "<br>fewer than 5 people",
        "E05000003": "<b>Castle</b><br>hidden",
        "E05000004": "<b>Dyke</b><br>7 people",
        "E05000005": "<b>Elm</b><br>12 people",
        "E05000006": "<b>Fir</b><br>30 people",
    }


def test_one_person_and_other_measures_are_worded():
    outlines = ward_outlines(["A", "B"])
    people = tooltips(add_ward_figures(None, figures([1, 2]), boundaries=outlines))
    assert list(people.values()) == ["<b>Ward 1</b><br>1 person", "<b>Ward 2</b><br>2 people"]
    week = figures([1, 2]).assign(sightings=[1, 1200])
    seen = add_ward_figures(None, week, boundaries=outlines, value_column="sightings")
    assert list(tooltips(seen).values())[1] == "<b>Ward 2</b><br>1,200 sightings"
    assert legend_lines(seen) == ["1", "2+"]
    legend = next(c for c in seen._children.values() if isinstance(c, maps.LayerLegend))
    assert "Sightings, week to 22 Nov 2026" in legend.legend


def test_ward_names_are_escaped_labels_inside_each_ward(councillor_week):
    outlines, week = councillor_week
    layer = add_ward_figures(None, week, boundaries=outlines)
    names = next(c for c in layer._children.values() if isinstance(c, wards._WardNames))
    first, second = names.rows[0], names.rows[1]
    assert first[2].endswith(">Abbey</div>")
    assert "&lt;script&gt;alert(&#x27;ward&#x27;)&lt;/script&gt;</div>" in second[2]
    lat, lon, _, south, west, north, east = first
    assert box(west, south, east, north).contains(gpd.points_from_xy([lon], [lat])[0])
    assert (south, west, north, east) == (50.82, -0.2, 50.83, -0.19)
    html = folium.Map(tiles=None).add_child(layer).get_root().render()
    assert SCRIPT not in html and "<script>alert" not in html
    no_names = add_ward_figures(None, week, boundaries=outlines, ward_names=False)
    assert not any(isinstance(c, wards._WardNames) for c in no_names._children.values())


def test_only_the_tooltip_and_rounded_outlines_go_to_the_browser(councillor_week):
    outlines, week = councillor_week
    moved = outlines.assign(geometry=outlines.translate(1.23456789e-4, 0))
    week = week.assign(person_ref="p_secret", notes="private")
    features = geojson_of(add_ward_figures(None, week, boundaries=moved)).data["features"]
    assert [f["id"] for f in features] == [f"E0500000{i}" for i in range(1, 7)]
    assert all(set(f["properties"]) == {"tooltip"} for f in features)
    lon, lat = features[0]["geometry"]["coordinates"][0][0]
    assert lon == round(-0.19 + 1.23456789e-4, 5) and lat == 50.82
    assert "p_secret" not in json.dumps(features) and "private" not in json.dumps(features)


def test_the_latest_period_is_drawn_unless_one_is_named():
    outlines = ward_outlines(["A", "B"])
    two = pd.concat(
        [figures([0, 9], period="2026-11-09/2026-11-15"), figures([5, 0])], ignore_index=True
    )
    latest = tooltips(add_ward_figures(None, two, boundaries=outlines))
    assert list(latest.values()) == ["<b>Ward 1</b><br>5 people", "<b>Ward 2</b><br>none seen"]
    earlier = add_ward_figures(None, two, boundaries=outlines, period="2026-11-09/2026-11-15")
    assert list(tooltips(earlier).values())[1] == "<b>Ward 2</b><br>9 people"
    with pytest.raises(ValueError, match=r"period '2025' is not in figures; periods are \["):
        add_ward_figures(None, two, boundaries=outlines, period="2025")


def test_default_titles_say_the_period_in_words():
    outlines = ward_outlines(["A"])
    night = figures([2], period="2026-11-21/2026-11-21").assign(nights=1)
    month = figures([2], period="2026-10-24/2026-11-22").assign(nights=30)
    for frame, words in ((night, "night of 21 Nov 2026"), (month, "30 nights to 22 Nov 2026")):
        layer = add_ward_figures(None, frame, boundaries=outlines)
        legend = next(c for c in layer._children.values() if isinstance(c, maps.LayerLegend))
        assert f"People counted, {words}" in legend.legend
    own = add_ward_figures(None, night, boundaries=outlines, title="People <seen>")
    legend = next(c for c in own._children.values() if isinstance(c, maps.LayerLegend))
    assert "People &lt;seen&gt;" in legend.legend and "<seen>" not in legend.legend


def test_named_brighton_wards_joined_to_figures_and_a_ward_without_one():
    outlines = gpd.GeoDataFrame(
        {"area_code": ["E05000001", "E05000002"], "area_name": ["West", "East"]},
        geometry=[WEST_WARD, EAST_WARD],
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")  # outlines in metres are drawn in lon/lat
    week = figures([6]).drop(columns="area_name")
    layer = add_ward_figures(None, week, boundaries=outlines)
    assert list(tooltips(layer).values()) == [
        "<b>West</b><br>6 people",
        "<b>East</b><br>no figure",
    ]
    assert legend_lines(layer) == ["1–6", "no figure"]
    lon, lat = geojson_of(layer).data["features"][1]["geometry"]["coordinates"][0][0]
    assert -0.15 < lon < -0.07 and 50.79 < lat < 50.87


def test_a_geodataframe_of_figures_needs_no_boundaries():
    frame = gpd.GeoDataFrame(figures([0, 4]), geometry=[WEST_WARD, EAST_WARD], crs="EPSG:4326")
    assert list(tooltips(add_ward_figures(None, frame)).values())[1] == "<b>Ward 2</b><br>4 people"


def test_figures_that_cannot_be_drawn_are_refused_with_the_fix():
    outlines = ward_outlines(["A", "B"])
    with pytest.raises(ValueError, match=r"boundaries=store.areas\(layer='ward'\)"):
        add_ward_figures(None, figures([1, 2]))
    with pytest.raises(ValueError, match="value '12.5' is not a count"):
        add_ward_figures(None, figures([1, "12.5"]), boundaries=outlines)
    with pytest.raises(ValueError, match="value 2.5 is not a count"):
        add_ward_figures(None, figures([1, 2.5]), boundaries=outlines)
    with pytest.raises(ValueError, match="value -1 is not a count"):
        add_ward_figures(None, figures([1, -1]), boundaries=outlines)
    with pytest.raises(ValueError, match="no 'sightings' column"):
        add_ward_figures(None, figures([1, 2]), boundaries=outlines, value_column="sightings")
    twice = pd.concat([figures([1, 2]), figures([1, 2])]).drop(columns="period")
    with pytest.raises(ValueError, match="ward 'E05000001' has more than one row"):
        add_ward_figures(None, twice, boundaries=outlines)
    with pytest.raises(ValueError, match="set_crs"):
        add_ward_figures(
            None, figures([1, 2]), boundaries=outlines.set_crs(None, allow_override=True)
        )


# --- The registry -----------------------------------------------------------------------------


def test_layers_for_each_role():
    names = {role: [s.name for s in layers_for(role)] for role in ROLES}
    assert names == {
        "coordinator": ["ward_figures", "records", "heat", *ANALYSIS, "services", "police_asb"],
        "police": ["ward_figures", "records", "heat", *ANALYSIS, "services", "police_asb"],
        "councillor": ["ward_figures", "services"],
        "admin": [],
    }
    for unknown in (None, "", "mayor", "Coordinator", ["coordinator"]):
        assert layers_for(unknown) == ()


def test_specs_are_well_formed_and_named_in_plain_words():
    assert len({s.name for s in LAYERS}) == len(LAYERS)
    assert layer_spec("ward_figures").title == "Wards: people counted"
    assert layer_spec("police_asb").title == "police.uk anti-social behaviour"
    assert [s.name for s in LAYERS if s.on_by_default] == [
        "ward_figures",
        "records",
        *ANALYSIS,
        "services",
    ]
    assert all(set(s.roles) <= set(ROLES) for s in LAYERS)
    with pytest.raises(KeyError, match="no map layer 'tiles'; layers are ward_figures, records"):
        layer_spec("tiles")
    with pytest.raises(ValueError, match="needs roles from coordinator"):
        LayerSpec("x", "X", roles=("mayor",), build=overlays.add_services, source="services")
    with pytest.raises(ValueError, match="lower case letters"):
        LayerSpec(
            "Bad Name", "X", roles=("police",), build=overlays.add_services, source="services"
        )
    with pytest.raises(AttributeError):
        LAYERS[0].roles = ("councillor",)  # type: ignore[misc]


def test_build_layer_refuses_a_layer_the_role_does_not_see():
    records = pd.DataFrame({"lon": [CLOCK_TOWER[0]], "lat": [CLOCK_TOWER[1]], "people": [1]})
    with pytest.raises(AccessDenied, match="the councillor role does not see the 'Heat"):
        build_layer("heat", records, role="councillor")
    with pytest.raises(AccessDenied, match="unknown role 'mayor'"):
        build_layer("services", records, role="mayor")  # type: ignore[arg-type]
    with pytest.raises(AccessDenied, match="no role given"):
        build_layer("services", records, role=None)  # type: ignore[arg-type]


ANALYSIS = [
    "hotspot_cells",
    "persistent_sites",
    "agency_coverage",
    "coverage_gaps",
    "patrol_route",
]


def frames_for_every_source() -> dict[str, pd.DataFrame]:
    outlines = ward_outlines(["Abbey", SCRIPT])
    station = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([STATION_ROAD[0]], [STATION_ROAD[1]]), crs="EPSG:4326"
    ).to_crs("EPSG:27700")
    x, y = float(station.geometry.x[0]), float(station.geometry.y[0])
    place = {
        "place_name": [SCRIPT],
        "ward_name": ["Abbey"],
        "lon": [STATION_ROAD[0]],
        "lat": [STATION_ROAD[1]],
        "people": [2.0],
    }
    return {
        "hotspot_cells": gpd.GeoDataFrame(
            {"hotspot": ["hot"], "people": [3], "sightings": [2]},
            geometry=[box(x - 50, y - 50, x + 50, y + 50)],
            crs="EPSG:27700",
        ),
        "sites": pd.DataFrame({**place, "nights_seen": [5], "site_id": ["site-secret"]}),
        "agency_coverage": gpd.GeoDataFrame(
            {"agency": ["<b>Outreach</b>"], "visits": [1], "contacts": [0]},
            geometry=[box(x - 200, y - 200, x + 200, y + 200)],
            crs="EPSG:27700",
        ),
        "gaps": pd.DataFrame(
            {**place, "rank": [1], "days_since_visit": [float("nan")], "place_id": ["rec-secret-9"]}
        ),
        "patrol": pd.DataFrame({**place, "stop": [1], "leg_m": [0.0], "arrive_minutes": [0.0]}),
        "ward_figures": figures(["<5", 9]),
        "outlines": outlines,
        "records": pd.DataFrame(
            {
                "lon": [CLOCK_TOWER[0], STATION_ROAD[0], None],
                "lat": [CLOCK_TOWER[1], STATION_ROAD[1], None],
                "night": pd.to_datetime(["2026-11-20", "2026-11-21", "2026-11-21"]),
                "agency": ["Council", "<b>Outreach</b>", "Council"],
                "kind": ["street_count", "outreach_contact", "street_count"],
                "people": [2, 1, 1],
                "location_text": ["Doorway, Station Road", SCRIPT, "not located"],
                "record_id": ["rec-secret-1", "rec-secret-2", "rec-secret-3"],
                "person_ref": ["p_secret1", "p_secret2", None],
            }
        ),
        "services": pd.DataFrame(
            {
                "lon": [CLOCK_TOWER[0]],
                "lat": [CLOCK_TOWER[1]],
                "name": ["Day <centre>"],
                "service_type": ["day_centre"],
                "opening_hours": ["Mon–Fri 9–5"],
            }
        ),
        "police_incidents": pd.DataFrame(
            {
                "lon": [STATION_ROAD[0], CLOCK_TOWER[0]],
                "lat": [STATION_ROAD[1], CLOCK_TOWER[1]],
                "month": ["2026-10", "2026-10"],
                "location": ["On or near Station Road", "On or near Clock Tower"],
                "crime_type": ["Anti-social behaviour", "Burglary"],
            }
        ),
    }


def build_all(role: str, m: folium.Map | None) -> list[folium.FeatureGroup]:
    frames = frames_for_every_source()
    groups = []
    for spec in layers_for(role):
        extra = {"boundaries": frames["outlines"]} if spec.name == "ward_figures" else {}
        groups.append(build_layer(spec.name, frames[spec.source], role=role, m=m, **extra))
    return groups


@pytest.mark.parametrize("role", ["coordinator", "police", "councillor"])
def test_every_layer_is_a_named_feature_group_left_unattached_by_default(role):
    groups = build_all(role, None)
    assert [g.layer_name for g in groups] == [s.title for s in layers_for(role)]
    assert all(type(g) is folium.FeatureGroup and g._parent is None for g in groups)
    m = maps.base_map((-0.21, 50.81, -0.12, 50.84))
    attached = build_all(role, m)
    assert all(g._parent is m for g in attached)


def test_the_whole_map_has_no_internet_link_and_no_raw_record_text():
    m = maps.base_map((-0.21, 50.81, -0.12, 50.84))
    build_all("coordinator", m)
    maps.add_layer_control(m)
    html = m.get_root().render()
    assert re.findall(r"https?://", html) == []
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", html)
    for raw in (SCRIPT, "<script>alert", "<b>Outreach", "Day <centre>"):
        assert raw not in html
    for private in ("p_secret", "rec-secret", "not located"):  # unlocated rows are left off
        assert private not in html


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_layers_added_by_streamlit_folium_are_valid_javascript(tmp_path):
    # st_folium(feature_group_to_add=...) renders each group on its own, renaming folium's
    # variables; the legend and ward names must survive that. (A private helper of
    # streamlit-folium: if it moves, follow it.)
    from streamlit_folium import _get_feature_group_string

    m = maps.base_map((-0.21, 50.81, -0.12, 50.84))
    script = ""
    for idx, group in enumerate(build_all("coordinator", None)):
        script += _get_feature_group_string(group, map=m, idx=idx)
    assert "map_div.addLayer(feature_group_feature_group_0)" in script
    assert "legend.addTo(layer._map)" in script and "atlas-ward-name" in script
    assert "atlas-number" in script
    path = tmp_path / "groups.js"
    path.write_text(script)
    result = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_base_map_loads_the_scripts_of_layers_switched_on_later():
    # streamlit-folium loads scripts with the first draw only; heat switched on later needs
    # leaflet.heat already there. Links are the vendored copies.
    m = maps.base_map((-0.21, 50.81, -0.12, 50.84))
    registry.add_layer_scripts(m, layers_for("police"))
    html = m.get_root().render()
    for path in ("leaflet.heat/leaflet_heat.min.js", "leaflet.markercluster/MarkerCluster.css"):
        assert f'"{offline_assets.VENDOR_URL}/{path}"' in html
    assert re.findall(r"https?://", html) == []
    councillor = maps.base_map((-0.21, 50.81, -0.12, 50.84))
    registry.add_layer_scripts(councillor, layers_for("councillor"))
    assert "leaflet_heat" not in councillor.get_root().render()


def _header_rules(m: folium.Map) -> set[str]:
    """The CSS rules in the page header of ``m``, without white space (``.a tr{margin:0;}``)."""
    m.get_root().render()  # elements write into the header as they render
    html = m.get_root().header.render()
    styles = "".join(re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL))
    return {"".join(rule.split()) for rule in re.findall(r"[^{}]+\{[^{}]*\}", styles)}


def test_the_base_map_brings_the_header_styles_of_layers_sent_later():
    # streamlit-folium takes the page header from the base map when it first draws it; the
    # styles folium writes there for a layer's GeoJson tooltips and popups must be on it already
    base = maps.base_map((-0.21, 50.81, -0.12, 50.84))
    registry.add_layer_scripts(base, LAYERS)
    on_base = _header_rules(base)
    assert ".foliumpopuptable{margin:auto;}" in on_base
    for group in build_all("coordinator", None):
        m = folium.Map(tiles=None)
        without = _header_rules(m)
        needed = _header_rules(m.add_child(group)) - without
        assert needed <= on_base, (group.layer_name, needed - on_base)


# --- Point overlays ---------------------------------------------------------------------------


def cluster_rows(layer: folium.FeatureGroup) -> list[list]:
    def walk(element):
        for child in element._children.values():
            yield child
            yield from walk(child)

    cluster = next(c for c in walk(layer) if isinstance(c, folium.plugins.FastMarkerCluster))
    return cluster.data


def test_record_popups_use_plain_words_and_only_the_columns_given():
    records = frames_for_every_source()["records"]
    rows = cluster_rows(overlays.add_records(None, records))
    assert len(rows) == 2  # the row without a location is left off
    popup = rows[0][2]
    for words in ("<b>Night:</b> Fri 20 Nov 2026", "<b>Kind:</b> street count", "<b>Place:</b>"):
        assert words in popup
    assert "rec-secret" not in popup and "p_secret" not in popup
    assert "&lt;b&gt;Outreach&lt;/b&gt;" in rows[1][2]
    police = records.drop(columns=["location_text", "person_ref"])  # as view_records gives
    assert "Place" not in cluster_rows(overlays.add_records(None, police))[0][2]


def test_many_records_are_counted_in_cells_not_sent_one_by_one():
    # 300 records on 3 doorways (100 each), more than max_points=50: 3 cells of about 100 m.
    lon = np.repeat([-0.1372, -0.1500, -0.1600], 100)
    lat = np.repeat([50.8226, 50.8300, 50.8400], 100)
    records = pd.DataFrame({"lon": lon, "lat": lat, "people": 2})
    rows = cluster_rows(overlays.add_records(None, records, max_points=50))
    assert len(rows) == 3
    assert [(r[0], r[1]) for r in rows] == [(50.84, -0.16), (50.83, -0.15), (50.823, -0.137)]
    assert all("<b>Records here:</b> 100<br><b>People:</b> 200" in r[2] for r in rows)
    heat = overlays.add_record_heat(None, records, max_points=50)
    data = next(iter(heat._children.values())).data
    assert sorted(map(tuple, data)) == [
        (50.823, -0.137, 200.0),
        (50.83, -0.15, 200.0),
        (50.84, -0.16, 200.0),
    ]
    with pytest.raises(ValueError, match="max_points must be at least 1"):
        overlays.add_records(None, records, max_points=0)


def test_police_overlay_shows_anti_social_behaviour_only():
    incidents = frames_for_every_source()["police_incidents"]
    rows = cluster_rows(overlays.add_police_asb(None, incidents))
    assert len(rows) == 1
    assert rows[0][2].count("<b>") == 2 and "<b>Month:</b> Oct 2026" in rows[0][2]
    assert "Station Road" in rows[0][2]
    with pytest.raises(ValueError, match=r"store.police_incidents\(\)"):
        overlays.add_police_asb(None, incidents.drop(columns="crime_type"))


def test_services_are_green_unclustered_points_with_escaped_names():
    services = frames_for_every_source()["services"]
    layer = overlays.add_services(None, services)
    feature = geojson_of(layer).data["features"][0]
    assert "<b>Name:</b> Day &lt;centre&gt;" in feature["properties"]["popup"]
    assert "<b>Type:</b> day centre" in feature["properties"]["popup"]
    html = folium.Map(tiles=None).add_child(layer).get_root().render()
    assert overlays.SERVICE_COLOUR in html
    # a store with no services yet: an empty layer, not folium's "field popup" error
    none = overlays.add_services(None, services.iloc[:0])
    assert geojson_of(none).data["features"] == []
    folium.Map(tiles=None).add_child(none).get_root().render()


# --- End to end on the demo borough -----------------------------------------------------------


def test_councillor_ward_map_of_the_demo_borough_matches_area_summary(demo_store):
    from geo.questions import area_summary

    summary = area_summary(demo_store, role="councillor", period="week")
    outlines = demo_store.areas(layer="ward")
    layer = build_layer("ward_figures", summary.areas, role="councillor", boundaries=outlines)
    latest = summary.areas[summary.areas["period_start"] == summary.areas["period_start"].max()]
    tips = tooltips(layer)
    assert set(tips) == set(outlines["area_code"])
    for code, value in zip(latest["area_code"], latest["people"], strict=True):
        shown = tips[code].split("<br>")[1]
        if value == 0:
            assert shown == "none seen"
        elif isinstance(value, str):
            assert shown in ("fewer than 5 people", "hidden")
        else:
            assert shown == f"{value:,} people"
    small = latest["people"].map(lambda v: isinstance(v, str)).to_numpy()
    fill = fills(layer)
    assert {fill[c] for c in latest["area_code"][small]} <= {SMALL_COLOUR, HIDDEN_FILL}
