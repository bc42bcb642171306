"""The partnership signals on the demo borough, and the stories its generator tells for them
(geo/demo/signals.py).

Each command runs as a user would run it (``python -m geo ...``) and its answer is read back;
the queue's days waiting are read through the question with the demo's last night as today.

Hand working, from the stories' rows (data/demo/):

- Tension watch, Riverside, October 2026 (floor 5, rule: rise >= 5 and
  (now + 5) / (before + 5) >= 1.5). People counted: 29 in September; October adds the three
  people at the railway bridge, seen by the council team on 12 of its nights out from the 7th
  to the 24th (30 sightings), to the towpath's 32: 62. 62 - 29 = 33 >= 5 and 67 / 34 = 1.97.
  Anti-social behaviour on Riverside Path: 4, then 9 drawn as before plus 6: 15; 15 - 4 = 11
  and 20 / 9 = 2.2. Public order: none in September, 7 added in October: 7 - 0 = 7 and
  12 / 5 = 2.4. Three signals: watched. No other ward has two: Market's ASB rises (14 to 24)
  but its people (118 to 128: 133 / 123 = 1.08) and public order (3 to 1) do not.
- Safeguarding: the 16-year-old Harbour Light met at the Bus station on the night of
  10 October (44 nights before 23 November) is referred to children's services on the night
  of 14 October, a later record of the same person: her first sighting leaves the queue. The
  17-year-old met at the Harbour arches on the night of 7 November (16 nights before) has no
  later record: he waits, 23 November - 7 November = 16 days.
- Completeness, 25 August to 23 November: St Anne's writes no nationality, no NRPF and no
  reference on any of its records, and places by name only (1.0 each), but language and
  interpreter need on all (0.0); Harbour Light's nationality is "Unknown" only for people
  whose nationality is not known (2%).
- Interpreters, weeks ending 23 November: Arabic in Station ward needed by Harbour Light and
  St Anne's in each of the 7 weeks from 6 October; Tigrinya in Riverside ward only in the
  week from 17 November, when St Anne's took soup to the towpath (night of 19 November).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest

from geo.cli import main
from geo.demo import (
    HARBOUR_LIGHT,
    RECORDS_LITTLE,
    RECORDS_NATIONALITY,
    REFERRED_CHILD,
    REFERRED_OUTCOME,
    SHARED_LANGUAGE,
    ST_ANNES,
    TENSION_WARD,
    TOWPATH_LANGUAGE,
    UNREFERRED_CHILD,
    tension_month,
)
from geo.questions.safeguarding import queue

LAST = date(2026, 11, 23)
FIRST = LAST - timedelta(days=90)
BOTH = f"{HARBOUR_LIGHT}, {ST_ANNES}"


def run(demo_store, capsys, *args: str) -> dict:
    assert main([*args, "--store", str(demo_store.location), "--json"]) == 0, (
        capsys.readouterr().err
    )
    return json.loads(capsys.readouterr().out)


def rises_fast(now: float, before: float, floor: int = 5) -> bool:
    return now - before >= floor and (now + floor) / (before + floor) >= 1.5


# -- tension watch ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "police", "councillor"])
def test_riverside_is_watched_in_october_with_all_three_signals(demo_store, capsys, role):
    found = run(demo_store, capsys, "tension", "--by", "ward", "--period", "month", "--role", role)
    rows = pd.DataFrame(found["rows"])
    assert tension_month(LAST) == "2026-10"
    watched = rows.loc[rows["watch"].astype(bool)]
    assert watched[["area_name", "month"]].values.tolist() == [[TENSION_WARD, "2026-10"]]
    row = watched.iloc[0]
    assert row["signals"] == "people, anti-social behaviour, public order"
    assert rises_fast(row["people"], row["people_previous"])
    assert rises_fast(row["asb"], row["asb_previous"])
    # public order offences on Riverside Path: none in September, seven in October
    assert (row["public_order_previous"], row["public_order"]) == (0, 7)
    assert found["headline"][0].startswith(f"{TENSION_WARD} ward, 2026-10:")


def test_the_month_before_the_bridge_riverside_is_not_watched(demo_store, capsys):
    found = run(demo_store, capsys, "tension", "--to", "2026-09-30", "--months", "1")
    rows = pd.DataFrame(found["rows"])
    riverside = rows.loc[rows["area_name"] == TENSION_WARD].iloc[0]
    assert riverside["month"] == "2026-09" and not riverside["watch"]


# -- safeguarding queue ----------------------------------------------------------------------


def test_the_referred_child_left_the_queue_and_the_unreferred_one_waits(demo_store):
    waiting = queue(demo_store, role="coordinator", today=LAST)
    children = waiting.loc[waiting["under_18"].astype(bool)]
    assert len(children) == 1
    boy = children.iloc[0]
    seen = LAST - timedelta(days=UNREFERRED_CHILD.seen_before_end)
    assert boy["first_night"] == seen == date(2026, 11, 7)
    assert boy["days_waiting"] == 16  # from the evening of his night to the last night
    assert boy["last_seen_place"] == UNREFERRED_CHILD.place == "Harbour arches"
    assert boy["last_seen_agency"] == HARBOUR_LIGHT
    assert boy["first_ward"] == "Harbour"

    records = demo_store.records(role="coordinator")
    referral = records.loc[records["outcome"] == REFERRED_OUTCOME]
    assert len(referral) == 1
    girl = records.loc[records["person_ref"] == referral["person_ref"].iloc[0]]
    first = girl.loc[pd.to_datetime(girl["night"]).dt.date == LAST - timedelta(days=44)]
    # she was seen under 18 with no referral that night: the referral four nights later
    # (a later record of the same person) is what takes her out of the queue
    assert first["under_18"].eq(1).all() and len(first) == 1
    assert first["outcome"].iloc[0] == REFERRED_CHILD.first_outcome == "Welfare check"
    assert first["location_text"].iloc[0] == REFERRED_CHILD.place
    assert f"person-{first['person_ref'].iloc[0]}" not in set(waiting["key"])


def test_the_unreferred_child_is_counted_for_councillors_without_a_person(demo_store, capsys):
    found = run(demo_store, capsys, "safeguarding", "--role", "councillor")
    rows = pd.DataFrame(found["rows"])
    assert "person_ref" not in rows.columns and "key" not in rows.columns
    night = (LAST - timedelta(days=UNREFERRED_CHILD.seen_before_end)).isoformat()
    his = rows.loc[
        (rows["area_name"] == "Harbour")
        & (rows["period_start"] <= night)
        & (rows["period_end"] >= night)
    ]
    assert his["waiting"].tolist() == ["<5"]  # one or two items: a small number, hidden


# -- recording completeness ------------------------------------------------------------------


def test_st_annes_records_little_and_harbour_light_records_nationality(demo_store, capsys):
    found = run(demo_store, capsys, "completeness", "--by", "agency", "--period", "range",
                "--from", FIRST.isoformat(), "--to", LAST.isoformat())  # fmt: skip
    rows = pd.DataFrame(found["rows"]).set_index("agency")
    little = rows.loc[RECORDS_LITTLE]
    assert RECORDS_LITTLE == ST_ANNES
    for share in ("nationality_missing", "nrpf_missing", "reference_missing", "coarse_location"):
        assert little[share] == 1.0, share
    assert little["language_missing"] == 0.0 and little["interpreter_missing"] == 0.0
    assert rows.loc[RECORDS_NATIONALITY, "nationality_missing"] < 0.05
    assert f"{ST_ANNES}: nationality missing on 100%" in "\n".join(found["headline"])


# -- shared interpreters ---------------------------------------------------------------------


def test_arabic_in_station_every_week_and_tigrinya_on_the_towpath_in_the_last(demo_store, capsys):
    found = run(demo_store, capsys, "interpreters", "--period", "week")
    rows = pd.DataFrame(found["rows"])
    language, ward = SHARED_LANGUAGE
    arabic = rows.loc[(rows["language"] == language) & (rows["area_name"] == ward)]
    assert (arabic["agencies"] == BOTH).all()
    assert arabic["period_start"].tolist() == [
        (date(2026, 10, 6) + timedelta(weeks=k)).isoformat() for k in range(7)
    ]
    language, ward = TOWPATH_LANGUAGE
    tigrinya = rows.loc[rows["language"] == language]
    assert tigrinya[["area_name", "period_start", "agencies"]].values.tolist() == [
        [ward, "2026-11-17", BOTH]
    ]
    recurring = {row["language"]: row["area_periods"] for row in found["recurring"]}
    assert recurring[SHARED_LANGUAGE[0]] == 7
