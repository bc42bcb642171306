"""Overview: this period against the last, the borough's trend, and what changed, in plain
words. The same figures as the Ward map, as the role may see them."""

from __future__ import annotations

import streamlit as st

from geo.analysis.completeness import completeness_table
from geo.analysis.context import context_table
from geo.analysis.interpreters import interpreters_table
from geo.analysis.overview import overview_of, plain_count, what_changed
from geo.analysis.signals_view import (
    queue_sentence,
    shared_languages,
    shared_wards,
    sharing_answer,
    sharing_period,
    waiting_caption,
    waiting_sentence,
    waiting_table,
)
from geo.analysis.tension import TENSION_CAVEAT, tension_table
from geo.analysis.ward_view import period_words
from geo.errors import AtlasError
from geo.questions.partnership import council_table
from geo.questions.safeguarding import QUEUE_ROLES
from ui import data, filters, session
from ui.text import plain

role = session.role()
store = data.store()
version, key = data.keys(store)
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

if data.wards(store.location, version)["parent_code"].dropna().nunique() >= 2:
    st.subheader("Councils side by side")
    try:
        councils = data.partnership(store.location, key, role, chosen)
    except AtlasError as err:
        st.error(plain(err))
    else:
        st.caption(
            plain(
                f"Each council's figures for {period_words(councils)}, on the ward map's"
                " measures. A council's own exact figures are on its ward pages; small numbers"
                " are hidden here as everywhere."
            )
        )
        st.dataframe(council_table(councils), hide_index=True, width="stretch")

st.subheader("Waiting for a safeguarding referral")
try:
    if role in QUEUE_ROLES:  # the queue itself, to act on: one sentence says where
        st.write(plain(queue_sentence(data.safeguarding_queue(store.location, key, role))))
    else:
        waiting = data.safeguarding_counts(store.location, key, role, chosen)
        st.caption(plain(waiting_caption(waiting)))
        said = waiting_sentence(waiting)
        if said is None:
            st.dataframe(waiting_table(waiting), hide_index=True, width="stretch")
        else:
            st.write(plain(said))
except AtlasError as err:
    st.error(plain(err))

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
            "Languages two or more agencies needed an interpreter for in the same ward, from"
            f" {plain(sharing_period(sharing))}: they could book one together."
        )
        st.dataframe(shared, hide_index=True, width="stretch")
        with st.container(border=True):
            st.markdown("**Which agencies could share an interpreter?**")
            languages = shared_languages(sharing)
            names = sorted(data.wards(store.location, version)["area_name"].astype(str))
            first = [*shared_wards(sharing, language=languages[0]), names[0]][0]
            ask_language, ask_ward = st.columns(2)
            language = ask_language.selectbox("Language", languages, key="share_language")
            ward = ask_ward.selectbox(
                "Ward", names, index=names.index(first) if first in names else 0, key="share_ward"
            )
            st.write(plain(sharing_answer(sharing, language=language, ward=ward)))
    else:
        st.caption("No language was needed by two agencies in one ward in the latest period.")
