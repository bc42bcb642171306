"""A one-page Streamlit app drawing every kind of layer ``layers.maps`` makes, for map tests.

Synthetic data only: nine square wards, clustered sightings, unclustered services and a heat
layer. Some record text is a cross-site-scripting payload that would set
``window.__atlas_xss`` if it ever ran. Query parameters switch on variants:
``?colormap=1`` adds a branca colormap (streamlit-folium then asks for d3 v3 and v4);
``?plugin=fullscreen`` adds a plugin with no local copy, which must fail loudly.
"""

from __future__ import annotations

import branca.colormap
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from shapely.geometry import box

from layers import maps
from ui.offline_maps import show_map

SCRIPT_PAYLOAD = "<script>window.__atlas_xss = 1</script>"
IMG_PAYLOAD = '<img src="x" onerror="window.__atlas_xss = 2">'
SERVICE_COLOUR = "#2a9d8f"
WEST, SOUTH = -1.555, 52.395
#: Cell size in degrees: about 1.35 km each way at this latitude.
CELL_LON, CELL_LAT = 0.02, 0.012


def demo_wards() -> gpd.GeoDataFrame:
    codes = [f"E0500{i:04d}" for i in range(9)]
    names = [
        "Abbey",
        "Bridge",
        "Castle",
        SCRIPT_PAYLOAD,
        "Earlsdon",
        "Foleshill",
        "Greyfriars",
        "Holbrooks",
        "Longford",
    ]
    people: list[object] = [0, 2, 5, 9, 14, 20, 27, 33, "<5"]
    cells = [
        box(
            WEST + c * CELL_LON,
            SOUTH + r * CELL_LAT,
            WEST + (c + 1) * CELL_LON,
            SOUTH + (r + 1) * CELL_LAT,
        )
        for r in range(3)
        for c in range(3)
    ]
    frame = gpd.GeoDataFrame(
        {"area_code": codes, "area_name": names, "people": people}, geometry=cells, crs=4326
    )
    return frame.set_index("area_code", drop=False)


def demo_sightings(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    # Corners of the cells, away from their centres, where the tests hover.
    col = rng.integers(0, 3, n)
    row = rng.integers(0, 3, n)
    corner_x = rng.choice([0.15, 0.85], n) + rng.normal(0, 0.03, n)
    corner_y = rng.choice([0.15, 0.85], n) + rng.normal(0, 0.03, n)
    return pd.DataFrame(
        {
            "lon": WEST + (col + corner_x) * CELL_LON,
            "lat": SOUTH + (row + corner_y) * CELL_LAT,
            "people": rng.integers(1, 4, n),
            "notes": ["doorway"] * (n - 1) + [SCRIPT_PAYLOAD],
        }
    )


def demo_services() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lon": [WEST + 0.5 * CELL_LON, WEST + 2.15 * CELL_LON],
            "lat": [SOUTH + 2.15 * CELL_LAT, SOUTH + 0.5 * CELL_LAT],
            "name": ["Day centre", IMG_PAYLOAD],
            "opening_hours": ["Mon–Fri 9–5", None],
        }
    )


def build_map() -> folium.Map:
    wards = demo_wards()
    sightings = demo_sightings()
    m = maps.base_map(tuple(wards.total_bounds))
    maps.add_areas(m, wards, value_column="people", label="Wards", legend_title="People seen")
    maps.add_heat(m, sightings, weight_column="people", label="Heat", show=False)
    maps.add_points(m, sightings, label="Sightings", popup_columns=["notes", "people"])
    maps.add_points(
        m,
        demo_services(),
        label="Services",
        popup_columns=["name", "opening_hours"],
        cluster=False,
        colour=SERVICE_COLOUR,
    )
    if st.query_params.get("colormap") == "1":
        branca.colormap.LinearColormap(["#ffffff", "#000000"], vmin=0, vmax=1).add_to(m)
    if st.query_params.get("plugin") == "fullscreen":
        folium.plugins.Fullscreen().add_to(m)
    maps.add_layer_control(m)
    return m


st.set_page_config(page_title="Offline map test", layout="wide")
st.title("Offline map test")
show_map(build_map(), key="test_map", height=520)
