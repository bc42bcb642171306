"""The People over time page through AppTest: each role gets geo's figures as it may see them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.analysis.flow_view import HEADINGS, areas_table, snapshot_table, totals_table
from geo.analysis.links import in_words
from geo.filters import Filters
from geo.questions import area_summary
from geo.questions.links import links
from geo.questions.people import people_flow
from geo.questions.snapshot import snapshot_night
from geo.store import open_store
from ui.text import plain

APP = str(Path(__file__).resolve().parents[1] / "app_main.py")


def open_people(role: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["role"] = role
    at.run()
    at.switch_page("app_pages/people.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("role", ["coordinator", "police", "councillor"])
def test_the_page_shows_geos_flow_for_the_role(app_store, role):
    at = open_people(role)
    assert at.title[0].value == "People over time"
    found = people_flow(open_store(app_store), role=role, filters=Filters())
    totals, wards = (frame.value for frame in at.dataframe[:2])
    assert totals.reset_index(drop=True).equals(totals_table(found))
    assert wards.reset_index(drop=True).equals(areas_table(found))
    assert list(totals.columns[1:]) == list(HEADINGS.values())


def test_a_councillor_sees_no_count_from_1_to_4(app_store):
    at = open_people("councillor")
    for frame in at.dataframe:
        cells = frame.value.iloc[:, 1:].to_numpy().ravel().tolist()
        assert not {"1", "2", "3", "4"} & set(cells)


def test_the_framework_lookback_is_a_choice(app_store):
    at = open_people("coordinator")
    at.selectbox(key="lookback").set_value("5 years (the government's framework)").run()
    assert not at.exception
    found = people_flow(
        open_store(app_store), role="coordinator", filters=Filters(), lookback_months=60
    )
    assert at.dataframe[0].value.reset_index(drop=True).equals(totals_table(found))


def test_a_coordinator_picks_the_snapshot_night(app_store):
    at = open_people("coordinator")
    store = open_store(app_store)
    latest = snapshot_night(store, role="coordinator")
    assert at.date_input(key="snapshot_night").value == latest.night
    assert at.dataframe[4].value.reset_index(drop=True).equals(snapshot_table(latest))
    at.date_input(key="snapshot_night").set_value(date(2026, 12, 25)).run()
    assert not at.exception
    assert "outside the official snapshot window" in at.warning[0].value
    late = snapshot_night(store, role="coordinator", night=date(2026, 12, 25))
    assert at.dataframe[4].value.reset_index(drop=True).equals(snapshot_table(late))


@pytest.mark.parametrize("role", ["police", "councillor"])
def test_only_coordinators_see_the_snapshot_night(app_store, role):
    at = open_people(role)
    assert not [f for f in at.dataframe if "People counted" in f.value.columns]
    assert not [w for w in at.date_input if w.key == "snapshot_night"]


def test_a_coordinator_marks_a_link_wrong_and_undoes_it(app_store):
    store = open_store(app_store)
    at = open_people("coordinator")
    night = date(2026, 11, 12)  # a night the demo's agencies met at the same places
    at.date_input(key="links_night").set_value(night).run()
    listed = links(store, role="coordinator", start=night, end=night)
    assert len(listed) > 0
    pair = listed.iloc[0]
    (listing,) = [m.value for m in at.markdown if m.value.startswith("- ")]
    first = listing.splitlines()[0]
    assert first.endswith(plain(in_words(listed).iloc[0])) and first.startswith("- a place in")
    before = area_summary(store, role="coordinator", period="night", end=night, periods=1)
    at.button(key="link_change").click().run()
    assert not at.exception
    assert "before," in at.success[0].value
    decisions = store.link_decisions()
    assert decisions.iloc[-1]["action"] == "unlink"
    assert decisions.iloc[-1]["decided_by"].endswith("(coordinator)")
    after = area_summary(store, role="coordinator", period="night", end=night, periods=1)
    assert int(after.totals["people"].iloc[0]) >= int(before.totals["people"].iloc[0])
    assert {pair["record_a"], pair["record_b"]} in [set(p) for p in store.unlinked_pairs()]
    # the same link, now listed as unlinked, can be put back
    assert at.button(key="link_change").label == "Count them together again"
    at.button(key="link_change").click().run()
    assert not at.exception and not store.unlinked_pairs()


@pytest.mark.parametrize("role", ["coordinator", "police", "councillor"])
def test_every_role_sees_the_referrals_as_geo_gives_them(app_store, role):
    from geo.analysis.flow_view import referral_areas, referral_totals
    from geo.analysis.referrals import headline
    from geo.questions.referrals import referral_follow_up
    from ui.text import plain

    at = open_people(role)
    found = referral_follow_up(open_store(app_store), role=role, filters=Filters())
    totals = at.dataframe[2].value.reset_index(drop=True)
    assert totals.equals(referral_totals(found))
    by_ward = referral_areas(found)
    if by_ward.iloc[:, 1:].map(str.isdigit).any().any():
        assert at.dataframe[3].value.reset_index(drop=True).equals(by_ward)
    else:  # every ward's figure hidden: said in words, not a table of "hidden"
        assert role != "coordinator"
        assert any("Too few referrals in each ward" in c.value for c in at.caption)
        assert not [
            f for f in at.dataframe if f.value.columns[0] == "Ward" and "Referrals" in f.value
        ]
    assert plain(headline(found)) in [m.value for m in at.markdown]
    assert totals["Referrals"].tolist()[-1] not in ("0", 0)  # the demo's public do refer
