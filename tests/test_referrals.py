"""Referral follow-up (issue 13, section 4), each answer worked out by hand.

Places are on the British National Grid (metres), in the West and East wards of
tests/shapes.py (split near easting 531,180). November 2026 is on GMT, so clock times are
UTC. Five public referrals (StreetLink), and what agencies did after each:

- R1, 2 Nov 22:00, West (530400, 105000), "doorway on Station Road": an outreach contact at
  (530430, 105000), 30 m away, on 3 Nov 18:00: 20 hours later -> followed up, 20 h, found;
- R2, 5 Nov 21:00, East (531300, 104200), "bench by the clock tower": a contact 30 m away on
  8 Nov 09:00: 60 hours later, after the 48-hour window -> not followed up;
- R3, 10 Nov 23:00, West (529800, 105600), "car park behind the library": a visit (nobody
  found, 0 people) on the spot on 11 Nov 07:00, 8 hours later -> followed up, not found;
- R4, 12 Nov 22:00, East (532400, 104200), "bus shelter on Queens Road": a contact at
  (532400, 104450), 250 m away, 3 hours later -> not followed up;
- R5, 27 Nov 20:00, West (529000, 106200), "steps of St Peter's church": nothing since; it is
  the latest record -> pending (its window is still open).

The month ending on the night of 28 Nov is 30 Oct - 28 Nov and holds all five. Judged at the
end of that night (noon on 29 Nov), R5's window (to 29 Nov 20:00) is still open:

- West: R1 found, R3 not located, R5 pending: referrals 3, followed up 2, found 1,
  not located 1, not followed up 0, pending 1;
- East: R2 and R4 not followed up: 2, 0, 0, 0, 2, 0;
- total: 5, 2, 1, 1, 2, 1.

Options: 72 hours take in R2's contact at 60 h (followed up, found); 300 m take in R4's at
250 m; 20 m leave out R1's contact at 30 m.

Police and councillors get whole months aligned on 1 Jan 2024 (30 nights each): the last one
over by the latest night, 27 Nov 2026 (night 1,061 from 1 Jan 2024), ends on night
(1,062 // 30) * 30 - 1 = 1,049, 15 Nov: the month 17 Oct - 15 Nov holds R1 to R4 (4, 2, 1,
1, 2, 0 in all): every count from 1 to 4 is shown "<5"; the zeros are shown.

The queue (last 28 nights to 28 Nov): R2, R4, R5, oldest first; R2 has waited from 5 Nov 21:00
to 29 Nov 12:00, 24 days less 9 hours = 567 hours; R4 from 12 Nov 22:00, 16 days and 14 hours
= 398 hours; R5 from 27 Nov 20:00, 40 hours, window not passed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.analysis.referrals import REFERRAL_COLUMNS, follow_ups, headline
from geo.cli import main
from geo.errors import AccessDenied, AnalysisError
from geo.importing import import_records
from geo.questions.referrals import QUEUE_COLUMNS, referral_follow_up, referral_queue
from tests.shapes import store_with_wards

END = date(2026, 11, 28)
MONTH = "2026-10-30/2026-11-28"
ALIGNED_MONTH = "2026-10-17/2026-11-15"

REFERRALS = [  # date and time, easting, northing, location
    ("02/11/2026 22:00", 530400, 105000, "doorway on Station Road"),
    ("05/11/2026 21:00", 531300, 104200, "bench by the clock tower"),
    ("10/11/2026 23:00", 529800, 105600, "car park behind the library"),
    ("12/11/2026 22:00", 532400, 104200, "=1+2 bus shelter on Queens Road"),
    ("27/11/2026 20:00", 529000, 106200, "steps of St Peter's church"),
]
CONTACTS = [
    ("03/11/2026 18:00", 530430, 105000, "Station Road"),  # R1: 30 m, 20 h
    ("08/11/2026 09:00", 531300, 104230, "clock tower"),  # R2: 30 m, 60 h
    ("13/11/2026 01:00", 532400, 104450, "Queens Road"),  # R4: 250 m, 3 h
]
VISITS = [("11/11/2026 07:00", 529800, 105600, "library car park")]  # R3: on the spot, 8 h


def write_csv(path: Path, rows: list[tuple[str, int, int, str]], *, people: int = 1) -> Path:
    lines = ["Date,Easting,Northing,Location,People"]
    lines += [f"{when},{e},{n},{where},{people}" for when, e, n, where in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def store(tmp_path):
    store = store_with_wards(tmp_path)
    referrals = write_csv(tmp_path / "streetlink.csv", REFERRALS)
    import_records(store, referrals, agency="StreetLink", kind="referral")
    contacts = write_csv(tmp_path / "outreach.csv", CONTACTS)
    import_records(store, contacts, agency="Outreach", kind="outreach_contact")
    visits = write_csv(tmp_path / "visits.csv", VISITS, people=0)
    import_records(store, visits, agency="Council", kind="visit")
    return store


def records(store) -> pd.DataFrame:
    return store.records(role="coordinator")


def by_place(found: pd.DataFrame, store) -> pd.DataFrame:
    where = records(store).set_index("record_id")["location_text"]
    return found.assign(place=found["record_id"].map(where)).set_index("place")


def counts(frame: pd.DataFrame, **where: str) -> list[object]:
    row = frame
    for column, value in where.items():
        row = row.loc[row[column] == value]
    assert len(row) == 1, where
    return row.iloc[0][list(REFERRAL_COLUMNS)].tolist()


def test_each_referral_followed_up_or_not_by_hand(store):
    found = by_place(follow_ups(records(store), end=END), store)
    assert len(found) == 5
    r1 = found.loc["doorway on Station Road"]
    assert r1["followed_up"] and r1["found"] and not r1["pending"]
    assert r1["hours_to_follow_up"] == pytest.approx(20.0)  # the contact 30 m away
    r2 = found.loc["bench by the clock tower"]  # the contact came 60 hours later
    assert not r2["followed_up"] and not r2["found"] and not r2["pending"]
    assert np.isnan(r2["hours_to_follow_up"])
    r3 = found.loc["car park behind the library"]  # a visit that found nobody
    assert r3["followed_up"] and not r3["found"]
    assert r3["hours_to_follow_up"] == pytest.approx(8.0)
    r4 = found.loc["=1+2 bus shelter on Queens Road"]  # the contact was 250 m away
    assert not r4["followed_up"] and not r4["found"]
    r5 = found.loc["steps of St Peter's church"]
    assert not r5["followed_up"] and r5["pending"]


def test_options_change_the_answers(store):
    def answers(**options: float) -> dict[str, tuple[bool, bool]]:
        found = by_place(follow_ups(records(store), end=END, **options), store)
        pairs = zip(found["followed_up"], found["found"], strict=True)
        return dict(zip(found.index, pairs, strict=True))

    assert answers(within_hours=72.0)["bench by the clock tower"] == (True, True)
    assert answers(walk_m=300.0)["=1+2 bus shelter on Queens Road"] == (True, True)
    assert answers(walk_m=20.0)["doorway on Station Road"] == (False, False)
    # a visit on the spot follows up R3 whatever the distance, and never finds anyone
    assert answers(walk_m=20.0)["car park behind the library"] == (True, False)


def test_the_window_stays_open_until_it_has_passed(store):
    # judged at R5's own time (the latest record), every window but R5's has passed
    latest = by_place(follow_ups(records(store)), store)
    assert latest["pending"].tolist() == [False, False, False, False, True]
    # judged at the end of the night of 6 Nov (noon on the 7th): R3 to R5 are not made yet,
    # and R2's window runs to 21:00 on the 7th: pending
    early = by_place(follow_ups(records(store), end=date(2026, 11, 6)), store)
    assert list(early.index) == ["doorway on Station Road", "bench by the clock tower"]
    assert early["pending"].tolist() == [False, True]


@pytest.mark.parametrize(
    ("option", "value"),
    [("walk_m", 0), ("walk_m", -5.0), ("within_hours", float("nan")), ("within_hours", True)],
)
def test_bad_options_are_named(store, option, value):
    with pytest.raises(AnalysisError, match=f"{option} must be a number"):
        follow_ups(records(store), **{option: value})


def test_figures_per_ward_and_month(store):
    found = referral_follow_up(store, role="coordinator", end=END, periods=1)
    assert found.totals["period"].tolist() == [MONTH]
    assert counts(found.areas, area_name="West") == [3, 2, 1, 1, 0, 1]
    assert counts(found.areas, area_name="East") == [2, 0, 0, 0, 2, 0]
    assert counts(found.totals) == [5, 2, 1, 1, 2, 1]
    assert headline(found) == (
        "5 referrals in the month to 28 Nov 2026; 2 followed up within 48 hours; someone found at 1"
    )
    longer = referral_follow_up(store, role="coordinator", end=END, periods=1, within_hours=72)
    assert counts(longer.areas, area_name="East") == [2, 1, 1, 0, 1, 0]
    assert "followed up within 72 hours" in headline(longer)


@pytest.mark.parametrize("role", ["police", "councillor"])
def test_police_and_councillors_see_small_numbers_hidden(store, role):
    found = referral_follow_up(store, role=role, end=END, periods=1)
    assert found.role == role and found.threshold == 4
    # whole aligned months: the last one over by the latest night (27 Nov) is 17 Oct - 15 Nov
    assert found.totals["period"].tolist() == [ALIGNED_MONTH]
    assert counts(found.areas, area_name="West") == ["<5", "<5", "<5", "<5", 0, 0]
    assert counts(found.areas, area_name="East") == ["<5", 0, 0, 0, "<5", 0]
    assert counts(found.totals) == ["<5", "<5", "<5", "<5", "<5", 0]
    assert headline(found) == (
        "Fewer than 5 referrals in the month to 15 Nov 2026; fewer than 5 followed up within"
        " 48 hours; someone found at fewer than 5"
    )
    exact = referral_follow_up(store, role="coordinator", start=date(2026, 10, 17),
                               end=date(2026, 11, 15), period="range")  # fmt: skip
    assert counts(exact.totals) == [4, 2, 1, 1, 2, 0]  # what was hidden: R1 to R4


def test_the_view_hides_what_the_rows_would_give_away():
    # one ward: 8 referrals, 3 followed up (all found), 5 not followed up. Hiding the 3s is not
    # enough: 8 - 5 gives the followed up away, so referrals or not followed up must go too;
    # and the total row is the ward, so it is hidden alike
    from geo.analysis.referrals import ReferralFigures
    from geo.privacy.figures import view_referrals

    labels = {"period": ["p"], "period_start": [END], "period_end": [END], "nights": [30]}
    row = dict(referrals=8, followed_up=3, found=3, not_located=0, not_followed_up=5, pending=0)
    areas = pd.DataFrame({"area_code": ["E1"], "area_name": ["Market"], **labels, **row})
    exact = ReferralFigures(
        areas, pd.DataFrame({**labels, **row}), period="month", walk_m=200.0, within_hours=48.0
    )
    seen = view_referrals(exact, role="councillor")
    for frame in (seen.areas, seen.totals):
        assert frame.loc[0, "followed_up"] == "<5" and frame.loc[0, "found"] == "<5"
        assert "*" in (frame.loc[0, "referrals"], frame.loc[0, "not_followed_up"])
    assert view_referrals(exact, role="coordinator").areas.loc[0, "found"] == 3


def test_the_queue_oldest_first(store):
    queue = referral_queue(store, role="coordinator", end=END)
    assert list(queue.columns) == list(QUEUE_COLUMNS)
    assert queue["place_name"].tolist() == [
        "bench by the clock tower",
        "=1+2 bus shelter on Queens Road",
        "steps of St Peter's church",
    ]
    assert queue["ward_name"].tolist() == ["East", "East", "West"]
    assert queue["window_passed"].tolist() == [True, True, False]
    assert queue["hours_waiting"].tolist() == [567.0, 398.0, 40.0]
    assert set(queue["agency"]) == {"StreetLink"}
    # 7 nights to 28 Nov: only R5; 72 hours: R2 is followed up and leaves the queue
    assert len(referral_queue(store, role="coordinator", end=END, nights=7)) == 1
    longer = referral_queue(store, role="coordinator", end=END, within_hours=72.0)
    assert "bench by the clock tower" not in longer["place_name"].tolist()


@pytest.mark.parametrize("role", ["police", "councillor", "admin"])
def test_the_queue_is_refused_to_everyone_but_coordinators(store, role):
    with pytest.raises(AccessDenied, match="does not see the referral queue"):
        referral_queue(store, role=role)


def test_admins_get_no_figures_and_councillors_no_ranges(store):
    with pytest.raises(AccessDenied, match="sees no figures"):
        referral_follow_up(store, role="admin")
    with pytest.raises(AccessDenied, match="not ranges"):
        referral_follow_up(
            store, role="councillor", period="range", start=date(2026, 11, 1), end=END
        )


def test_the_command_line_prints_and_writes_referrals(store, tmp_path, capsys):
    location = str(store.location)
    assert main(["referrals", "--store", location, "--to", "2026-11-28", "--periods", "1",
                 "--json"]) == 0  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    assert printed["headline"].startswith("5 referrals in the month to 28 Nov 2026")
    assert [r["found"] for r in printed["rows"]] == [1, 0]  # West, East
    out = tmp_path / "referrals.csv"
    assert main(["referrals", "--store", location, "--to", "2026-11-28", "--role", "police",
                 "--hours", "72", "--out", str(out)]) == 0  # fmt: skip
    said = capsys.readouterr().out
    assert "followed up within 72 hours" in said and "as the police role sees them" in said
    written = pd.read_csv(out, dtype=str)
    assert list(written.columns[-6:]) == list(REFERRAL_COLUMNS)
    assert not written[list(REFERRAL_COLUMNS)].isin(["1", "2", "3", "4"]).any().any()


def test_the_command_line_queue_writes_text_that_never_runs(store, tmp_path, capsys):
    location = str(store.location)
    out = tmp_path / "queue.csv"
    assert main(["referrals", "--store", location, "--to", "2026-11-28", "--queue",
                 "--out", str(out)]) == 0  # fmt: skip
    said = capsys.readouterr().out
    assert said.startswith("3 referrals of the last 28 nights not followed up; 1 still within")
    written = pd.read_csv(out, dtype=str)
    assert written["place_name"].tolist()[1] == "'=1+2 bus shelter on Queens Road"
    assert main(["referrals", "--store", location, "--queue", "--role", "police"]) == 2
    assert "error: the police role does not see the referral queue" in capsys.readouterr().err
    assert main(["referrals", "--store", location, "--walk", "0"]) == 2
    assert "error: walk_m must be a number of metres" in capsys.readouterr().err
