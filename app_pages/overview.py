"""Overview: this period against the last, the borough's trend, and what changed, in plain
words. The same figures as the Ward map, as the role may see them."""

from __future__ import annotations

import streamlit as st

from geo.analysis.completeness import completeness_table
from geo.analysis.context import context_table
from geo.analysis.interpreters import interpreters_table
from geo.analysis.overview import overview_of, plain_count, what_changed
from geo.analysis.tension import TENSION_CAVEAT, tension_table
from geo.errors import AtlasError
from ui import data, filters, session
from ui.text import plain

role = session.role()
store = data.store()
version, key = store.version(), store.cache_key()
chosen = filters.sidebar(role, agencies=data.agencies(store.location, version))
st.title("Overview")
if data.wards(store.location, version).empty:
    st.warning("No wards in the store yet: import a ward boundary file on the Import page.")
    st.stop()
try:
    summary = data.area_summary(store.location, key, role, chosen)
    overview = overview_of(summary, period=chosen.period)
except AtlasError as err:
    st.error(plain(err))
    st.stop()

label = overview.label[:1].upper() + overview.label[1:]
st.caption(f"{plain(label)}, against {plain(overview.previous_label)}.")
columns = st.columns(len(overview.headlines))
for column, headline in zip(columns, overview.headlines, strict=True):
    column.metric(
        headline.label,
        plain_count(headline.this),
        delta=None if headline.change is None else f"{headline.change:+,}",
        delta_color="off",
        help=headline.help,
    )

st.subheader("What changed")
for sentence in what_changed(overview):
    st.write(plain(sentence))

st.subheader("People counted, period by period")
trend = overview.trend
if trend["people"].notna().any():
    st.bar_chart(trend, x="period_start", y="people", height=260)
else:
    st.write("Not shown for this role: the borough's earlier counts are kept hidden.")
with st.expander("When is a ward rising fast?"):
    st.write(plain(overview.emerging_rule))

st.subheader("How complete the records are")
try:
    recorded = data.recording_completeness(store.location, key, role, chosen)
except AtlasError as err:
    st.error(plain(err))
else:
    st.caption(
        "The share of each agency's records of people with a detail missing, the least complete"
        " first: figures are only as good as what is written down. Agencies record differently"
        " (migration status often not at all), which misleads everyone about who is out."
        + ("" if role == "coordinator" else " Shown for the partnership as a whole.")
    )
    st.dataframe(completeness_table(recorded), hide_index=True, width="stretch")

st.subheader("Tension watch")
st.caption(TENSION_CAVEAT)
try:
    watched = data.tension(store.location, key, role, chosen.end)
except AtlasError as err:
    st.error(plain(err))
else:
    context = data.ward_context(store.location, key, role)
    table = tension_table(watched, beside=context_table(context))
    if len(table):
        watched = int((table["Watch"] == "yes").sum())
        wards_words = {0: "No ward", 1: "1 ward"}.get(watched, f"{watched} wards")
        st.write(
            plain(
                f"{wards_words} where two or three of people counted, anti-social behaviour"
                f" and public order offences rose fast together in {table['Month'].iloc[0]},"
                " each against the month before (police.uk publishes a month or two late)."
            )
        )
    st.dataframe(table, hide_index=True, width="stretch")
    if not context.empty:
        st.caption(
            plain(
                f"Beside each ward, its context from {context.source}: background for the"
                " conversation, never part of the watch."
            )
        )

st.subheader("Interpreters agencies could share")
try:
    sharing = data.interpreter_sharing(store.location, key, role, chosen)
except AtlasError as err:
    st.error(plain(err))
else:
    shared = interpreters_table(sharing)
    if len(shared):
        st.caption(
            "Languages two or more agencies needed an interpreter for in the same ward in"
            " the latest period: they could book one together."
        )
        st.dataframe(shared, hide_index=True, width="stretch")
    else:
        st.caption("No language was needed by two agencies in one ward in the latest period.")
