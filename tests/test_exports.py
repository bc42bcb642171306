"""Exports: the registry of formats, figures rounded for people, and patrols named for people."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.analysis.patrol import plan_patrol
from geo.crs import to_lonlat
from geo.errors import InputFileError
from geo.io import exports
from geo.io.exports import (
    FORMATS,
    ExportFormat,
    find_format,
    for_people,
    printable,
    suffixes,
    table_csv,
    table_json,
    to_bytes,
    to_gpx,
    write,
    write_features,
    write_table,
)
from geo.io.exports import formats as registry

X0, Y0 = 530_000.0, 104_000.0
START_LONLAT = tuple(float(v[0]) for v in to_lonlat([X0], [Y0]))
GPX = {"g": "http://www.topografix.com/GPX/1/1"}


def ward_figures() -> pd.DataFrame:
    """Two wards as the figures leave geo.questions: counts, a population with a gap, rates."""
    return pd.DataFrame(
        {
            "area_code": ["E05000001", "E05000002"],
            "people": [15, 3],
            "population": [7298.0, np.nan],
            "rate_per_10k": [20.553576322280076, np.nan],
            "change_pct": [171.42857142857142, -33.33333333333333],
            "emerging_score": [2.3456789, 1.0],
            "trend": [-0.5714285714285714, 0.25],
        }
    )


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- rounding


def test_csv_rounds_rates_percentages_and_scores_for_people() -> None:
    rows = csv_rows(table_csv(ward_figures()))
    # by hand: 20.5535... -> 20.6; 171.428... -> 171.4; 2.3456... -> 2.35; -0.5714... -> -0.57
    assert rows[0] == {
        "area_code": "E05000001",
        "people": "15",
        "population": "7298",  # a count stored as float (it has a gap) is written whole
        "rate_per_10k": "20.6",
        "change_pct": "171.4",
        "emerging_score": "2.35",
        "trend": "-0.57",
    }
    assert rows[1]["population"] == "" and rows[1]["rate_per_10k"] == ""
    assert rows[1]["change_pct"] == "-33.3" and rows[1]["trend"] == "0.25"


def test_json_tables_round_the_same_way() -> None:
    rows = json.loads(table_json(ward_figures()))
    assert rows[0]["rate_per_10k"] == 20.6 and rows[0]["change_pct"] == 171.4
    assert rows[0]["emerging_score"] == 2.35 and rows[0]["trend"] == -0.57
    assert rows[0]["population"] == 7298 and rows[1]["population"] is None


def test_hidden_cells_stay_text_and_mixed_columns_round_their_numbers() -> None:
    # as a councillor sees them: counts hidden as "<5" or "*", change shown only where allowed
    frame = pd.DataFrame(
        {
            "people": pd.Series(["<5", "*", 12], dtype=object),
            "previous_people": pd.Series([15.0, "*", None], dtype=object),
            "change_pct": pd.Series([12.345, None, "*"], dtype=object),
        }
    )
    rows = csv_rows(table_csv(frame))
    assert [r["people"] for r in rows] == ["<5", "*", "12"]
    assert [r["previous_people"] for r in rows] == ["15", "*", ""]
    assert [r["change_pct"] for r in rows] == ["12.3", "", "*"]


def test_other_columns_get_sensible_places() -> None:
    frame = pd.DataFrame(
        {
            "nearest_hostel_m": [1558.4321],
            "arrive_minutes": [33.333],
            "share_covered": [0.833333],
            "gi_z": [5.841396],
            "gi_p": [0.0000123456],
            "lon": [-0.1234567891],
            "easting": [522241.9232949591],
            "other": [1.23456],
        }
    )
    (row,) = csv_rows(table_csv(frame))
    assert row == {
        "nearest_hostel_m": "1558.4",
        "arrive_minutes": "33.3",
        "share_covered": "0.833",
        "gi_z": "5.84",
        "gi_p": "1.23e-05",  # a probability keeps 3 significant figures, never 0.0
        "lon": "-0.123457",
        "easting": "522241.9",
        "other": "1.23",
    }


def test_rounding_leaves_the_input_alone_and_formulas_stay_neutralised() -> None:
    frame = ward_figures().assign(area_name=["=HYPERLINK(1)", "plain"])
    before = frame.copy()
    assert for_people(frame)["rate_per_10k"].iloc[0] == 20.6
    pd.testing.assert_frame_equal(frame, before)
    assert csv_rows(table_csv(frame))[0]["area_name"] == "'=HYPERLINK(1)"


# --------------------------------------------------------------------------- the registry


def test_formats_are_picked_by_name_or_suffix() -> None:
    assert [f.name for f in FORMATS] == [
        "csv",
        "json",
        "xlsx",
        "geojson",
        "gpkg",
        "gpx",
        "sheet",
        "pdf",
    ]
    assert find_format(path="Wards.CSV").name == "csv"
    assert find_format(name=" GeoJSON ").suffixes == (".geojson",)
    assert find_format(path="route.gpx", content="patrol").title == "GPX"
    assert suffixes("table") == (".csv", ".json", ".xlsx")
    assert suffixes("patrol") == (".gpx", ".txt", ".pdf") and suffixes("document") == (".pdf",)
    assert suffixes("features") == (".csv", ".json", ".geojson", ".gpkg")
    every = [s for f in FORMATS for s in f.suffixes]
    assert len(every) == len(set(every))  # a suffix picks one format
    with pytest.raises(dataclasses.FrozenInstanceError):
        FORMATS[0].name = "ods"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("ask", "message"),
    [
        (
            {"path": "wards.ods"},
            r"wards\.ods: no export format for a name ending in \.ods; known formats: CSV "
            r"\(\.csv\), JSON \(\.json\), Excel \(\.xlsx\), GeoJSON \(\.geojson\), GeoPackage "
            r"\(\.gpkg\), GPX \(\.gpx\), patrol sheet \(text\) \(\.txt\), PDF \(\.pdf\)",
        ),
        ({"path": "wards"}, r"wards: no export format for a name without a suffix; known"),
        ({"name": "ods"}, r"export format 'ods' is unknown; known formats: CSV \(\.csv\)"),
        (
            {"path": "wards.geojson", "content": "table"},
            r"wards\.geojson: GeoJSON does not write a table; write a table as \.csv, \.json "
            r"or \.xlsx",
        ),
        (
            {"name": "csv", "content": "patrol"},
            r"format csv: CSV does not write a patrol; write a patrol as \.gpx, \.txt or \.pdf",
        ),
    ],
)
def test_unknown_formats_list_the_known_ones(ask: dict[str, str], message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        find_format(**ask)  # type: ignore[arg-type]


def test_tables_and_features_go_where_their_suffix_says(tmp_path: Path) -> None:
    table = ward_figures()
    assert write_table(table, tmp_path / "w.csv") == 2
    assert (tmp_path / "w.csv").read_bytes().startswith(b"\xef\xbb\xbfarea_code,")
    with pytest.raises(InputFileError, match=r"w\.gpkg: GeoPackage does not write a table"):
        write_table(table, tmp_path / "w.gpkg")
    features = gpd.GeoDataFrame(
        {"site_id": ["S1"], "rate_per_10k": [20.553576322280076]},
        geometry=[shapely.Point(X0, Y0)],
        crs="EPSG:27700",
    )
    assert write_features(features, tmp_path / "s.geojson") == 1
    back = gpd.read_file(tmp_path / "s.geojson")
    assert back.crs.to_epsg() == 4326
    assert back["rate_per_10k"].iloc[0] == pytest.approx(20.553576322280076)  # GIS keeps it all
    assert write(features, tmp_path / "s.csv") == 1  # features as rows with lon/lat
    (row,) = csv_rows((tmp_path / "s.csv").read_text(encoding="utf-8-sig"))
    assert row["lon"] == f"{START_LONLAT[0]:.6f}".rstrip("0") and row["rate_per_10k"] == "20.6"


def test_bytes_for_downloads_are_the_file(tmp_path: Path) -> None:
    assert to_bytes(ward_figures(), name="csv").startswith(b"\xef\xbb\xbfarea_code,people")
    features = gpd.GeoDataFrame(
        {"site_id": ["S1"]}, geometry=[shapely.Point(X0, Y0)], crs="EPSG:27700"
    )
    assert to_bytes(features, name="gpkg").startswith(b"SQLite format 3\x00")
    assert to_bytes(patrol_named(), name="gpx").startswith(b"<?xml")


def test_a_new_format_is_one_spec(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def write_markdown(value: pd.DataFrame, path: Path, *, content: str) -> int:
        path.write_text("| area_code |\n", encoding="utf-8")
        return len(value)

    markdown = ExportFormat("md", "Markdown", (".md",), ("table",), write_markdown, "text/markdown")
    monkeypatch.setattr(registry, "FORMATS", (*FORMATS, markdown))
    assert write(ward_figures(), tmp_path / "w.md") == 2
    assert find_format(name="md") is markdown and ".md" in suffixes("table")
    assert exports.known_formats("table").endswith("Markdown (.md)")


# --------------------------------------------------------------------------- named patrols


def candidates_named() -> pd.DataFrame:
    """Two places as the other rooms describe them, and one with no description."""
    return pd.DataFrame(
        {
            "site_id": ["site-E530000N104300", "site-E530400N104300", "S3"],
            "demand": ["site", "site", "hotspot"],
            "easting": [X0, X0 + 400, X0 + 800],
            "northing": [Y0 + 300, Y0 + 300, Y0 + 300],
            "people": [3, 2, 1],
            "days_since_visit": [np.nan, 5.0, 9.0],
            "n_agencies": [0, 0, 0],
            "place_name": ["the doorway on Station Road", "Market Street doorways", None],
            "ward_name": ["Station", "Market", "Riverside"],
            "languages": ["Polish, Romanian", ["Arabic"], None],
            "flags": ["nrpf, under_18", "", np.nan],
            "notes": ["Name: John Smith", "dog", ""],
        }
    )


def patrol_named():
    return plan_patrol(candidates_named(), start_lonlat=START_LONLAT, stops=3)


def test_gpx_waypoints_are_named_for_people() -> None:
    root = ET.fromstring(to_gpx(patrol_named()).encode())
    names = [w.findtext("g:name", namespaces=GPX) for w in root.findall("g:wpt", GPX)]
    assert names == [
        "1. the doorway on Station Road, Station ward",
        "2. Market Street doorways, Market ward",
        "3. hotspot S3, Riverside ward",  # no place name: the id, as before, and the ward
    ]
    route = [p.findtext("g:name", namespaces=GPX) for p in root.findall("g:rte/g:rtept", GPX)]
    assert route == ["Start", *names]
    assert "Polish" not in to_gpx(patrol_named())  # languages and flags stay on the sheet


def test_the_sheet_names_places_and_lists_languages_and_flags() -> None:
    sheet = printable(patrol_named())
    block = sheet.split("1. the doorway on Station Road, Station ward\n")[1].split("\n\n")[0]
    assert "look for: 3 people seen; no visit on record; uncovered" in block
    assert "languages needed: Polish, Romanian" in block
    assert "flags seen: nrpf, under 18" in block
    market = sheet.split("2. Market Street doorways, Market ward\n")[1].split("\n\n")[0]
    assert "languages needed: Arabic" in market and "flags seen" not in market
    last = sheet.split("3. hotspot S3, Riverside ward\n")[1].split("\n\n")[0]
    assert "languages" not in last and "flags" not in last
    assert "John Smith" not in sheet and "dog" not in sheet


def test_without_the_columns_the_labels_are_as_before() -> None:
    bare = candidates_named().drop(columns=["place_name", "ward_name", "languages", "flags"])
    patrol = plan_patrol(bare, start_lonlat=START_LONLAT, stops=3)
    sheet = printable(patrol)
    assert "1. site site-E53000…" in sheet and "3. hotspot S3" in sheet
    assert "languages" not in sheet and "flags" not in sheet


def test_a_patrol_without_a_start_starts_at_its_first_stop() -> None:
    patrol = plan_patrol(candidates_named(), start_lonlat=None, stops=3)
    first = patrol.stops.iloc[0]
    # the most urgent: all uncovered sites, score 3 * (1 + 28/7) = 15 beats 2 * (1 + 5/7)
    assert first["place_name"] == "the doorway on Station Road"
    assert first["leg_m"] == 0 and patrol.starts_at_first_stop
    assert patrol.start == pytest.approx((first["lon"], first["lat"]), abs=1e-9)
    assert "at the first stop (the most urgent place)" in printable(patrol)
    assert patrol.total_m == pytest.approx(800.0, abs=0.1)  # then 400 m east, and 400 more
