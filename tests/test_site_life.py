"""Site life (issue 13, section 3), each status and date worked out by hand.

Quiet nights Q = 14, persistent = seen on 3 of 14 nights, the history the 90 nights to the last
night, Saturday 28 Nov 2026 (so from 31 Aug). Every sighting is at 23:00, on its own date's
night; the outreach team counts people (a street count also says it was there), the council's
patrol records visits that found nobody. Five places, far apart:

- the doorway on Station Road (West): seen 1, 2, 3 Nov, visited 10 Nov -> new 3 Nov (third
  night), then quiet from 4 Nov: the 14th quiet night is 17 Nov and the visit on 10 Nov fell
  in those nights -> cleared 17 Nov (never active: nobody seen in the 14 nights after 3 Nov);
- the bench by the clock tower (East): seen 1, 2, 3 Nov, never visited -> new 3 Nov, unknown
  17 Nov (3 + 14, nobody went);
- the railway arch (West): seen 1, 2, 3 Oct, visited 10 Oct -> new 3 Oct, cleared 17 Oct; seen
  again 20 Nov -> back 20 Nov, still back on 28 Nov (active only from 4 Dec);
- the shelter doorway (East): seen 22, 24, 26 Nov -> new 26 Nov (within the last 14 nights);
- the underpass (West): seen every fifth night from 1 Sep to 25 Nov -> new 11 Sep (1, 6, 11),
  active 25 Sep (11 + 14, seen on 16 Sep in between), active since then.

The visit to the doorway is 30 m from the sightings there: within the 50 m radius.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from geo.analysis.site_life import CHANGE_COLUMNS, STATUSES, site_life
from geo.analysis.site_life_view import life_table, site_labels, timeline_table
from geo.cli import main
from geo.errors import AccessDenied, AnalysisError
from geo.importing import import_records
from geo.questions.site_life import site_history
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards

END = date(2026, 11, 28)
DOORWAY = STATION_ROAD
BENCH = CLOCK_TOWER
ARCH = (STATION_ROAD[0] - 0.02, STATION_ROAD[1])
SHELTER = (CLOCK_TOWER[0] + 0.02, CLOCK_TOWER[1])
UNDERPASS = (STATION_ROAD[0] - 0.03, STATION_ROAD[1] + 0.01)
NEAR_DOORWAY = (DOORWAY[0] + 0.00043, DOORWAY[1])  # about 30 m east

Row = tuple[str, tuple[float, float], str]


def nights(*days: str) -> list[date]:
    return [date.fromisoformat(d) for d in days]


def every_fifth(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range(0, (last - first).days + 1, 5)]


FIRST_NOV = nights("2026-11-01", "2026-11-02", "2026-11-03")
SEEN: list[Row] = [
    *((d, DOORWAY, "doorway on Station Road") for d in FIRST_NOV),
    *((d, BENCH, "bench by the clock tower") for d in FIRST_NOV),
    *((d, ARCH, "railway arch") for d in nights("2026-10-01", "2026-10-02", "2026-10-03")),
    (date(2026, 11, 20), ARCH, "railway arch"),
    *((d, SHELTER, "shelter doorway") for d in nights("2026-11-22", "2026-11-24", "2026-11-26")),
    *((d, UNDERPASS, "underpass") for d in every_fifth(date(2026, 9, 1), date(2026, 11, 25))),
]
VISITS: list[Row] = [
    (date(2026, 11, 10), NEAR_DOORWAY, "Station Road"),
    (date(2026, 10, 10), ARCH, "arch"),
]

EXPECTED = {  # place: [(night, to), ...]
    "doorway on Station Road": [("2026-11-03", "new"), ("2026-11-17", "cleared")],
    "bench by the clock tower": [("2026-11-03", "new"), ("2026-11-17", "unknown")],
    "railway arch": [("2026-10-03", "new"), ("2026-10-17", "cleared"), ("2026-11-20", "back")],
    "shelter doorway": [("2026-11-26", "new")],
    "underpass": [("2026-09-11", "new"), ("2026-09-25", "active")],
}


def write_csv(path: Path, rows: list[Row], *, people: int) -> Path:
    lines = ["Date,Latitude,Longitude,Location,People"]
    lines += [
        f"{night:%d/%m/%Y} 23:00,{lat},{lon},{text},{people}" for night, (lon, lat), text in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    import_records(store, write_csv(tmp_path / "counts.csv", SEEN, people=1), agency="Outreach")
    import_records(
        store, write_csv(tmp_path / "visits.csv", VISITS, people=0), agency="Council", kind="visit"
    )
    return store


def timeline(life, place: str) -> list[tuple[str, str]]:
    site = life.sites.loc[life.sites["place_name"] == place, "site_id"]
    assert len(site) == 1, place
    changes = life.changes.loc[life.changes["site_id"] == site.iloc[0]]
    return [(f"{n:%Y-%m-%d}", to) for n, to in zip(changes["night"], changes["to"], strict=True)]


def status(life, place: str) -> tuple[str, str]:
    row = life.sites.loc[life.sites["place_name"] == place].iloc[0]
    return row["status"], f"{row['status_since']:%Y-%m-%d}"


def test_each_site_has_the_changes_worked_out_by_hand(store):
    life = site_history(store, role="coordinator", end=END)
    assert sorted(life.sites["place_name"]) == sorted(EXPECTED)
    for place, expected in EXPECTED.items():
        assert timeline(life, place) == expected, place
        assert status(life, place) == (expected[-1][1], expected[-1][0]), place
    assert list(life.changes.columns) == ["site_id", "place_name", "ward_name", *CHANGE_COLUMNS[1:]]
    arch = life.changes.loc[life.changes["place_name"] == "railway arch"]
    assert arch["from"].tolist() == [None, "new", "cleared"]
    assert dict(zip(life.sites["place_name"], life.sites["ward_name"], strict=True)) == {
        "doorway on Station Road": "West",
        "bench by the clock tower": "East",
        "railway arch": "West",
        "shelter doorway": "East",
        "underpass": "West",
    }


def test_quiet_while_visited_is_cleared_and_quiet_unvisited_is_unknown(store):
    life = site_history(store, role="coordinator", end=END)
    assert status(life, "doorway on Station Road") == ("cleared", "2026-11-17")
    assert status(life, "bench by the clock tower") == ("unknown", "2026-11-17")
    # on 16 Nov both had been quiet 13 nights: still new (P = 3 Nov, 16 - 3 < 14)
    earlier = site_history(store, role="coordinator", end=date(2026, 11, 16))
    assert status(earlier, "doorway on Station Road") == ("new", "2026-11-03")
    assert status(earlier, "bench by the clock tower") == ("new", "2026-11-03")


def test_a_visit_after_a_site_went_unknown_clears_it_and_a_return_is_back(tmp_path):
    # the bench's rule worked on a frame: unknown 17 Nov, visited 21 Nov -> cleared 21 Nov;
    # seen 25 Nov -> back 25 Nov
    def row(night: str, kind: str) -> dict[str, object]:
        where = {"easting": 531_000.0, "northing": 105_000.0, "area_code": "E1"}
        return {"kind": kind, "night": pd.Timestamp(night), "people": 1, "agency": "A", **where}

    days = ["2026-11-01", "2026-11-02", "2026-11-03"]
    frame = pd.DataFrame(
        [row(d, "street_count") for d in days]
        + [row("2026-11-21", "visit"), row("2026-11-25", "referral")]
    )
    life = site_life(frame, end=END)
    assert life.changes["to"].tolist() == ["new", "unknown", "cleared", "back"]
    assert [f"{n:%d %b}" for n in life.changes["night"]] == ["03 Nov", "17 Nov", "21 Nov", "25 Nov"]
    # without the visit, a sighting after unknown makes the site active again, not back
    unvisited = site_life(frame.drop(index=3), end=END)
    assert unvisited.changes["to"].tolist() == ["new", "unknown", "active"]
    # the input is not changed
    assert len(frame) == 5 and list(frame.columns)[0] == "kind"


def test_sites_never_persistent_get_no_status():
    frame = pd.DataFrame(
        {
            "kind": "street_count",
            "night": pd.to_datetime(["2026-11-01", "2026-11-20"]),
            "easting": 531_000.0,
            "northing": 105_000.0,
            "people": 1,
            "agency": "Outreach",
            "area_code": "E1",
        }
    )
    life = site_life(frame, end=END)
    assert life.sites.empty and life.changes.empty
    assert set(life.sites["status"]) <= set(STATUSES)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"quiet_nights": 0}, "quiet_nights must be a whole number"),
        ({"history_nights": 10}, "history_nights=10 is shorter than last_nights=14"),
        ({"end": "not a night"}, "end must be a night's date"),
    ],
)
def test_bad_options_are_named(options, message):
    with pytest.raises(AnalysisError, match=message):
        site_life(pd.DataFrame(columns=["kind", "night"]), **options)


def test_councillors_and_admins_are_refused(store):
    for role in ("councillor", "admin"):
        with pytest.raises(AccessDenied, match="for coordinators and police"):
            site_history(store, role=role)


def test_police_get_coarse_places_and_no_needs(store):
    police = site_history(store, role="police", end=END)
    coordinator = site_history(store, role="coordinator", end=END)
    # police points are snapped to the centres of 100 m squares: every site centre is one
    assert ((police.sites["easting"] % 100) == 50).all()
    assert ((police.sites["northing"] % 100) == 50).all()
    assert not {"languages", "flags"} & set(police.sites.columns)
    assert {"languages", "flags"} <= set(coordinator.sites.columns)
    # police records carry no location text: places are named by ward
    assert set(police.sites["place_name"]) <= {"a place in West ward", "a place in East ward"}
    # the same statuses: the visit 30 m east of the doorway (easting 530,413 against 530,383)
    # is snapped to the next square's centre, 100 m from the doorway's (530,350 and 530,450),
    # beyond the 50 m radius; police visits count within 50 m plus a square's diagonal (191 m),
    # so police too see the doorway cleared, not quiet and unvisited
    assert sorted(coordinator.sites["status"]) == ["active", "back", "cleared", "new", "unknown"]
    assert sorted(police.sites["status"]) == sorted(coordinator.sites["status"])
    strict = site_life(store.records(role="police"), end=END)  # visits within 50 m only
    assert sorted(strict.sites["status"]) == ["active", "back", "new", "unknown", "unknown"]


def test_the_page_tables_say_the_statuses_in_words(store):
    life = site_history(store, role="coordinator", end=END)
    table = life_table(life)
    assert table.columns[:3].tolist() == ["Place", "Status", "Since, night of"]
    row = table.loc[table["Place"] == "bench by the clock tower, East ward"].iloc[0]
    assert row["Status"] == "Unknown - nobody has been"
    assert row["Since, night of"] == "17 Nov 2026"
    assert row["Last visited, night of"] == "3 Nov 2026"  # the street counts were the last
    arch = life.sites.loc[life.sites["place_name"] == "railway arch", "site_id"].iloc[0]
    assert timeline_table(life, arch)["Status"].tolist() == ["New", "Cleared", "Back"]
    assert len(set(site_labels(life.sites))) == len(life.sites)


def test_the_command_line_prints_statuses_and_writes_them(store, tmp_path, capsys):
    location = str(store.location)
    assert main(["sites", "--history", "--store", location, "--to", "2026-11-28"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(
        "5 sites persistent at some time in the 90 nights to 28 Nov 2026: "
        "1 new, 1 active, 1 cleared, 1 back, 1 unknown"
    )
    assert "  railway arch, West ward: back since 20 Nov 2026" in printed
    assert "    new 3 Oct 2026, cleared 17 Oct 2026, back 20 Nov 2026" in printed
    assert "bench by the clock tower, East ward: unknown - nobody has been since 17 Nov" in printed
    assert "site-E" not in printed

    out = tmp_path / "life.csv"
    assert main(["sites", "--history", "--store", location, "--to", "2026-11-28",
                 "--out", str(out)]) == 0  # fmt: skip
    assert f"{out}: 5 sites with their status" in capsys.readouterr().out
    written = pd.read_csv(out, dtype=str)
    assert dict(zip(written["place_name"], written["status"], strict=True))["underpass"] == "active"
    geojson = tmp_path / "life.geojson"
    assert main(["sites", "--history", "--store", location, "--to", "2026-11-28",
                 "--role", "police", "--out", str(geojson), "--json"]) == 0  # fmt: skip
    shown = json.loads(capsys.readouterr().out)
    assert sorted(s["status"] for s in shown["sites"]) == [
        *("active", "back", "cleared", "new", "unknown")  # the police view: see above
    ]
    assert len(shown["changes"]) == len(site_history(store, role="coordinator", end=END).changes)
    features = json.loads(geojson.read_text(encoding="utf-8"))["features"]
    assert len(features) == 5 and "flags" not in features[0]["properties"]


def test_the_command_line_refuses_councillors_in_one_line(store, capsys):
    code = main(["sites", "--history", "--store", str(store.location), "--role", "councillor"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the councillor role does not see persistent sites")
    assert err.count("\n") == 1


def test_without_history_sites_are_as_before(store, capsys):
    assert main(["sites", "--store", str(store.location), "--to", "2026-11-28"]) == 0
    printed = capsys.readouterr().out
    # seen on 3 of the last 14 nights (15-28 Nov): the shelter doorway (22, 24, 26 Nov) and
    # the underpass (15, 20, 25 Nov); the arch was seen once
    assert printed.startswith("2 persistent sites")
    assert "status" not in printed


# --- The Hotspots page (the demo borough the app builds) --------------------------------------


def test_the_site_layer_is_coloured_by_status_with_a_key_in_words(store):
    from layers import analysis, maps

    life = site_history(store, role="coordinator", end=END)
    m = maps.base_map((-0.3, 50.8, -0.1, 50.9))
    analysis.add_persistent_sites(m, life.sites)
    analysis.add_map_key(m, ["persistent_sites"], site_statuses=True)
    page = m.get_root().render()
    for status, colour in analysis.STATUS_COLOURS.items():
        assert f'"colour": "{colour}"' in page, status  # one site of each status
    for words in ("New", "Active", "Cleared", "Back", "Unknown - nobody has been"):
        assert words in page
    assert "Back since the night of 20 Nov 2026" in page
    assert "site-E" not in page


@pytest.mark.parametrize("role", ["coordinator", "police"])
def test_the_hotspots_page_shows_each_sites_status(app_store, role):
    from geo.analysis.site_life_view import STATUS_WORDS
    from geo.store import open_store
    from layers.analysis import STATUS_COLOURS
    from tests.test_hotspots_page import map_script, open_page, table

    life = site_history(open_store(app_store), role=role)
    assert len(life.sites)
    at = open_page(role)
    shown = table(at, "Place")
    assert shown["Status"].tolist() == [STATUS_WORDS[s] for s in life.sites["status"]]
    script = map_script(at)
    assert "Unknown - nobody has been" in script  # the key, in words
    for status in set(life.sites["status"]):
        assert STATUS_COLOURS[status] in script
    if role == "police":
        assert not {"languages", "flags"} & set(life.sites.columns)
