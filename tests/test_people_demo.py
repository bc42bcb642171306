"""Every people-over-time command on the demo borough, and the stories its generator tells
(geo/demo/over_time.py): a site cleared while visited, one gone quiet unvisited, two people
back after six weeks away, the public's referrals (some followed up, some not) and a cold spell.

Each command runs as a user would run it (``python -m geo ...``) and its answer is read back.
"""

from __future__ import annotations

import json

import pandas as pd

from geo.cli import main
from geo.demo import CLEARED_SITE, QUIET_SITE, cold_spell

LAST = "2026-11-23"


def run(demo_store, capsys, *args: str) -> str:
    assert main([*args, "--store", str(demo_store.location)]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def test_two_people_come_back_in_the_last_month(demo_store, capsys):
    rows = json.loads(run(demo_store, capsys, "flow", "--totals", "--periods", "3", "--json"))
    assert [row["period_end"] for row in rows][-1] == LAST
    assert rows[0]["returner"] == 0  # nobody can come back in the store's first month
    assert rows[-1]["returner"] >= 2  # the two who slept at the old cinema in September


def test_the_old_cinema_is_cleared_and_the_depot_yard_unknown(demo_store, capsys):
    found = json.loads(run(demo_store, capsys, "sites", "--history", "--json"))
    status = {site["place_name"]: site["status"] for site in found["sites"]}
    assert status[CLEARED_SITE.name] == "cleared"  # quiet while the council kept looking
    assert status[QUIET_SITE.name] == "unknown"  # quiet, and nobody went


def test_the_snapshot_of_a_november_night(demo_store, capsys, tmp_path):
    out = tmp_path / "snapshot.csv"
    printed = run(demo_store, capsys, "snapshot", "--night", "2026-11-12", "--out", str(out))
    table = pd.read_csv(out)
    total = table.iloc[-1]
    assert total["area_name"] == "Total" and total["people"] > 0
    assert total["seen_recently_not_counted"] > 0
    assert f"{total['people']} people counted" in printed


def test_some_referrals_are_followed_up_and_some_are_not(demo_store, capsys):
    found = json.loads(run(demo_store, capsys, "referrals", "--periods", "3", "--json"))
    rows = pd.DataFrame(found["rows"])
    assert rows["found"].sum() > 0
    assert (rows["not_located"] + rows["not_followed_up"]).sum() > 0
    queue = json.loads(run(demo_store, capsys, "referrals", "--queue", "--json"))
    assert len(queue["rows"]) > 0


def test_the_cold_weather_list_on_the_first_night_of_the_cold_spell(demo_store, capsys):
    first, _ = cold_spell(pd.Timestamp(LAST).date())
    swep = ["swep", "--night", first.isoformat(), "--json"]
    rows = pd.DataFrame(json.loads(run(demo_store, capsys, *swep)))
    people = rows.loc[rows["entry"] == "person"]
    assert len(people) > 0 and (rows["entry"] == "site").any()
    assert people["nights_since"].is_monotonic_decreasing  # longest unseen first
    assert people["nights_since"].max() <= 13  # seen in the 14 nights to the first cold night
    patrol = json.loads(run(demo_store, capsys, *swep, "--patrol", "--stops", "5"))
    assert len(patrol["stops"]) == 5


def test_agencies_records_of_one_person_are_listed_as_links(demo_store, capsys):
    printed = run(demo_store, capsys, "links", "--from", "2026-11-12", "--to", "2026-11-12")
    assert printed.startswith("Group 1, night of 12 Nov 2026")
    assert "within 50 m, sex and nationality agree" in printed
