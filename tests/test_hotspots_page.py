"""The Hotspots and patrols page: who reaches it, that its tables are geo's for the role, what
its map sends to the browser, and the patrol planner with its downloads.

AppTest on a demo borough the app builds itself; the words, the map layers and the downloads
also on tiny frames made here, with every expected value worked out by hand.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box
from streamlit.testing.v1 import AppTest

from geo import questions
from geo.analysis import places_view, site_life_view
from geo.analysis.coverage import DEFAULT_DAYS
from geo.analysis.patrol import plan_patrol
from geo.crs import to_lonlat
from geo.errors import AccessDenied, AnalysisError
from geo.filters import Filters
from geo.questions.site_life import site_history
from geo.store import open_store
from layers import analysis, maps
from layers.offline_assets import VENDOR_URL
from layers.registry import build_layer, layers_for
from ui.pages import pages_for

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app_main.py")
PAGE = "app_pages/hotspots.py"
SCRIPT = "<script>alert('place')</script>"
GPX = {"g": "http://www.topografix.com/GPX/1/1"}
#: Words that only a coordinator's view may carry: needs, and what records call a place.
PERSONAL = ("Languages needed", "Needs seen", "trafficking", "no recourse", "under 18")
IDS = re.compile(r"\br_[0-9a-f]{8}|site-E\d{6}N\d{6}")


# --- The app on the demo borough ------------------------------------------------------------


def open_page(role: str, **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["role"] = role
    for name, value in state.items():
        at.session_state[name] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def map_args(at: AppTest) -> dict:
    """What the map component sends to the browser (VERIFIED.md section 2)."""
    component = next(e for e in at.main if getattr(e, "type", "") == "component_instance")
    return json.loads(component.proto.json_args)


def map_script(at: AppTest) -> str:
    """All the map's code: the base map's script, then the layers sent apart from it."""
    args = map_args(at)
    return args["script"] + (args["feature_group"] or "")


def table(at: AppTest, first_heading: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_heading)


def test_only_coordinators_and_police_reach_the_page(app_store):
    for role in ("coordinator", "police"):
        assert "Hotspots and patrols" in [spec.title for spec in pages_for(role)]
    for role in ("councillor", "admin"):
        assert "Hotspots and patrols" not in [spec.title for spec in pages_for(role)]
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["role"] = role
        at.run()
        with pytest.raises(ValueError, match="Could not find"):
            at.switch_page(PAGE)
    alone = AppTest.from_file(str(ROOT / PAGE), default_timeout=120)
    alone.session_state["role"] = "councillor"
    alone.run()
    assert not alone.exception
    assert any("does not see records as points" in i.value for i in alone.info)
    assert not alone.dataframe
    assert not [e for e in alone.main if getattr(e, "type", "") == "component_instance"]


@pytest.mark.parametrize("role", ["coordinator", "police"])
def test_the_tables_are_geos_for_the_role_in_plain_words(app_store, role):
    store = open_store(app_store)
    found = questions.coverage_gaps(store, role=role, days=DEFAULT_DAYS)
    at = open_page(role)
    gaps = table(at, "Rank")
    expected = places_view.gaps_table(found.gaps)
    pd.testing.assert_frame_equal(gaps, expected, check_dtype=False)
    assert len(gaps) and gaps["Rank"].tolist() == list(range(1, len(gaps) + 1))
    assert not gaps.map(lambda v: bool(IDS.search(str(v)))).any().any()
    sites = table(at, "Place")
    life = site_history(store, role=role)
    pd.testing.assert_frame_equal(sites, site_life_view.life_table(life), check_dtype=False)
    assert set(sites["Status"]) <= set(site_life_view.STATUS_WORDS.values())
    assert not sites.map(lambda v: bool(IDS.search(str(v)))).any().any()
    # the timeline of the first site, chosen by the place's name
    assert at.selectbox(key="hotspots_site_timeline").value == sites["Place"].iloc[0]
    timeline = table(at, "Night of")
    expected = site_life_view.timeline_table(life, life.sites["site_id"].iloc[0])
    pd.testing.assert_frame_equal(timeline, expected, check_dtype=False)
    assert timeline["Status"].iloc[-1] == sites["Status"].iloc[0]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Coverage gaps"] == f"{len(found.gaps):,}"
    assert shown["Persistent sites"] == f"{len(questions.sites(store, role=role)):,}"
    hot = questions.hotspot_cells(store, role=role, nights=7)
    assert shown["Hot cells"] == f"{int((hot['hotspot'] == 'hot').sum()):,}"


def test_police_see_the_coarse_view_and_are_told_so(app_store):
    police, coordinator = open_page("police"), open_page("coordinator")
    assert any("snapped to a 100 m grid" in c.value for c in police.caption)
    assert not any("snapped" in c.value for c in coordinator.caption)
    for name in ("Rank", "Place", "Stop"):
        assert "Languages needed" not in table(police, name).columns
        assert "Languages needed" in table(coordinator, name).columns
    # what the records call a place ("Riverside towpath") is a coordinator's, never police's
    named = set(table(coordinator, "Place")["Place"]) - set(table(police, "Place")["Place"])
    assert named
    script, theirs = map_script(police), map_script(coordinator)
    for words in (*PERSONAL, *sorted(named)):
        assert words.lower() not in script.lower(), words
    assert "Languages needed" in theirs  # the check above can fail
    for text in (script, theirs):
        assert not IDS.search(text)
        tips = re.findall(r'"(?:tip|tooltip)": "([^"]*)"', text)
        assert tips and not [tip for tip in tips if re.search(r"\d\.\d{3,}", tip)]


def test_a_patrol_from_a_known_site_has_the_stops_asked_for(app_store):
    at = open_page("coordinator")
    at.radio(key="patrol_start_from").set_value("site")
    at.run()
    site = at.selectbox(key="patrol_site").options[1]
    at.selectbox(key="patrol_site").set_value(site)
    at.number_input(key="patrol_stops").set_value(4)
    at.run()
    assert not at.exception, at.exception
    stops = table(at, "Stop")
    assert stops["Stop"].tolist() == [1, 2, 3, 4]
    store = open_store(app_store)
    start = places_view.site_choices(questions.sites(store, role="coordinator"))[site]
    expected = questions.plan(store, role="coordinator", start_lonlat=start, stops=4)
    pd.testing.assert_frame_equal(stops, places_view.patrol_table(expected), check_dtype=False)
    assert stops["Place"].iloc[0] == site  # the site is the nearest place: stop 1, 0 m away
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[0] == "GPX for a phone or GPS" and labels[1].startswith("Printable sheet")


def test_a_patrol_starts_at_the_base_or_where_the_map_was_clicked(app_store, monkeypatch):
    monkeypatch.setenv(places_view.BASE_ENV, "50.8365,-0.2980")
    at = open_page("coordinator")
    assert at.radio(key="patrol_start_from").value == "base"
    assert "Start" in map_script(at)  # the start is marked apart from the stops
    clicked = {"last_clicked": {"lat": 50.8290, "lng": -0.2940}}
    at = open_page("coordinator", **{"hotspots-map-coordinator": clicked})
    at.radio(key="patrol_start_from").set_value("click")
    at.run()
    assert not at.exception, at.exception
    store = open_store(app_store)
    expected = questions.plan(store, role="coordinator", start_lonlat=(-0.294, 50.829), stops=6)
    pd.testing.assert_frame_equal(
        table(at, "Stop"), places_view.patrol_table(expected), check_dtype=False
    )


def test_switching_a_layer_sends_the_layers_again_not_the_map(app_store):
    at = open_page("coordinator")
    before = map_args(at)
    heat = at.toggle(key="hotspots_layer_heat")
    assert heat.value is False
    heat.set_value(True)
    at.run()
    assert not at.exception, at.exception
    after = map_args(at)
    # the base map is the same and keyed the same: the browser keeps it mounted, as it is
    for name in ("script", "key", "header", "html", "js_links", "css_links"):
        assert after[name] == before[name], name
    assert "heatLayer" not in before["script"] + before["feature_group"]
    assert "L.heatLayer" in after["feature_group"] and "L.heatLayer" not in after["script"]
    # leaflet.heat came with the first draw, before the layer was on: none come later
    assert f"{VENDOR_URL}/leaflet.heat/leaflet_heat.min.js" in before["js_links"]
    # the map key comes and goes with the layers it names, sent with them
    assert "Heat of people seen" not in before["feature_group"]
    assert "Heat of people seen" in after["feature_group"]
    assert "Map key" not in after["script"]
    at.toggle(key="hotspots_layer_heat").set_value(False)
    at.run()
    assert map_args(at)["feature_group"] == before["feature_group"]
    for toggle in at.sidebar.toggle:
        if toggle.key.startswith("hotspots_layer_"):
            toggle.set_value(False)
    at.run()
    bare = map_args(at)
    assert bare["script"] == before["script"] and bare["feature_group"] == ""
    assert "Map key" not in bare["script"]  # no layer, no key


def test_the_map_is_mounted_again_only_to_report_clicks(app_store):
    at = open_page("coordinator")
    before = map_args(at)
    assert before["returned_objects"] == []
    at.radio(key="patrol_start_from").set_value("click")
    at.run()
    after = map_args(at)
    # the browser reads returned_objects only when it mounts a map: a new key mounts it again
    assert after["returned_objects"] == ["last_clicked"]
    assert after["key"] != before["key"] and "reports: last-clicked" in after["script"]


def test_the_downloads_are_a_gpx_that_parses_and_a_sheet(app_store):
    store = open_store(app_store)
    sites = questions.sites(store, role="police")
    start = next(iter(places_view.site_choices(sites).values()))
    plan = questions.plan(store, role="police", start_lonlat=start, stops=5)
    gpx, sheet = places_view.patrol_downloads(plan)
    assert (gpx.file_name, gpx.mime) == ("patrol.gpx", "application/gpx+xml")
    root = ET.fromstring(gpx.build())
    assert len(root.findall("g:wpt", GPX)) == 5
    names = [n.text for n in root.findall("g:wpt/g:name", GPX)]
    assert not any(IDS.search(name or "") for name in names)
    assert sheet.file_name in ("patrol.pdf", "patrol.txt")
    body = sheet.build()
    if sheet.file_name.endswith(".pdf"):
        assert body.startswith(b"%PDF")
    else:
        assert "a place in" in body.decode("utf-8")


# --- Plain words --------------------------------------------------------------------------------


def gaps_frame() -> gpd.GeoDataFrame:
    """Three gaps as coverage_gaps returns them: ranked, one never visited."""
    return gpd.GeoDataFrame(
        {
            "demand": ["site", "hotspot", "sighting"],
            "place_id": ["site-E530000N104000", "E530100N104100", "r_0123456789abcdef"],
            "place_name": ["doorway on Station Road", "a place in Jubilee ward", SCRIPT],
            "ward_name": ["Station", "Jubilee", "Station"],
            "easting": [530_000.0, 530_150.0, 530_400.0],
            "northing": [104_000.0, 104_150.0, 104_300.0],
            "people": [3.0, 2.0, 1.0],
            "days_since_visit": [np.nan, 0.0, 12.0],
            "rank": [1, 2, 3],
            "languages": ["Polish", "", None],
            "flags": ["under_18, nrpf", "", None],
        },
        geometry=gpd.points_from_xy(
            [530_000, 530_150, 530_400], [104_000, 104_150, 104_300], crs="EPSG:27700"
        ),
        crs="EPSG:27700",
    )


def test_gaps_read_in_plain_words():
    words = places_view.gaps_table(gaps_frame())
    assert words.columns.tolist() == [
        "Rank",
        "Place",
        "Ward",
        "Kind",
        "People",
        "Nights since a visit",
        "Languages needed",
        "Needs seen",
    ]
    assert words["Kind"].tolist() == ["persistent site", "hot patch", "sighting"]
    assert words["People"].tolist() == [3, 2, 1]
    assert words["Nights since a visit"].tolist() == ["never visited", "0 (the last night)", "12"]
    assert words["Needs seen"].iloc[0] == "under 18, no recourse to public funds"
    police = places_view.gaps_table(gaps_frame().drop(columns=["languages", "flags"]))
    assert "Languages needed" not in police.columns and "Needs seen" not in police.columns
    with pytest.raises(AnalysisError, match="gaps has no column rank"):
        places_view.gaps_table(gaps_frame().drop(columns="rank"))


def test_sites_that_read_alike_are_told_apart_and_the_base_is_read_as_lat_lon():
    sites = pd.DataFrame(
        {
            "place_name": ["a place in Station ward", "a place in Station ward", "Clock Tower"],
            "ward_name": ["Station", "Station", "Castle"],
            "lon": [-0.15, -0.151, -0.1372],
            "lat": [50.83, 50.831, 50.8226],
        }
    )
    assert list(places_view.site_choices(sites)) == [
        "a place in Station ward",
        "a place in Station ward (2)",
        "Clock Tower, Castle ward",
    ]
    assert places_view.parse_base(" 50.8226, -0.1372 ") == (-0.1372, 50.8226)
    with pytest.raises(AnalysisError, match="write it as LAT,LON"):
        places_view.parse_base("Brighton")
    with pytest.raises(AnalysisError, match="outside Great Britain"):
        places_view.parse_base("-0.1372,50.8226")  # longitude first


def test_the_period_gives_the_nights_of_the_hot_cells():
    assert places_view.period_nights(Filters()) == (7, None)
    assert places_view.period_nights(Filters(period="night"))[0] == 1
    records = pd.DataFrame(
        {
            "kind": ["street_count", "visit", "referral", "street_count"],
            "night": pd.to_datetime(["2026-11-23", "2026-11-23", "2026-11-17", "2026-11-16"]),
        }
    )
    # the week to the 23rd is the 17th to the 23rd: the visit and the 16th are left out
    kept = places_view.demand_in_window(records, nights=7, end=None)
    assert kept.index.tolist() == [0, 2]


# --- The layers -----------------------------------------------------------------------------------


def patrol_of(frame: gpd.GeoDataFrame):
    start = tuple(float(v[0]) for v in to_lonlat([529_900.0], [103_900.0]))
    return plan_patrol(frame, start_lonlat=start, stops=3)


def test_the_analysis_layers_are_the_police_and_coordinators_only():
    names = ("hotspot_cells", "persistent_sites", "agency_coverage", "coverage_gaps")
    for role in ("coordinator", "police"):
        assert set(names) | {"patrol_route"} <= {s.name for s in layers_for(role)}
    assert not {s.name for s in layers_for("councillor")} & set(names)
    with pytest.raises(AccessDenied, match="the councillor role does not see"):
        build_layer("coverage_gaps", gaps_frame(), role="councillor")


def test_gaps_and_stops_are_numbered_and_every_text_is_escaped():
    gaps = gaps_frame()
    plan = patrol_of(gaps)
    m = maps.base_map((-0.3, 50.8, -0.1, 50.9))
    build_layer("coverage_gaps", gaps, role="coordinator", m=m)
    build_layer(
        "patrol_route",
        plan.stops,
        role="coordinator",
        m=m,
        start=plan.start,
        return_to_start=False,
    )
    analysis.add_map_key(m, ["coverage_gaps", "patrol_route"])
    page = m.get_root().render()
    assert SCRIPT not in page and "<script>alert" not in page
    assert html_text("&lt;script&gt;alert") in page  # escaped, then sent as JSON
    for hidden in ("site-E530000N104000", "r_0123456789", "E530100N104100"):
        assert hidden not in page
    tips = re.findall(r'"tip": "([^"]*)"', page)
    assert [t.split(":")[0] for t in tips[:3]] == [
        html_text("<b>Gap 1"),
        html_text("<b>Gap 2"),
        html_text("<b>Gap 3"),
    ]
    assert html_text("never visited") in tips[0]
    assert sum(t.startswith(html_text("<b>Stop ")) for t in tips) == 3
    assert html_text("<b>Start</b>") in tips
    assert "Coverage gap, 1 = most urgent" in page and "Patrol stop, in walking order" in page


def html_text(text: str) -> str:
    """``text`` as ``tojson`` writes it in the page (``<``, ``>``, ``&`` and ``'`` as escapes)."""
    escaped = json.dumps(text).strip('"').replace("&", "\\u0026").replace("'", "\\u0027")
    return escaped.replace("<", "\\u003c").replace(">", "\\u003e")


def test_hot_cells_are_only_the_hot_ones_and_capped():
    cells = gpd.GeoDataFrame(
        {
            "hotspot": ["hot", "not significant", "hot", "cold"],
            "people": [12, 1, 0, 0],
            "sightings": [9, 1, 0, 0],
            "gi_z": [4.0, 0.1, 2.5, -3.0],
        },
        geometry=[box(530_000 + 100 * i, 104_000, 530_100 + 100 * i, 104_100) for i in range(4)],
        crs="EPSG:27700",
    )
    layer = build_layer("hotspot_cells", cells, role="police")
    geojson = next(c for c in layer._children.values() if isinstance(c, folium.GeoJson))
    tips = [f["properties"]["tooltip"] for f in geojson.data["features"]]
    assert tips == [
        "<b>Hot cell</b><br>12 people counted in 9 sightings here;<br>with the squares around "
        "it, busier than chance",
        "<b>Hot cell</b><br>nobody counted in this square itself;<br>with the squares around "
        "it, busier than chance",
    ]
    assert set(geojson.data["features"][0]["properties"]) == {"tooltip"}
    capped = build_layer("hotspot_cells", cells, role="police", max_cells=1)
    geojson = next(c for c in capped._children.values() if isinstance(c, folium.GeoJson))
    assert len(geojson.data["features"]) == 1


def test_each_agency_keeps_its_colour_whichever_are_shown():
    agencies = gpd.GeoDataFrame(
        {
            "agency": ["Outreach <b>team</b>", "Council", "Night shelter"],
            "visits": [3, 1, 0],
            "contacts": [0, 2, 0],
            "last_visit": pd.to_datetime(
                ["2026-11-24 01:20", "2026-11-20 22:00", None]
            ).tz_localize("Europe/London"),
        },
        geometry=[
            box(530_000, 104_000, 530_400, 104_400),
            box(531_000, 104_000, 531_400, 104_400),
            Polygon(),  # empty: not out in the window
        ],
        crs="EPSG:27700",
    )
    colours = analysis.agency_colours(agencies["agency"])
    assert list(colours) == ["Council", "Night shelter", "Outreach <b>team</b>"]
    one = build_layer("agency_coverage", agencies, role="coordinator", only=["Council"], days=7)
    geojson = next(c for c in one._children.values() if isinstance(c, folium.GeoJson))
    (feature,) = geojson.data["features"]
    assert feature["properties"]["fill"] == colours["Council"] == analysis.AGENCY_COLOURS[0]
    assert feature["properties"]["tooltip"] == (
        "<b>Within reach of Council</b><br>1 visit and 2 contacts in the last 7 nights"
        "<br>last out on the night of 20 Nov 2026"
    )
    every = build_layer("agency_coverage", agencies, role="police")
    geojson = next(c for c in every._children.values() if isinstance(c, folium.GeoJson))
    tips = [f["properties"]["tooltip"] for f in geojson.data["features"]]
    assert len(tips) == 2  # the empty area is not drawn
    assert "Outreach &lt;b&gt;team&lt;/b&gt;" in tips[0]
    assert "night of 23 Nov 2026" in tips[0]  # 01:20 on the 24th is the night of the 23rd


# --- Cold weather and referrals waiting (issue 13) --------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "police"])
def test_the_cold_weather_list_is_geos_longest_unseen_first(app_store, role):
    from geo.questions.swep import cold_weather_list

    store = open_store(app_store)
    at = open_page(role)
    shown = table(at, "Where")
    expected = places_view.cold_weather_table(cold_weather_list(store, role=role))
    pd.testing.assert_frame_equal(shown, expected, check_dtype=False)
    assert len(shown) and shown["Nights since"].is_monotonic_decreasing
    assert not shown.map(lambda v: bool(IDS.search(str(v)))).any().any()
    if role == "police":  # no references: sites only, and nothing about a person
        assert set(shown["Who"]) == {"Persistent site"}
        assert "Languages" not in shown.columns and "Last outcome" not in shown.columns
    else:
        assert {"Someone seen", "Persistent site"} <= set(shown["Who"])


def test_a_patrol_through_everyone_seen_lately_goes_to_their_last_places(app_store):
    from geo.questions.swep import swep_patrol

    at = open_page("coordinator")
    at.radio(key="patrol_through").set_value("everyone")
    at.radio(key="patrol_start_from").set_value("urgent")
    at.number_input(key="patrol_stops").set_value(5)
    at.run()
    assert not at.exception, at.exception
    expected = swep_patrol(open_store(app_store), role="coordinator", stops=5)
    stops = table(at, "Stop")
    pd.testing.assert_frame_equal(stops, places_view.patrol_table(expected), check_dtype=False)
    assert stops["Stop"].tolist() == [1, 2, 3, 4, 5]


def test_a_coordinator_records_a_cold_weather_activation(app_store, tmp_path):
    import shutil

    from geo.demo import cold_spell
    from geo.store import STORE_ENV, demo_store_path

    # a copy of the demo store, so the shared one is not written to
    copy = tmp_path / "atlas.sqlite"
    source, target = Path(app_store), demo_store_path(copy)
    for path in source.parent.glob(source.stem + "*"):
        if path.is_file():  # the store, its key, its WAL and its base map; caches are remade
            shutil.copy(path, target.parent / path.name.replace(source.stem, target.stem))
    before = os.environ.get(STORE_ENV)
    os.environ[STORE_ENV] = str(copy)
    try:
        at = open_page("coordinator")
        first, last = cold_spell(date(2026, 11, 23))
        at.date_input(key="swep_nights").set_value((first, last))
        at.text_input(key="swep_note").set_value("Met Office: -3C for four nights")
        (record,) = [b for b in at.button if b.label == "Record the activation"]
        record.click().run()
        assert not at.exception, at.exception
        recorded = open_store(demo_store_path(copy)).activations()
        assert len(recorded) == 1 and recorded["recorded_by"].iloc[0].endswith("(coordinator)")
        assert table(at, "From the night of")["To the night of"].tolist() == ["19 Nov 2026"]
        # the ward figures can now be asked for those nights only (coordinators)
        at.switch_page("app_pages/ward_map.py").run()
        whole = at.dataframe[0].value
        at.toggle(key="ward_map_activation_nights").set_value(True).run()
        assert not at.exception, at.exception
        from geo.analysis.ward_view import ward_table

        cold = questions.area_summary(
            open_store(demo_store_path(copy)), role="coordinator", filters=Filters(),
            activation_nights=True,
        )  # fmt: skip
        shown = at.dataframe[0].value.reset_index(drop=True)
        pd.testing.assert_frame_equal(shown, ward_table(cold), check_dtype=False)
        assert not shown.equals(whole.reset_index(drop=True))
    finally:
        if before is None:
            os.environ.pop(STORE_ENV, None)
        else:
            os.environ[STORE_ENV] = before


def test_only_coordinators_see_the_referrals_waiting(app_store):
    from geo.analysis.flow_view import queue_table
    from geo.questions.referrals import referral_queue

    coordinator, police = open_page("coordinator"), open_page("police")
    expected = queue_table(referral_queue(open_store(app_store), role="coordinator"))
    pd.testing.assert_frame_equal(table(coordinator, "Referred"), expected, check_dtype=False)
    assert len(expected) > 0  # the demo has referrals nobody followed up
    assert [t.label for t in police.tabs][-1] == "Cold weather"
    assert not [f for f in police.dataframe if f.value.columns[:1].tolist() == ["Referred"]]


def test_only_coordinators_see_the_safeguarding_queue(app_store):
    from geo.analysis.safeguarding import queue_table
    from geo.questions.safeguarding import queue

    coordinator, police = open_page("coordinator"), open_page("police")
    expected = queue_table(queue(open_store(app_store), role="coordinator"))
    shown = table(coordinator, "Why")
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), expected, check_dtype=False)
    assert not shown.map(lambda v: bool(IDS.search(str(v)))).any().any()
    assert not [d for d in police.dataframe if d.value.columns[:1].tolist() == ["Why"]]
    assert "Safeguarding" not in [t.label for t in police.tabs]
