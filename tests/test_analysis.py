"""The questions from a store, by role, and the command line that asks them.

The demo borough is loaded once for the module; commands run in-process through
``geo.__main__.main`` (one subprocess test checks the real entry point).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import questions
from geo.cli import main
from geo.demo import RISING_WARD_CODE, load_demo
from geo.errors import AccessDenied
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
GPX = "{http://www.topografix.com/GPX/1/1}"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("atlas") / "atlas.sqlite"
    load_demo(open_store(path), directory=DEMO)
    return path


@pytest.fixture(scope="module")
def store(store_path):
    return open_store(store_path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- the analysis layer ------------------------------------------------------------------------
def test_councillors_get_figures_but_no_places(store) -> None:
    for ask in (questions.hotspot_cells, questions.sites, questions.coverage_gaps):
        with pytest.raises(AccessDenied, match="councillor role does not see records as points"):
            ask(store, role="councillor")


def test_police_places_are_on_the_100_m_grid(store) -> None:
    found = questions.sites(store, role="police")
    assert len(found) > 0
    # a site of police records lies at the centre of a 100 m square: ...50 m
    assert ((found["easting"] % 100).round(6) == 50).all()
    assert ((found["northing"] % 100).round(6) == 50).all()


def test_a_hotspot_patch_holding_a_site_is_that_site(store) -> None:
    records = store.records(role="coordinator")
    places = questions.demand_places(records, end=None)
    sites = places.loc[places["demand"] == "site"]
    hot = places.loc[places["demand"] == "hotspot"]
    assert len(sites) > 0
    # every hot patch in the demo holds a persistent site, so no hotspot place is left over
    # to send a patrol to the same doorway twice
    assert hot.empty
    riverside = sites.loc[sites["area_code"] == RISING_WARD_CODE]
    assert len(riverside) >= 1


@pytest.mark.parametrize("role", ["coordinator", "police"])
def test_a_hot_patch_with_no_site_beside_it_has_nights_not_known(store, role) -> None:
    # one night's records: a hot patch, but no place seen on the 3 nights a site needs
    records = store.records(role=role)
    one_night = records.loc[records["night"] == records["night"].max()]
    places = questions.demand_places(one_night, end=None)
    hot = places.loc[places["demand"] == "hotspot"]
    assert len(hot) == 1 and not (places["demand"] == "site").any()
    assert {"nights_seen", "cells"} <= set(places.columns)
    assert hot["nights_seen"].isna().all() and (hot["cells"] >= 1).all()
    # the brief lists the patch, its nights not known (it failed on the missing column)
    from geo.analysis.brief import _places

    listed = _places(hot.assign(ward_name="Riverside", covered_by=None), by="people")
    assert listed["Nights seen"].tolist() == ["not known"]


def test_patrol_stops_are_distinct_places(store) -> None:
    patrol = questions.plan(store, role="coordinator", start_lonlat=(-0.30, 50.83), stops=8)
    xy = patrol.stops[["easting", "northing"]].round(0)
    assert len(patrol.stops) == 8
    assert not xy.duplicated().any()
    assert patrol.stops["demand"].isin(["site", "hotspot"]).all()


def test_gaps_are_recent_demand_nobody_went_back_to(store) -> None:
    found = questions.coverage_gaps(store, role="coordinator", days=7)
    assert (found.gaps["n_agencies"] == 0).all()
    # a gap is older than the coverage window: the sighting itself was someone being there
    assert (found.gaps["days_since_visit"].dropna() >= 7).all()
    assert found.wards["area_code"].nunique() == 20
    shares = found.wards["share_covered"].dropna()
    assert ((shares >= 0) & (shares <= 1)).all()


# -- the command line ------------------------------------------------------------------------
def test_summary_csv_has_every_area_and_period(capsys, store_path, tmp_path) -> None:
    out = tmp_path / "wards.csv"
    code, stdout, _ = run(
        capsys,
        "summary",
        "--store",
        str(store_path),
        "--period",
        "month",
        "--periods",
        "3",
        "--out",
        str(out),
    )
    assert code == 0
    assert "60 rows (20 areas x 3 periods)" in stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 60
    for column in ("area_code", "area_name", "period", "people", "distinct_people", "sightings"):
        assert column in rows[0]
    riverside = [r for r in rows if r["area_code"] == RISING_WARD_CODE]
    assert riverside[-1]["emerging"] == "True"
    assert {r["period"] for r in rows} == {r["period"] for r in riverside}


def test_summary_for_councillors_hides_small_numbers(capsys, store_path, tmp_path) -> None:
    out = tmp_path / "wards.json"
    code, _, _ = run(
        capsys,
        "summary",
        "--store",
        str(store_path),
        "--role",
        "councillor",
        "--out",
        str(out),
    )
    assert code == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    values = {str(row["people"]) for row in rows}
    assert "<5" in values
    assert not values & {"1", "2", "3", "4"}


def test_summary_by_a_boundary_file_neutralises_formulas(capsys, store_path, store, tmp_path):
    wards = store.areas()
    beat = gpd.GeoDataFrame(
        {"code": ["BEAT1"], "name": ['=HYPERLINK("http://x")']},
        geometry=[shapely.unary_union(wards.geometry.to_numpy())],
        crs="EPSG:4326",
    )
    path = tmp_path / "beat.geojson"
    beat.to_file(path, driver="GeoJSON")
    out = tmp_path / "beat.csv"
    code, _, _ = run(
        capsys,
        "summary",
        "--store",
        str(store_path),
        "--by",
        str(path),
        "--period",
        "range",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-23",
        "--out",
        str(out),
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["area_code"] for r in rows] == ["BEAT1"]
    assert rows[0]["area_name"].startswith("'=")
    assert rows[0]["period"] == "2026-11-01/2026-11-23"


def test_hotspots_sites_and_gaps_write_geojson(capsys, store_path, tmp_path) -> None:
    for command, extra in (("hotspots", []), ("sites", []), ("gaps", ["--days", "7"])):
        out = tmp_path / f"{command}.geojson"
        code, stdout, _ = run(
            capsys, command, "--store", str(store_path), *extra, "--out", str(out)
        )
        assert code == 0, stdout
        features = gpd.read_file(out)
        assert features.crs.to_epsg() == 4326
        assert f"{out}: {len(features)}" in stdout
        assert len(features) > 0
    code, stdout, _ = run(capsys, "hotspots", "--store", str(store_path), "--nights", "28")
    hot = int(re.search(r"(\d+) hot", stdout).group(1))
    assert hot == len(gpd.read_file(tmp_path / "hotspots.geojson").query("hotspot == 'hot'"))


def test_patrol_writes_gpx_and_a_sheet(capsys, store_path, tmp_path) -> None:
    gpx, sheet = tmp_path / "patrol.gpx", tmp_path / "patrol.txt"
    code, stdout, _ = run(
        capsys,
        "patrol",
        "--store",
        str(store_path),
        "--start",
        "50.83,-0.30",
        "--stops",
        "5",
        "--out",
        str(gpx),
        "--sheet",
        str(sheet),
    )
    assert code == 0
    root = ET.parse(gpx).getroot()
    assert len(root.findall(f"{GPX}wpt")) == 5
    assert len(root.findall(f"{GPX}rte/{GPX}rtept")) == 6  # the start, then five stops
    assert "OUTREACH PATROL" in sheet.read_text(encoding="utf-8")
    assert "5 stops" in stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["hotspots", "--role", "councillor"], "councillor role does not see records as points"),
        (["summary", "--role", "admin"], "admin role manages users and imports"),
        (["summary", "--from", "23/11/2026"], "--from '23/11/2026': write dates as YYYY-MM-DD"),
        (["summary", "--out", "wards.ods"], "--out wards.ods: the file name must end in .csv"),
        (["summary", "--by", "nowhere.gpkg"], "--by nowhere.gpkg: give ward, lsoa, or a boundary"),
        (["patrol", "--start", "50.8", "--stops", "3"], "write it as LAT,LON"),
        (["patrol", "--start=-0.30,50.83", "--stops", "3"], "outside Great Britain; write"),
    ],
)
def test_expected_errors_are_one_line(capsys, store_path, argv, message) -> None:
    code, _, stderr = run(capsys, *argv, "--store", str(store_path))
    assert code == 2
    assert stderr.startswith("error: ") and message in stderr
    assert stderr.count("\n") == 1


def test_the_real_entry_point_prints_help_with_examples() -> None:
    for command in ("summary", "hotspots", "sites", "gaps", "patrol"):
        result = subprocess.run(
            [sys.executable, "-m", "geo", command, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert f"python -m geo {command}" in result.stdout
        assert "--store" in result.stdout


def hot_patch(*, site_at: tuple[float, float] | None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """A 3 x 3 patch of hot 100 m cells at (530000, 104000), and maybe one site."""
    cols, rows = np.meshgrid(np.arange(5300, 5303), np.arange(1040, 1043))
    cols, rows = cols.ravel(), rows.ravel()
    cells = gpd.GeoDataFrame(
        {
            "col": cols,
            "row": rows,
            "easting": cols * 100 + 50.0,
            "northing": rows * 100 + 50.0,
            "people": np.arange(9) * 10.0,  # the busiest is the last: 80 people over the nights
            "hotspot": "hot",
        },
        geometry=[
            shapely.box(c * 100, r * 100, c * 100 + 100, r * 100 + 100)
            for c, r in zip(cols, rows, strict=True)
        ],
        crs="EPSG:27700",
    )
    sites = (
        pd.DataFrame({"easting": [site_at[0]], "northing": [site_at[1]]})
        if site_at
        else (pd.DataFrame({"easting": [], "northing": []}))
    )
    return cells, sites


def test_a_hot_patch_is_one_place_and_a_site_in_it_replaces_it() -> None:
    cells, none = hot_patch(site_at=None)
    places = questions._hot_places(cells, sites=none, nights=28)
    # one place: the busiest cell (5302, 1042); people per night = (0+10+...+80) / 28 = 12.9 -> 13
    assert places[["place_id", "people", "cells"]].values.tolist() == [[8, 13.0, 9]]
    _, inside = hot_patch(site_at=(530_150.0, 104_150.0))
    assert questions._hot_places(cells, sites=inside, nights=28).empty
    _, far = hot_patch(site_at=(539_700.0, 104_150.0))  # 9.7 km east: not this patch's site
    assert len(questions._hot_places(cells, sites=far, nights=28)) == 1


def test_json_on_every_analysis_command(capsys, store_path) -> None:
    for argv in (["hotspots"], ["sites"], ["gaps"], ["summary", "--periods", "1"]):
        code, stdout, _ = run(capsys, *argv, "--store", str(store_path), "--json")
        assert code == 0
        rows = json.loads(stdout)
        assert isinstance(rows, list) and rows
        if argv[0] != "summary":
            assert {"lon", "lat"} <= set(rows[0])
    code, stdout, _ = run(
        capsys,
        "patrol",
        "--store",
        str(store_path),
        "--start",
        "50.83,-0.30",
        "--stops",
        "3",
        "--json",
    )
    plan = json.loads(stdout)
    assert len(plan["stops"]) == 3 and plan["total_m"] > 0


def test_tables_neutralise_formulas_and_empty_layers_stay_geopackages(tmp_path) -> None:
    from geo.io.exports import table_csv, write_features, write_table

    table = pd.DataFrame({"name": ["=1+1", "@SUM(A1)", "-0.14", "plain"], "n": [1, 2, 3, 4]})
    assert table_csv(table).splitlines()[1:] == ["'=1+1,1", "'@SUM(A1),2", "-0.14,3", "plain,4"]
    write_table(table, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes().startswith(b"\xef\xbb\xbfname,n")
    empty = gpd.GeoDataFrame(
        {"site_id": pd.Series([], dtype=str)}, geometry=gpd.GeoSeries([], crs="EPSG:27700")
    )
    assert write_features(empty, tmp_path / "none.gpkg") == 0
    assert gpd.read_file(tmp_path / "none.gpkg").empty


def test_summary_printed_to_the_terminal_is_neutralised_too(capsys, store_path) -> None:
    code, stdout, _ = run(capsys, "summary", "--store", str(store_path), "--periods", "1")
    assert code == 0
    header = stdout.splitlines()[0].split(",")
    assert header[:3] == ["area_code", "area_name", "period"]
    assert len(stdout.splitlines()) == 21  # a header and the 20 wards


def test_councillors_cannot_count_inside_a_drawn_shape(capsys, store_path, store, tmp_path):
    path = tmp_path / "doorway.geojson"
    store.areas().iloc[:1].to_file(path, driver="GeoJSON")
    code, _, stderr = run(
        capsys, "summary", "--store", str(store_path), "--role", "councillor", "--by", str(path)
    )
    assert code == 2 and "stored layers (wards, LSOAs) only" in stderr


def test_sites_say_how_far_the_nearest_service_of_each_type_is(store) -> None:
    found = questions.sites(store, role="coordinator")
    services = store.services()
    shelters = services.loc[services["service_type"] == "night_shelter"]
    assert len(shelters) > 0
    site = found.iloc[0]
    by_hand = np.hypot(
        shelters["easting"] - site["easting"], shelters["northing"] - site["northing"]
    ).min()
    assert site["nearest_night_shelter_m"] == pytest.approx(by_hand, abs=0.5)
    assert site["nearest_night_shelter"] in set(shelters["name"])
