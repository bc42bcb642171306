"""Links, reviewed (issue 13, section 6), each link and count worked out by hand.

All on the night of Friday 13 Nov 2026:

- West ward, Station Road: the council outreach team (23:10) and Harbour Light (23:40) both
  record CHAIN ref A1, a British man, at the same spot -> one group, "same reference"; West
  counts 1 person. Unlinking them makes West 2 people (each record its own group); relinking
  makes it 1 again.
- East ward, the clock tower: the council (22:00) records a Polish woman; Harbour Light (22:30)
  records a woman of unknown nationality 0.00027 degrees of latitude north (30 m): sex agrees,
  nationality does not disagree -> linked, "within 50 m, sex and nationality agree". Harbour
  Light also records a man (22:45) 30 m east of the council's record: his sex disagrees with
  the council's woman, and Harbour Light's own two records are never linked -> not linked.
  East counts 2 people (the woman once, the man).
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import pytest

from geo.analysis.links import in_words, linked_groups
from geo.analysis.street_count import counted_people
from geo.cli import main
from geo.errors import AccessDenied, AnalysisError, StoreError
from geo.importing import import_records
from geo.questions import area_summary
from geo.questions.links import links, relink, unlink
from geo.store import open_store
from tests.shapes import CLOCK_TOWER, STATION_ROAD, store_with_wards

NIGHT = date(2026, 11, 13)
NORTH_30M = 0.00027  # degrees of latitude: 30 m
EAST_30M = 0.000426  # degrees of longitude at 50.82 N: 30 m
(WX, WY), (EX, EY) = STATION_ROAD, CLOCK_TOWER

COUNCIL = [  # record, time, lat, lon, sex, nationality, CHAIN ID
    ("c-west", "23:10", WY, WX, "Male", "British", "A1"),
    ("c-east", "22:00", EY, EX, "Female", "Polish", ""),
]
HARBOUR = [
    ("h-west", "23:40", WY, WX, "Male", "British", "A1"),
    ("h-east", "22:30", EY + NORTH_30M, EX, "Female", "", ""),
    ("h-man", "22:45", EY, EX + EAST_30M, "Male", "", ""),
]


def write_csv(path, rows):
    lines = ["Record ID,Date,Latitude,Longitude,Sex,Nationality,CHAIN ID"]
    lines += [f"{r},13/11/2026 {t},{lat},{lon},{s},{n},{ref}" for r, t, lat, lon, s, n, ref in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    import_records(store, write_csv(tmp_path / "c.csv", COUNCIL), agency="Council outreach team")
    import_records(store, write_csv(tmp_path / "h.csv", HARBOUR), agency="Harbour Light")
    return store


def ids(store) -> dict[str, str]:
    """Stored record ids by the time each record was made (times are unique here)."""
    records = store.records(role="coordinator", columns=["record_id", "observed_at"])
    return dict(zip(records["observed_at"].dt.strftime("%H:%M"), records["record_id"], strict=True))


def people(store, ward: str) -> int:
    summary = area_summary(store, role="coordinator", period="night", end=NIGHT, periods=1)
    row = summary.areas.loc[summary.areas["area_name"] == ward]
    return int(row["people"].iloc[0])


def test_the_rule_links_a_shared_reference_and_a_nearby_agreeing_record(store):
    found = links(store, role="coordinator")
    assert len(found) == 2  # the man 30 m away is linked to nobody
    east, west = found.iloc[0], found.iloc[1]  # groups by night, then first time: 22:00, 23:10
    assert (east["group"], west["group"]) == (1, 2)
    assert (east["agency_a"], east["agency_b"]) == ("Council outreach team", "Harbour Light")
    assert east["reason"] == "within 50 m, sex and nationality agree"
    assert east["distance_m"] == 30
    assert west["reason"] == "same reference" and west["distance_m"] == 0
    assert east["ward_name"] == "East" and east["night"] == NIGHT
    assert not found["unlinked"].any() and not found["counted_apart"].any()
    assert in_words(found).iloc[0] == (
        "Council outreach team 22:00 and Harbour Light 22:30, 30 m apart:"
        " within 50 m, sex and nationality agree"
    )
    assert (people(store, "West"), people(store, "East")) == (1, 2)


def test_disagreeing_sex_is_not_linked(store):
    found = links(store, role="coordinator")
    by_time = ids(store)
    assert by_time["22:45"] not in set(found["record_a"]) | set(found["record_b"])


def test_unlink_makes_two_people_and_relink_one_again(store):
    by_time = ids(store)
    a, b = by_time["23:10"], by_time["23:40"]
    assert people(store, "West") == 1
    change = unlink(store, a, b, role="coordinator", by="Sam", reason="two different men")
    assert (change.night, change.people_before, change.people_after) == (NIGHT, 3, 4)
    assert people(store, "West") == 2
    listed = links(store, role="coordinator")
    row = listed.loc[listed["record_a"].isin([a, b]) & listed["record_b"].isin([a, b])].iloc[0]
    assert row["unlinked"] and row["counted_apart"]
    back = relink(store, b, a, role="coordinator", by="Sam")  # either order
    assert (back.people_before, back.people_after) == (4, 3)
    assert people(store, "West") == 1
    assert store.unlinked_pairs() == []


def test_the_decision_is_kept_with_who_and_when_and_survives_reopening(store):
    by_time = ids(store)
    version = store.version()
    unlink(store, by_time["22:00"], by_time["22:30"], role="coordinator", by="Sam", reason="no")
    assert store.version() == version + 1  # caches keyed on the version are refreshed
    again = open_store(store.location)
    kept = again.link_decisions()
    assert kept.loc[0, ["record_a", "record_b", "action", "decided_by", "reason"]].tolist() == [
        by_time["22:00"],
        by_time["22:30"],
        "unlink",
        "Sam",
        "no",
    ]
    when = datetime.fromisoformat(kept.loc[0, "decided_at"])
    assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 0
    assert again.unlinked_pairs() == [(by_time["22:00"], by_time["22:30"])]
    assert people(again, "East") == 3  # the woman twice, and the man


def test_unknown_records_and_pairs_not_linked_are_refused(store):
    by_time = ids(store)
    with pytest.raises(AnalysisError, match="no record 'r_nope' in the store"):
        unlink(store, by_time["23:10"], "r_nope", role="coordinator", by="Sam")
    with pytest.raises(StoreError, match="no record 'r_nope' in the store"):
        store.add_link_decision(
            record_a="r_nope", record_b=by_time["23:10"], action="unlink", by="x"
        )
    with pytest.raises(AnalysisError, match="not linked today"):
        unlink(store, by_time["22:00"], by_time["22:45"], role="coordinator", by="Sam")
    with pytest.raises(AnalysisError, match="not unlinked, so there is nothing to relink"):
        relink(store, by_time["23:10"], by_time["23:40"], role="coordinator", by="Sam")
    assert store.link_decisions().empty


@pytest.mark.parametrize("role", ["police", "councillor", "admin"])
def test_only_coordinators_see_or_change_links(store, role):
    by_time = ids(store)
    with pytest.raises(AccessDenied, match="a coordinator can"):
        links(store, role=role)
    with pytest.raises(AccessDenied, match="a coordinator can"):
        unlink(store, by_time["23:10"], by_time["23:40"], role=role, by="Sam")


def test_an_unlinked_pair_joined_through_a_third_record_is_split():
    # the module's worked example: council, police and Harbour Light in one doorway
    doorway = pd.DataFrame(
        {
            "record_id": ["c", "p", "h"],
            "kind": "street_count",
            "agency": ["Council", "Police", "Harbour Light"],
            "observed_at": pd.to_datetime(
                ["2026-11-13 23:10", "2026-11-13 23:20", "2026-11-13 23:40"]
            ).tz_localize("Europe/London"),
            "night": pd.Timestamp("2026-11-13"),
            "people": 1,
            "easting": [530_000.0, 530_010.0, 530_020.0],
            "northing": 104_000.0,
        }
    )
    assert counted_people(doorway).sum() == 1
    assert counted_people(doorway, unlinked=[("c", "h")]).tolist() == [1, 0, 1]
    found = linked_groups(doorway, unlinked=[("c", "h")])
    pairs = {(a, b): (u, apart) for a, b, u, apart in
             found[["record_a", "record_b", "unlinked", "counted_apart"]].to_numpy()}  # fmt: skip
    # c-p stays; c-h unlinked; p-h cut because h left the group
    assert pairs == {("c", "p"): (False, False), ("c", "h"): (True, True),
                     ("p", "h"): (False, True)}  # fmt: skip
    # unlinking c-p too keeps h with p: {c} and {p, h}
    both = counted_people(doorway, unlinked=[("c", "h"), ("c", "p")])
    assert both.tolist() == [1, 1, 0]


def test_the_command_line_lists_unlinks_and_relinks(store, tmp_path, capsys):
    where = ["--store", str(store.location)]
    assert main(["links", *where]) == 0
    out = capsys.readouterr().out
    assert "Group 1, night of 13 Nov 2026, a place in East ward:" in out
    assert "Council outreach team 23:10 and Harbour Light 23:40, 0 m apart: same reference" in out
    by_time = ids(store)
    a, b = by_time["23:10"], by_time["23:40"]
    assert main(["links", *where, "--unlink", a, b, "--by", "Sam"]) == 0
    out = capsys.readouterr().out
    assert f"Records {a} and {b} unlinked by Sam" in out
    assert "People counted on the night of 13 Nov 2026: 3 before, 4 now." in out
    assert main(["links", *where, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["unlinked"] for r in rows) == [False, True]
    assert main(["links", *where, "--relink", a, b, "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert (said["action"], said["people_before"], said["people_after"]) == ("relink", 4, 3)
    assert said["decided_by"]  # the operating-system user without --by
    out_file = tmp_path / "links.csv"
    assert main(["links", *where, "--out", str(out_file)]) == 0
    assert len(pd.read_csv(out_file)) == 2
    assert main(["links", *where, "--role", "police"]) == 2
    assert "a coordinator can" in capsys.readouterr().err
    assert main(["links", *where, "--unlink", a, "r_nope"]) == 2
    assert "no record 'r_nope'" in capsys.readouterr().err
