"""The cold-weather list (issue 13, section 5), each answer worked out by hand.

The list is for the night of Thursday 19 November 2026 over 14 nights: 6 to 19 November.
One agency (Outreach) recorded, West and East wards:

- Ann (A1): 10 Nov 22:00 at the doorway on Station Road (West), Polish, interpreter needed,
  NRPF, outcome "offered shelter"; 17 Nov 23:00 at the clock tower (East), no place said, no
  outcome. Last seen 17 Nov: 2 nights; at "a place in East ward"; last outcome "offered
  shelter" (the latest one said); languages "Polish"; flags "nrpf"; 2 sightings.
- Bob (B1): 8 Nov 21:00 at the clock tower steps, outcome "refused"; 9 Nov 02:00 at the bus
  shelter (West): still the night of the 8th. Last seen 9 Nov 02:00, 11 nights; at "bus
  shelter"; last outcome "refused".
- Dan (D1): 13 Nov at the park bandstand (West): 6 nights.
- Cath (C1): 30 Oct, 20 nights before: not on the list.
- a sighting with no reference at Station Road on 18 Nov: nobody in particular.
- sightings with no reference at the park bandstand on 12, 13 and 14 Nov: with Dan's, a
  persistent site (3 nights), last seen 14 Nov: 5 nights; most people one night: 2 (13 Nov).

So people, longest unseen first: Bob 11, Dan 6, Ann 2; one site, 5 nights.

Patrol stops: the park (Dan was last seen there: one stop, 2 people, 6 nights), Bob's bus
shelter, Ann's clock tower: 3 stops. Scores ``people * (1 + nights / 7)``: park 2 x 13/7 =
3.71, Bob 1 x 18/7 = 2.57, Ann 1 x 9/7 = 1.29: one stop is the park.

Activation 12 to 14 Nov: the sightings on those nights are all in West: 12 Nov 1, 13 Nov 2
(Dan and the unreferenced one, same agency: two people), 14 Nov 1: West 4 sightings and 4
people, East 0; over the whole 6-19 Nov West has 7 sightings (Ann 10th, Bob's 02:00, the
18th, and those 4).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis.swep import cold_weather_list as list_from_records
from geo.cli import main
from geo.demo.over_time import cold_spell
from geo.errors import AccessDenied, AnalysisError, StoreError
from geo.importing import import_records
from geo.questions import area_summary
from geo.questions.swep import (
    activations,
    cold_weather_list,
    record_activation,
    swep_patrol,
)
from geo.store import open_store
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards

NIGHT = date(2026, 11, 19)
BUS_SHELTER = (-0.1700, 50.8400)  # West ward, far from Station Road
PARK = (-0.1800, 50.8150)  # West ward, far from both

HEADER = "Date,Time,Latitude,Longitude,People,CHAIN ID,Location,Outcome,Language,Interpreter,NRPF"
ROWS = [  # date, time, place, ref, location text, outcome, language, interpreter, nrpf
    ("10/11/2026", "22:00", STATION_ROAD, "A1", "doorway on Station Road", "offered shelter",
     "Polish", "yes", "yes"),
    ("17/11/2026", "23:00", CLOCK_TOWER, "A1", "", "", "", "", ""),
    ("08/11/2026", "21:00", CLOCK_TOWER, "B1", "clock tower steps", "refused", "", "", ""),
    ("09/11/2026", "02:00", BUS_SHELTER, "B1", "bus shelter", "", "", "", ""),
    ("13/11/2026", "23:00", PARK, "D1", "park bandstand", "", "", "", ""),
    ("30/10/2026", "22:00", CLOCK_TOWER, "C1", "", "", "", "", ""),
    ("18/11/2026", "23:00", STATION_ROAD, "", "", "", "", "", ""),
    ("12/11/2026", "23:00", PARK, "", "park bandstand", "", "", "", ""),
    ("13/11/2026", "23:30", PARK, "", "park bandstand", "", "", "", ""),
    ("14/11/2026", "23:00", PARK, "", "park bandstand", "", "", "", ""),
]  # fmt: skip


def write_csv(path: Path, rows: list[tuple]) -> Path:
    lines = [HEADER]
    lines += [
        f"{day},{time},{lat},{lon},1,{ref},{text},{outcome},{language},{interpreter},{nrpf}"
        for day, time, (lon, lat), ref, text, outcome, language, interpreter, nrpf in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    import_records(store, write_csv(tmp_path / "outreach.csv", ROWS), agency="Outreach")
    return store


def refs_of(store) -> dict[str, str]:
    """Stored (hashed) reference -> the name the file gave."""
    refs = pd.Series(["A1", "B1", "C1", "D1"])
    hashed = store.pseudonymise(refs, scope="shared")  # CHAIN ids are shared
    return dict(zip(hashed, ["Ann", "Bob", "Cath", "Dan"], strict=True))


def test_people_longest_unseen_first_with_last_place_and_outcome(store):
    found = cold_weather_list(store, role="coordinator", night=NIGHT)
    people = found.people.assign(name=found.people["person_ref"].map(refs_of(store)))
    assert people["name"].tolist() == ["Bob", "Dan", "Ann"]  # Cath: 20 nights, a blank: nobody
    assert people["nights_since"].tolist() == [11, 6, 2]
    assert people["place_name"].tolist() == [
        "bus shelter",
        "park bandstand",
        "a place in East ward",
    ]
    assert people["ward_name"].tolist() == ["West", "West", "East"]
    assert people["last_outcome"].tolist() == ["refused", None, "offered shelter"]
    assert people["sightings"].tolist() == [2, 1, 2]
    assert people["last_seen"].iloc[0] == pd.Timestamp("2026-11-09 02:00", tz="Europe/London")


def test_needs_and_flags_for_coordinators(store):
    people = cold_weather_list(store, role="coordinator", night=NIGHT).people
    needs = people[["languages", "flags"]].values.tolist()
    assert needs == [["", ""], ["", ""], ["Polish", "nrpf"]]


def test_the_park_is_a_site_five_nights_unseen(store):
    sites = cold_weather_list(store, role="coordinator", night=NIGHT).sites
    assert sites[["place_name", "ward_name", "nights_since", "people"]].values.tolist() == [
        ["park bandstand", "West", 5, 2]
    ]


def test_a_shorter_look_back_drops_the_people_seen_before_it(store):
    found = cold_weather_list(store, role="coordinator", night=NIGHT, nights=7)  # 13-19 Nov
    assert found.people["nights_since"].tolist() == [6, 2]


def test_police_see_coarsened_sites_and_no_people_or_needs(store):
    found = cold_weather_list(store, role="police", night=NIGHT)
    assert found.people.empty
    assert not {"person_ref", "last_outcome", "languages", "flags"} & set(found.people.columns)
    assert not {"languages", "flags"} & set(found.sites.columns)
    assert found.sites["place_name"].tolist() == ["a place in West ward"]  # no text for police


def test_councillors_are_refused(store):
    with pytest.raises(AccessDenied, match="names people"):
        cold_weather_list(store, role="councillor", night=NIGHT)


def test_a_bad_look_back_is_refused(store):
    with pytest.raises(AnalysisError, match="nights must be a whole number from 3"):
        cold_weather_list(store, role="coordinator", night=NIGHT, nights=2)
    with pytest.raises(AnalysisError, match="night must be a date"):
        list_from_records(pd.DataFrame(), night="2026-11-19")  # type: ignore[arg-type]


def test_the_patrol_visits_every_stop_and_merges_dan_into_the_park(store):
    planned = swep_patrol(store, role="coordinator", night=NIGHT)
    stops = planned.stops.sort_values("place_name")
    assert stops["place_name"].tolist() == ["a place in East ward", "bus shelter", "park bandstand"]
    assert stops["people"].tolist() == [1, 1, 2]
    assert stops["nights_since"].tolist() == [2, 11, 6]


def test_one_stop_is_the_most_urgent(store):
    planned = swep_patrol(store, role="coordinator", night=NIGHT, stops=1)
    assert planned.stops["place_name"].tolist() == ["park bandstand"]


def test_activation_nights_only_in_the_ward_figures(store):
    record_activation(store, date(2026, 11, 12), date(2026, 11, 14), role="coordinator", by="Jo")
    options = dict(period="range", start=date(2026, 11, 6), end=NIGHT)
    cut = area_summary(store, role="coordinator", activation_nights=True, **options).areas
    whole = area_summary(store, role="coordinator", **options).areas
    figures = cut.set_index("area_name").loc[["West", "East"], ["sightings", "people"]]
    assert figures.values.tolist() == [[4, 4], [0, 0]]
    assert whole.set_index("area_name").loc["West", "sightings"] == 7


@pytest.mark.parametrize("role", ["police", "councillor"])
def test_activation_nights_are_for_coordinators(store, role):
    record_activation(store, date(2026, 11, 12), date(2026, 11, 14), role="coordinator", by="Jo")
    with pytest.raises(AccessDenied, match="by difference"):
        area_summary(store, role=role, period="week", activation_nights=True)


def test_activations_are_kept_with_who_and_when(store):
    kept = record_activation(
        store, date(2026, 11, 12), date(2026, 11, 14), role="coordinator", by=" Jo ", note="snow"
    )
    found = activations(store, role="councillor")  # the dates are public
    columns = ["first_night", "last_night", "recorded_by", "note", "nights"]
    assert found[columns].values.tolist() == [["2026-11-12", "2026-11-14", "Jo", "snow", 3]]
    assert found["recorded_at"].iloc[0] == kept.recorded_at
    assert kept.recorded_at.endswith("+00:00")


@pytest.mark.parametrize(
    ("first", "last", "by", "match"),
    [
        (date(2026, 11, 14), date(2026, 11, 12), "Jo", "ends .* before it begins"),
        (date(2026, 9, 1), date(2026, 11, 12), "Jo", "at most 60"),
        ("2026-11-12", date(2026, 11, 14), "Jo", "first must be a night's date"),
        (date(2026, 11, 12), date(2026, 11, 14), " ", "say who recorded it"),
    ],
)
def test_activation_checks(store, first, last, by, match):
    with pytest.raises(StoreError, match=match):
        record_activation(store, first, last, role="coordinator", by=by)
    assert store.activations().empty


def test_only_coordinators_record_activations(store):
    with pytest.raises(AccessDenied, match="a coordinator records it"):
        record_activation(store, date(2026, 11, 12), date(2026, 11, 14), role="police", by="Jo")


def test_no_activation_no_activation_figures(store):
    with pytest.raises(AnalysisError, match="no SWEP activation is recorded"):
        area_summary(store, role="coordinator", activation_nights=True)


# -- the command -----------------------------------------------------------------------------


def run(store, *argv: str) -> int:
    return main(["swep", "--store", store.location, *argv])


def test_command_prints_the_list_in_words(store, capsys):
    assert run(store, "--night", "2026-11-19") == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "3 people and 1 site seen in the 14 nights to 19 Nov 2026; the longest unseen: 11 nights"
    )
    assert out.index("bus shelter") < out.index("park bandstand") < out.index("East ward")
    assert "last outcome: refused" in out and "interpreter: Polish; flags: nrpf" in out


def test_command_writes_csv_geojson_and_json(store, tmp_path, capsys):
    assert run(store, "--night", "2026-11-19", "--out", str(tmp_path / "swep.csv")) == 0
    table = pd.read_csv(tmp_path / "swep.csv", encoding="utf-8-sig")
    assert table["entry"].tolist() == ["person", "person", "person", "site"]
    assert table["nights_since"].tolist() == [11, 6, 2, 5]
    assert run(store, "--night", "2026-11-19", "--out", str(tmp_path / "swep.geojson")) == 0
    features = json.loads((tmp_path / "swep.geojson").read_text())["features"]
    names = [f["properties"]["place_name"] for f in features]
    assert names[:2] == ["bus shelter", "park bandstand"]
    assert features[0]["geometry"]["type"] == "Point"
    capsys.readouterr()
    assert run(store, "--night", "2026-11-19", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["nights_since"] for row in rows] == [11, 6, 2, 5]


def test_command_records_and_lists_activations(store, capsys):
    assert run(store, "--activate", "2026-11-12", "2026-11-14", "--by", "Jo") == 0
    assert "the nights of 12 November 2026 to 14 November 2026 (3 nights), by Jo" in (
        capsys.readouterr().out
    )
    assert run(store, "--activations", "--json") == 0
    assert json.loads(capsys.readouterr().out)[0]["recorded_by"] == "Jo"
    summary = ["summary", "--store", store.location, "--activation-nights", "--period", "range"]
    assert main([*summary, "--from", "2026-11-06", "--to", "2026-11-19", "--json"]) == 0
    west = next(r for r in json.loads(capsys.readouterr().out) if r["area_name"] == "West")
    assert (west["sightings"], west["people"]) == (4, 4)


def test_command_errors_are_one_line(store, capsys):
    assert run(store, "--activate", "2026-11-14", "2026-11-12", "--by", "Jo") == 2
    assert capsys.readouterr().err.startswith("error: the activation ends")
    assert run(store, "--role", "councillor") == 2
    err = capsys.readouterr().err
    assert "error: the councillor role does not see the cold-weather list" in err
    assert run(store, "--gpx", "x.gpx") == 2
    assert "go with --patrol" in capsys.readouterr().err


def test_command_plans_a_patrol_and_writes_gpx(store, tmp_path, capsys):
    gpx = tmp_path / "swep.gpx"
    assert run(store, "--night", "2026-11-19", "--patrol", "--gpx", str(gpx)) == 0
    out = capsys.readouterr().out
    assert f"{gpx}: 3 stops" in out
    assert gpx.read_text(encoding="utf-8").count("<wpt ") == 3
    assert run(store, "--night", "2026-11-19", "--patrol", "--stops", "1", "--json") == 0
    assert len(json.loads(capsys.readouterr().out)["stops"]) == 1


# -- the demo borough ------------------------------------------------------------------------


def test_the_demo_cold_spell_can_be_recorded_and_its_list_is_not_empty(demo_store, tmp_path):
    copy = tmp_path / "demo.sqlite"  # the demo store is shared: write to a copy of it
    with sqlite3.connect(demo_store.location) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    store = open_store(copy)
    first, last = cold_spell(date(2026, 11, 23))
    record_activation(store, first, last, role="coordinator", by="demo")
    found = cold_weather_list(store, role="coordinator", night=first)
    assert len(found.people) > 0
    assert found.people["nights_since"].is_monotonic_decreasing
    cut = area_summary(store, role="coordinator", period="range", start=first, end=last,
                       activation_nights=True)  # fmt: skip
    assert cut.areas["people"].sum() > 0
