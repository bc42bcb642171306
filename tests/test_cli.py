"""The command line: one module per command, defaults from the analyses' constants, and the
patrol that starts without ``--start``.

The demo borough is loaded once for the module, as in tests/test_analysis.py.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import questions
from geo.analysis.coverage import DEFAULT_DAYS, DEFAULT_WALK_M
from geo.analysis.patrol import DEFAULT_DWELL_MINUTES
from geo.analysis.sites import SITE_NIGHTS, SITE_RADIUS_M, SITE_WINDOW
from geo.analysis.ward_figures import DEFAULT_PERIODS
from geo.cli import COMMANDS, build_parser, main
from geo.cli.patrol import BASE_ENV
from geo.demo import load_demo
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
GPX = "{http://www.topografix.com/GPX/1/1}"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("atlas") / "atlas.sqlite"
    load_demo(open_store(path), directory=DEMO)
    return path


@pytest.fixture(autouse=True)
def no_base(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the base of the machine it runs on."""
    monkeypatch.delenv(BASE_ENV, raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --------------------------------------------------------------------------- the parser


def test_every_command_is_a_module_with_the_same_two_functions() -> None:
    for module in COMMANDS:
        assert callable(module.add_parser) and callable(module.run), module.__name__
    help_text = build_parser().format_help()
    for name in ("demo", "import", "export", "status", "summary", "hotspots", "sites", "gaps"):
        assert f"    {name} " in help_text
    args = build_parser().parse_args(["import", "records", "f.csv", "--agency", "A"])
    assert args.run.__module__ == "geo.cli.imports"


@pytest.mark.parametrize(
    ("argv", "option", "constant"),
    [
        (["hotspots"], "nights", questions.DEMAND_NIGHTS),
        (["sites"], "min_nights", SITE_NIGHTS),
        (["sites"], "last_nights", SITE_WINDOW),
        (["sites"], "radius", SITE_RADIUS_M),
        (["gaps"], "days", DEFAULT_DAYS),
        (["gaps"], "walk", DEFAULT_WALK_M),
        (["gaps"], "demand_nights", questions.DEMAND_NIGHTS),
        (["patrol", "--stops", "3"], "days", DEFAULT_DAYS),
        (["summary"], "periods", DEFAULT_PERIODS),
    ],
)
def test_defaults_come_from_the_analyses(argv: list[str], option: str, constant: float) -> None:
    assert getattr(build_parser().parse_args(argv), option) == constant


def test_help_shows_the_constants(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["gaps", "--help"])
    text = capsys.readouterr().out
    assert f"walking distance, metres ({DEFAULT_WALK_M:g})" in text
    assert f"coverage window in nights ({DEFAULT_DAYS})" in text
    with pytest.raises(SystemExit):
        main(["patrol", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"walking plus {DEFAULT_DWELL_MINUTES:g} min a stop" in text
    assert f"the base in the {BASE_ENV} environment variable" in text


# --------------------------------------------------------------------------- patrol start


def test_patrol_without_start_begins_at_the_first_stop(capsys, store_path, tmp_path) -> None:
    gpx = tmp_path / "p.gpx"
    code, stdout, stderr = run(
        capsys, "patrol", "--store", str(store_path), "--stops", "4", "--out", str(gpx)
    )
    assert code == 0, stderr
    said = stdout.splitlines()[0]
    assert said.startswith("Starting from the first stop, ")
    assert said.endswith("the most urgent place (no --start given)")
    root = ET.parse(gpx).getroot()
    start, first = root.findall(f"{GPX}rte/{GPX}rtept")[:2]
    assert (start.get("lat"), start.get("lon")) == (first.get("lat"), first.get("lon"))
    name = root.find(f"{GPX}wpt").findtext(f"{GPX}name")
    assert said == f"Starting from the first stop, {name[3:]}, the most urgent place" + (
        " (no --start given)"
    )
    assert "Start: " in stdout and "at the first stop (the most urgent place)" in stdout


def test_patrol_starts_at_the_configured_base(capsys, monkeypatch, store_path) -> None:
    monkeypatch.setenv(BASE_ENV, "50.83,-0.30")
    code, stdout, _ = run(capsys, "patrol", "--store", str(store_path), "--stops", "2")
    assert code == 0
    assert stdout.splitlines()[0] == (
        f"Starting from the base in {BASE_ENV}, 50.83000, -0.30000 (no --start given)"
    )
    code, stdout, _ = run(capsys, "patrol", "--store", str(store_path), "--stops", "2", "--json")
    assert json.loads(stdout)["start"] == {"lat": 50.83, "lon": -0.3, "from": BASE_ENV}
    # --start wins over the base, and then nothing more is said
    code, stdout, _ = run(
        capsys, "patrol", "--store", str(store_path), "--stops", "2", "--start", "50.82,-0.28"
    )
    assert code == 0 and "Starting from" not in stdout
    assert "Start: 50.82000, -0.28000 (lat, lon)" in stdout


def test_a_bad_base_is_one_line(capsys, monkeypatch, store_path) -> None:
    monkeypatch.setenv(BASE_ENV, "the office")
    code, _, stderr = run(capsys, "patrol", "--store", str(store_path), "--stops", "2")
    assert code == 2
    assert stderr == (
        f"error: {BASE_ENV} 'the office': write it as LAT,LON, e.g. 50.8278,-0.1680\n"
    )


def test_patrol_json_says_where_it_started(capsys, store_path) -> None:
    code, stdout, _ = run(capsys, "patrol", "--store", str(store_path), "--stops", "3", "--json")
    plan = json.loads(stdout)
    assert plan["start"]["from"] == "first stop"
    assert (plan["stops"][0]["lat"], plan["stops"][0]["lon"]) == pytest.approx(
        (plan["start"]["lat"], plan["start"]["lon"]), abs=1e-6
    )


def test_patrol_out_as_text_writes_the_sheet(capsys, store_path, tmp_path) -> None:
    sheet = tmp_path / "sheet.txt"
    code, stdout, _ = run(
        capsys, "patrol", "--store", str(store_path), "--stops", "2", "--out", str(sheet)
    )
    assert code == 0 and f"{sheet}: 2 stops" in stdout
    assert sheet.read_text(encoding="utf-8").startswith("OUTREACH PATROL\n")
    code, _, stderr = run(
        capsys, "patrol", "--store", str(store_path), "--stops", "2", "--out", "p.docx"
    )
    assert code == 2 and "--out p.docx: the file name must end in .gpx" in stderr


# --------------------------------------------------------------------------- named places


def test_sites_and_gaps_print_place_names(capsys, monkeypatch, store_path) -> None:
    site = gpd.GeoDataFrame(
        {
            "site_id": ["site-E530000N104000", "site-E530100N104000"],
            "people": [4, 2],
            "nights_seen": [9, 3],
            "last_seen": pd.to_datetime(["2026-11-23", "2026-11-20"]),
            "area_code": ["E05999010", "E05999011"],
            "agencies": ["Harbour Light", "Council outreach team"],
            "place_name": ["the doorway on Station Road", None],
            "ward_name": ["Station", None],
        },
        geometry=[shapely.Point(530000, 104000), shapely.Point(530100, 104000)],
        crs="EPSG:27700",
    )
    monkeypatch.setattr(questions, "sites", lambda store, **options: site)
    code, stdout, _ = run(capsys, "sites", "--store", str(store_path))
    assert code == 0
    assert "  the doorway on Station Road: 4 people, 9 nights, last seen 2026-11-23," in stdout
    assert "ward Station, agencies: Harbour Light" in stdout
    assert "  site-E530100N104000: 2 people, 3 nights, last seen 2026-11-20, ward E05999011" in (
        stdout
    )
    gaps = site.assign(
        rank=[1, 2], demand="site", place_id=site["site_id"], days_since_visit=[np.nan, 8.0]
    )
    found = questions.Coverage(
        demand=gaps, gaps=gaps, overlaps=gaps.iloc[:0], agencies=gaps.iloc[:0], wards=gaps
    )
    monkeypatch.setattr(questions, "coverage_gaps", lambda store, **options: found)
    code, stdout, _ = run(capsys, "gaps", "--store", str(store_path))
    assert "  1. site the doorway on Station Road, Station ward: 4 people, never visited" in stdout
    assert "  2. site site-E530100N104000: 2 people, 8 nights since a visit" in stdout


# --------------------------------------------------------------------------- rounded CSV


def test_summary_csv_rounds_rates_for_people(capsys, store_path, tmp_path) -> None:
    out = tmp_path / "wards.csv"
    code, _, _ = run(capsys, "summary", "--store", str(store_path), "--out", str(out))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    places = {"rate_per_10k": 1, "change_pct": 1, "emerging_score": 2, "trend": 2}
    for column, most in places.items():
        written = [r[column] for r in rows if r[column]]
        assert written, column
        assert max(len(v.partition(".")[2]) for v in written) <= most, column
    assert all("." not in r["population"] for r in rows)  # residents, a count
