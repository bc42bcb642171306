"""Hotspots and patrols: hot cells, persistent sites, coverage by agency and the gaps it leaves,
ranked; and a patrol planned over them, drawn with numbered stops, as GPX and a printable sheet.

Coordinators and police only. Everything drawn comes from geo/questions for the role: police
get places snapped to 100 m, named by ward, with no languages or needs.
"""

from __future__ import annotations

import os

import streamlit as st

from geo.analysis import places_view, site_life_view
from geo.analysis.coverage import DEFAULT_DAYS, DEFAULT_WALK_M
from geo.analysis.flow_view import queue_table
from geo.analysis.referrals import FOLLOW_UP_HOURS, FOLLOW_UP_WALK_M
from geo.analysis.safeguarding import queue_table as safeguarding_table
from geo.analysis.sites import SITE_NIGHTS, SITE_WINDOW
from geo.errors import AccessDenied, AtlasError
from geo.privacy import POLICE_GRID_M
from geo.questions import safeguarding as safeguarding_questions
from geo.questions import swep as swep_questions
from geo.questions.referrals import QUEUE_ROLES
from layers import maps
from layers.analysis import add_map_key, add_ward_outlines, agency_colours
from layers.registry import add_layer_scripts, build_layer, layers_for
from ui import data, filters, session
from ui.basemap import base_tiles
from ui.downloads import download_button
from ui.offline_maps import show_map
from ui.text import plain

#: The registry's layers this page offers, where the role has them.
PAGE_LAYERS = (
    "heat",
    "hotspot_cells",
    "persistent_sites",
    "agency_coverage",
    "coverage_gaps",
    "patrol_route",
    "services",
)
THROUGH_WORDS = {
    "sites": "Hotspots and persistent sites",
    "everyone": "Everyone seen in the last 14 nights (cold weather)",
}
START_WORDS = {
    "base": "The team's base",
    "site": "A persistent site",
    "click": "A point clicked on the map",
    "urgent": "The most urgent place",
}

role = session.role()
map_key = f"hotspots-map-{role}"
store = data.store()
version, key = data.keys(store)
st.title("Hotspots and patrols")
try:
    records = data.records(store.location, version, role)
except AccessDenied as err:
    st.info(f"{plain(err)}. Hotspots, sites and patrols are for coordinators and police.")
    st.stop()
wards = data.wards(store.location, version)
if wards.empty:
    st.warning("No wards in the store yet: import a ward boundary file on the Import page.")
    st.stop()

chosen = filters.sidebar(role, agencies=data.agencies(store.location, version))
nights, end = places_view.period_nights(chosen)
specs = [spec for spec in layers_for(role) if spec.name in PAGE_LAYERS]
with st.sidebar:
    st.subheader("Map layers")
    shown = [
        spec.name
        for spec in specs
        if st.toggle(spec.title, value=spec.on_by_default, key=f"hotspots_layer_{spec.name}")
    ]
    days = st.slider(
        "Covered: an agency went there in the last ... nights",
        min_value=1,
        max_value=28,
        value=DEFAULT_DAYS,
        key="hotspots_days",
        help=f"A place counts as covered when an agency's visit or contact was within "
        f"{DEFAULT_WALK_M:.0f} m of it in these nights.",
    )

try:
    with st.spinner("Working out hot cells, persistent sites and coverage..."):
        cells = data.hotspot_cells(store.location, key, role, nights, end)
        sites = data.sites(store.location, key, role, end)
        life = data.site_history(store.location, key, role, end)
        cover = data.coverage(store.location, key, role, days, end, chosen.time_of_day)
except AtlasError as err:
    st.error(plain(err))
    st.stop()

last_night = end or (records["night"].max() if len(records) else None)
st.caption(
    f"Hot cells over the {nights} night{'' if nights == 1 else 's'} to "
    f"{places_view.date_words(last_night) or 'the latest night'}; persistent sites seen on at "
    f"least {SITE_NIGHTS} of the last {SITE_WINDOW} nights; a gap is a place where people were "
    f"seen that no agency went within {DEFAULT_WALK_M:.0f} m of in the last {days} nights. "
    f"The map and the Persistent sites tab show every site persistent in the last "
    f"{life.history_nights} nights, coloured by whether it is new, active, cleared, back or "
    "unknown (quiet, and nobody has been)."
)
if role == "police":
    st.caption(
        f"Police view: places are snapped to a {POLICE_GRID_M:.0f} m grid and named by ward "
        "only; no languages, needs or anything about a person is shown."
    )

hot = int((cells["hotspot"] == "hot").sum()) if len(cells) else 0
out = cover.agencies
active = int(((out["visits"] + out["contacts"]) > 0).sum()) if len(out) else 0
figures = st.container(horizontal=True, gap="medium")  # wraps two by two on a phone
for label, value, help_text in (
    ("Hot cells", hot, "Grid squares busier than chance (Getis-Ord Gi*)."),
    ("Persistent sites", len(sites), "Places where people keep sleeping."),
    ("Coverage gaps", len(cover.gaps), "Places of demand no agency reached."),
    ("Agencies out", active, f"Agencies with a visit or contact in {days} nights."),
):
    figures.metric(label, f"{value:,}", help=help_text, width=140)

colours = agency_colours(out["agency"]) if len(out) else {}
drawn_agencies = list(colours)
if "agency_coverage" in shown and colours:
    with st.sidebar:
        st.caption("Coverage by agency")
        drawn_agencies = [
            name
            for name in colours
            if st.toggle(
                name,
                value=not chosen.agencies or name in chosen.agencies,
                key=f"hotspots_agency_{name}",
            )
        ]

left, right = st.columns([3, 2], gap="medium")
map_slot = left.container()
with right:
    st.subheader("Plan a patrol")
    through = st.radio(
        "Through",
        ("sites", "everyone"),
        format_func=THROUGH_WORDS.__getitem__,
        key="patrol_through",
        help="In cold weather (severe weather emergency protocol) outreach must find everyone"
        " seen lately: the patrol then goes to the last place each was seen, longest unseen"
        " first.",
    )
    base_text = os.environ.get(places_view.BASE_ENV, "").strip()
    choices = [*(["base"] if base_text else []), "site", "click", "urgent"]
    start_from = st.radio(
        "Start from", choices, format_func=START_WORDS.__getitem__, key="patrol_start_from"
    )
    start: tuple[float, float] | None = None
    ready = True
    if start_from == "base":
        try:
            start = places_view.parse_base(base_text)
        except AtlasError as err:
            st.error(f"{places_view.BASE_ENV}: {plain(err)}")
            ready = False
        else:
            st.caption(f"The base set for this server ({places_view.BASE_ENV}).")
    elif start_from == "site":
        named = places_view.site_choices(sites)
        if named:
            picked = st.selectbox("Site", list(named), key="patrol_site")
            start = named[picked] if picked else None
        else:
            st.info("No persistent sites yet: start from the most urgent place instead.")
            ready = False
    elif start_from == "click":
        clicked = (st.session_state.get(map_key) or {}).get("last_clicked") or {}
        if clicked.get("lat") is not None and clicked.get("lng") is not None:
            start = (round(float(clicked["lng"]), 5), round(float(clicked["lat"]), 5))
            st.caption("Starting where you last clicked the map; click again to move it.")
        else:
            st.info("Click the map where the patrol starts.")
            ready = False
    else:
        st.caption("The patrol starts at the most urgent place, stop 1.")
    by = st.radio(
        "Plan by",
        ("stops", "minutes"),
        format_func={"stops": "Number of stops", "minutes": "Time available"}.__getitem__,
        horizontal=True,
        key="patrol_by",
    )
    if by == "stops":
        stops = int(st.number_input("Stops", 1, 30, 6, step=1, key="patrol_stops"))
        minutes = None
    else:
        minutes = float(st.number_input("Minutes", 15, 600, 90, step=15, key="patrol_minutes"))
        stops = None
    back = st.checkbox("Come back to the start", key="patrol_back")

    plan = None
    if ready:
        try:
            with st.spinner("Planning the patrol..."):
                plan = data.patrol(
                    store.location, key, role, start, stops, minutes, days, end, back, through
                )
        except AtlasError as err:
            st.error(plain(err))
    if plan is not None:
        st.write(plain(places_view.patrol_summary(plan)))
        for download in places_view.patrol_downloads(plan):
            download_button(
                download.label,
                data=download.build,
                file_name=download.file_name,
                mime=download.mime,
                on_click="ignore",
                icon=":material/download:",
                key=f"patrol_download_{download.file_name}",
            )

with map_slot:
    # The base (wards, and the scripts of every layer offered) is the same whatever is
    # switched on: the map stays mounted and only the layers are sent again.
    base = maps.base_map(tuple(wards.total_bounds), tiles=base_tiles(store.location))
    add_ward_outlines(base, wards)
    add_layer_scripts(base, specs)
    frames = {
        "records": places_view.demand_in_window(records, nights=nights, end=end),
        "hotspot_cells": cells,
        "sites": life.sites,  # every site of the history, coloured by its status
        "agency_coverage": out,
        "gaps": cover.gaps,
        "services": data.services(store.location, version),
    }
    options = {
        "agency_coverage": {"only": drawn_agencies, "days": days},
        "persistent_sites": {"last_nights": SITE_WINDOW},
    }
    if plan is not None:
        frames["patrol"] = plan.stops
        options["patrol_route"] = {
            "start": plan.start,
            "starts_at_first_stop": plan.starts_at_first_stop,
            "return_to_start": plan.return_to_start,
        }
    drawn = [spec for spec in specs if spec.name in shown and spec.source in frames]
    layers = [
        build_layer(spec.name, frames[spec.source], role=role, **options.get(spec.name, {}))
        for spec in drawn
    ]
    key_layer = add_map_key(
        None,
        [spec.name for spec in drawn],
        agencies={name: colours[name] for name in drawn_agencies},
        site_statuses=True,
    )
    show_map(
        base,
        key=map_key,
        overlays=[*layers, *([key_layer] if key_layer is not None else [])],
        height=560,
        returned_objects=["last_clicked"] if start_from == "click" else (),
    )

tab_names = ["Gaps, ranked", "Patrol stops", "Persistent sites", "Agencies", "Cold weather"]
if role in QUEUE_ROLES:
    tab_names += ["Referrals waiting", "Safeguarding"]
gaps_tab, stops_tab, sites_tab, agencies_tab, cold_tab, *queue_tabs = st.tabs(tab_names)
with gaps_tab:
    st.dataframe(places_view.gaps_table(cover.gaps), hide_index=True, width="stretch")
with stops_tab:
    if plan is None:
        st.write("No patrol planned yet.")
    else:
        st.dataframe(places_view.patrol_table(plan), hide_index=True, width="stretch")
with sites_tab:
    st.caption(site_life_view.life_summary(life))
    st.dataframe(site_life_view.life_table(life), hide_index=True, width="stretch")
    if len(life.sites):
        labels = site_life_view.site_labels(life.sites)
        picked = st.selectbox("Timeline of", labels, key="hotspots_site_timeline")
        site_id = life.sites["site_id"].iloc[labels.index(picked)] if picked else None
        if site_id is not None:
            st.dataframe(
                site_life_view.timeline_table(life, site_id), hide_index=True, width="stretch"
            )
with agencies_tab:
    st.dataframe(places_view.agencies_table(out, days=days), hide_index=True, width="stretch")
with cold_tab:
    try:
        cold = data.cold_weather(store.location, key, role, end)
    except AtlasError as err:  # no records yet: nobody to look for
        st.info(plain(err))
    else:
        st.caption(
            f"Everyone seen in the {cold.nights} nights to {places_view.date_words(cold.night)},"
            " and every persistent site, longest unseen first: where to look when the severe"
            " weather emergency protocol is on. Plan a patrol through them with 'Everyone"
            " seen' above."
        )
        if role == "police":
            st.caption("Police records carry no references, so only sites are listed.")
        st.dataframe(places_view.cold_weather_table(cold), hide_index=True, width="stretch")
    recorded = data.activations(store.location, key, role)
    if len(recorded):
        st.write("Cold-weather activations recorded:")
        st.dataframe(places_view.activations_table(recorded), hide_index=True, width="stretch")
    if role == "coordinator":
        with st.form("swep_activate", clear_on_submit=True, border=False):
            st.write("Record an activation (the ward figures can then be asked for these nights)")
            first_last = st.date_input(
                "First and last night", value=(), format="DD/MM/YYYY", key="swep_nights"
            )
            note = st.text_input("Note (optional)", max_chars=200, key="swep_note")
            if st.form_submit_button("Record the activation"):
                if len(first_last) != 2:  # type: ignore[arg-type]
                    st.error("Pick the first and the last night of the activation.")
                else:
                    try:
                        swep_questions.record_activation(
                            store, *first_last, role=role, by=session.user(), note=note or None
                        )
                    except AtlasError as err:
                        st.error(plain(err))
                    else:
                        st.rerun()
if queue_tabs:
    with queue_tabs[0]:
        queue = data.referral_queue(store.location, key, role, end)
        st.caption(
            f"Referrals from the public with no visit or contact within {FOLLOW_UP_WALK_M:.0f} m"
            f" in the {FOLLOW_UP_HOURS:.0f} hours after, oldest first."
        )
        st.dataframe(queue_table(queue), hide_index=True, width="stretch")
    with queue_tabs[1]:
        waiting = data.safeguarding_queue(store.location, key, role)
        st.caption(
            "Sightings of someone under 18 or with a trafficking concern with no referral"
            " recorded since by any agency, oldest first. Refer them, or close one with a reason."
        )
        st.dataframe(safeguarding_table(waiting), hide_index=True, width="stretch")
        if len(waiting):
            words = safeguarding_table(waiting)
            labels = (
                words["Why"]
                + ", "
                + words["Where"]
                + ", first seen "
                + words["First seen, night of"]
            ).tolist()
            with st.form("safeguarding_close", clear_on_submit=True, border=False):
                picked = st.selectbox(
                    "Close", range(len(labels)), format_func=labels.__getitem__, key="sg_pick"
                )
                why = st.text_input("Reason (kept with who and when)", key="sg_reason")
                if st.form_submit_button("Close this item"):
                    try:
                        safeguarding_questions.close_item(
                            store,
                            str(waiting["key"].iloc[picked]),
                            role=role,
                            by=session.user(),
                            reason=why,
                        )
                    except AtlasError as err:
                        st.error(plain(err))
                    else:
                        st.rerun()
