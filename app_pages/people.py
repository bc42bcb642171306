"""People over time: of the people seen each period, who is new to the streets, who was also
seen the period before, and who is back after a gap (CHAIN's flow, stock and returners).
Coordinators and police see the counts; councillors see small numbers hidden. Every role
with figures sees how referrals from the public were followed up; coordinators also prepare the
autumn snapshot night and review the records counted as one person."""

from __future__ import annotations

import altair as alt
import streamlit as st

from geo.analysis.flow import FRAMEWORK_LOOKBACK_MONTHS
from geo.analysis.flow_view import (
    HEADINGS,
    MEANINGS,
    areas_table,
    chart_frame,
    referral_areas,
    referral_totals,
    snapshot_table,
    totals_table,
)
from geo.analysis.links import in_words
from geo.analysis.referrals import headline
from geo.analysis.snapshot import RECENT_NIGHTS
from geo.errors import AtlasError
from geo.io.exports import table_csv
from geo.questions.links import relink, unlink
from ui import data, filters, session
from ui.downloads import download_button
from ui.text import plain

#: "New" means not seen for...: the whole store, or the government framework's 60 months.
LOOKBACKS = {
    "ever (everything in the store)": None,
    "5 years (the government's framework)": FRAMEWORK_LOOKBACK_MONTHS,
}

role = session.role()
store = data.store()
version, key = data.keys(store)
chosen = filters.sidebar(role, agencies=data.agencies(store.location, version))
st.title("People over time")
if data.wards(store.location, version).empty:
    st.warning("No wards in the store yet: import a ward boundary file on the Import page.")
    st.stop()
st.caption(
    "Each person is counted once a period, in every ward they were seen in, by the reference"
    " agencies give them. Counts every agency's records, whatever agencies the sidebar picks:"
    " someone new to one agency may be known to another."
)
since = st.selectbox("New means not seen before, looking back", list(LOOKBACKS), key="lookback")
try:
    found = data.people_flow(store.location, key, role, chosen, LOOKBACKS[since])
except AtlasError as err:
    st.error(plain(err))
    st.stop()

totals = totals_table(found)
st.subheader("New, still out, and back after a gap")
chart = chart_frame(found)
if len(chart):
    periods = list(dict.fromkeys(chart["Period"]))  # oldest first, as the table
    st.altair_chart(
        alt.Chart(chart)
        .mark_bar()
        .encode(
            x=alt.X("Period:N", sort=periods, title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("People:Q", stack=True),
            color=alt.Color(
                "Who:N", sort=list(HEADINGS.values()), legend=alt.Legend(orient="top", title=None)
            ),
            tooltip=["Period", "Who", "People"],
        )
        .properties(height=280),
        width="stretch",
    )
    if found.threshold is not None:
        st.caption("Counts hidden to protect small numbers are left out of the chart.")
st.dataframe(totals, hide_index=True, width="stretch")
with st.expander("What do these mean?"):
    for column, heading in HEADINGS.items():
        st.write(f"**{heading}**: {MEANINGS[column]}.")
    if found.threshold is not None:
        st.write(
            f"Counts from 1 to {found.threshold} are shown as 'fewer than"
            f" {found.threshold + 1}', and some others are hidden so they cannot be worked out."
        )

st.subheader(f"By ward, {totals['Period'].iloc[-1] if len(totals) else 'no period'}")
wards = areas_table(found)
st.dataframe(wards, hide_index=True, width="stretch")
download_button(
    "Download the wards (CSV)",
    data=table_csv(found.areas).encode("utf-8-sig"),
    file_name="people-over-time.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="flow_csv",
)

st.subheader("Referrals from the public")
try:
    referred = data.referral_figures(store.location, key, role, chosen)
except AtlasError as err:
    st.error(plain(err))
    st.stop()
st.write(plain(headline(referred)))
st.caption(
    f"A referral is followed up when any agency visits or makes a contact within"
    f" {referred.walk_m:.0f} m in the {referred.within_hours:.0f} hours after it. 'Nobody found'"
    " is the number councils are asked about: places checked where the person was not there."
)
st.dataframe(referral_totals(referred), hide_index=True, width="stretch")
by_ward = referral_areas(referred)
if by_ward.iloc[:, 1:].map(str.isdigit).any().any():
    st.dataframe(by_ward, hide_index=True, width="stretch")
elif len(by_ward):
    st.caption(
        "Too few referrals in each ward this period to show them by ward without giving"
        " someone away: the borough's figures above include them all."
    )

if role == "coordinator":
    st.subheader("The snapshot night")
    st.caption(
        "The autumn count of the people sleeping rough on one typical night between 1 October"
        " and 30 November, as the council submits it: by ward, sex, age and nationality, with"
        f" the people and places seen in the {RECENT_NIGHTS} nights before but not that night,"
        " the evidence an estimate rests on."
    )
    try:
        shot = data.snapshot_night(store.location, key, role, chosen.end)  # the period's last
        night = st.date_input(
            "Night of (the evening)", value=shot.night, format="DD/MM/YYYY", key="snapshot_night"
        )
        if night != shot.night:
            shot = data.snapshot_night(store.location, key, role, night)
    except AtlasError as err:
        st.error(plain(err))
        st.stop()
    for warning in shot.warnings:
        st.warning(warning[0].upper() + warning[1:] + ".")
    total = shot.totals.iloc[0]
    st.write(
        f"**{total['people']}** people counted on the night of {shot.night:%d %B %Y};"
        f" **{total['seen_recently_not_counted']}** more seen in the {shot.recent_nights}"
        f" nights before but not that night, and **{total['sites_recently_not_counted']}**"
        f" place{'' if total['sites_recently_not_counted'] == 1 else 's'} where people were seen"
        " without a reference, quiet that night."
    )
    st.dataframe(snapshot_table(shot), hide_index=True, width="stretch")
    download_button(
        "Download the snapshot (CSV)",
        data=table_csv(snapshot_table(shot, all_areas=True)).encode("utf-8-sig"),
        file_name=f"snapshot-{shot.night:%Y-%m-%d}.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        key="snapshot_csv",
    )

    st.subheader("Records counted as one person")
    st.caption(
        "When two agencies record the same person on one night (the same reference, or within"
        " 50 m with sex and nationality not disagreeing) the figures count them once. Check a"
        " night's links and mark any that are wrong: every figure follows at once, and the"
        " change is kept with who made it and when."
    )
    link_night = st.date_input(
        "Links on the night of", value=shot.night, format="DD/MM/YYYY", key="links_night"
    )
    found_links = data.links_of_night(store.location, key, role, link_night)
    if found_links.empty:
        st.info(f"No records were counted together on the night of {link_night:%d %B %Y}.")
    else:
        words = in_words(found_links)
        wards_named = "a place in " + found_links["ward_name"].fillna("no ward") + " ward"
        places = found_links["place"].fillna(wards_named)
        shown = (places.astype(str) + ": " + words).tolist()
        # a list, not a table: the sentences wrap on a phone (each escaped, never markup)
        st.markdown("\n".join(f"- {plain(line)}" for line in shown))
        pick = st.selectbox(
            "Link to change", range(len(shown)), format_func=shown.__getitem__, key="link_pick"
        )
        chosen_link = found_links.iloc[pick]
        reason = st.text_input("Why (optional)", key="link_reason", max_chars=200)
        undo = bool(chosen_link["unlinked"])
        label = "Count them together again" if undo else "Mark this link as wrong"
        if st.button(label, key="link_change"):
            change = (relink if undo else unlink)(
                store,
                str(chosen_link["record_a"]),
                str(chosen_link["record_b"]),
                role=role,
                by=session.user(),
                reason=reason or None,
            )
            st.session_state["link_done"] = (
                f"Done. People counted on the night of {change.night:%d %B %Y}:"
                f" {change.people_before} before, {change.people_after} now."
            )
            st.rerun()
    if "link_done" in st.session_state:
        st.success(st.session_state.pop("link_done"))
