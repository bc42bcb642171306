"""Record a sighting: a form for a phone. The place comes from a tap on the map, a typed grid
reference or latitude, longitude, a known site, or a postcode (when the store keeps a postcode
directory); the sighting is stored through the import pipeline like a row of a file."""

from __future__ import annotations

import contextlib

import pandas as pd
import streamlit as st

from geo.errors import AccessDenied, AtlasError
from geo.importing.sighting import (
    ANSWERS,
    KIND_WORDS,
    MAX_PEOPLE,
    Place,
    Sighting,
    check_can_record,
    locate_place,
    now_in_london,
    observed_at,
    postcodes_for,
    record_sighting,
    site_choices,
)
from layers import maps
from layers.analysis import add_persistent_sites
from ui import data, session
from ui.basemap import base_tiles
from ui.offline_maps import show_map
from ui.text import plain

role = session.role()
st.title("Record a sighting")
try:
    check_can_record(role)
except AccessDenied as err:
    st.info(f"{plain(err)}.")
    st.stop()

store = data.store()
version, key = data.keys(store)
wards = data.wards(store.location, version)
if data.is_demo(store):
    st.caption("This is the synthetic demo borough: what you record here joins made-up data.")
has_postcodes = data.has_postcodes(store.location, key)

# The form's defaults, set once per session so a rerun never moves them.
now = now_in_london()
for name, value in {
    "sighting_date": now.date(),
    "sighting_time": now.time(),
    "sighting_people": 1,
    # sign-in will put the user's agency in the session; until then it is typed once
    "sighting_agency": st.session_state.get("agency"),
}.items():
    if value is not None:
        st.session_state.setdefault(name, value)


def _known_places() -> pd.DataFrame:
    """Persistent sites for the role up to the latest night, named for people."""
    return data.sites(store.location, key, role, None)


def _record_another() -> None:
    """Clear the place and the details for the next sighting, and set the time to now."""
    moment = now_in_london()
    for name in ("sighting_called", "sighting_typed", "sighting_postcode", "sighting_notes"):
        st.session_state[name] = ""
    for name in ("sighting_interpreter", "sighting_nrpf", "sighting_trafficking", "sighting_u18"):
        st.session_state[name] = ANSWERS[0]
    st.session_state.update(
        sighting_language="",
        sighting_people=1,
        sighting_date=moment.date(),
        sighting_time=moment.time(),
        sighting_site=None,
        sighting_tapped=None,
    )


WAYS = {
    "Tap the map": "map",
    "Grid reference or lat, long": "typed",
    "Known place": "site",
}
if has_postcodes:
    WAYS["Postcode"] = "postcode"
how = WAYS[st.radio("Where was it?", list(WAYS), key="sighting_how", horizontal=True)]

if how == "typed":
    typed = st.text_input(
        "OS grid reference, or latitude, longitude",
        key="sighting_typed",
        placeholder="TQ 1995 0543 or 50.8361, -0.2978",
    )
    place = Place.typed(typed)
elif how == "site":
    place = Place("site")
    try:
        sites = _known_places()
    except AtlasError as err:
        sites = None
        st.error(plain(err))
    if sites is not None and sites.empty:
        st.info("No persistent sites yet: tap the map or type a grid reference instead.")
    elif sites is not None:
        choices = site_choices(sites)
        chosen = st.selectbox(
            "Known place",
            list(choices),
            index=None,
            key="sighting_site",
            placeholder="Choose a persistent site",
        )
        if chosen is not None:
            place = choices[chosen]
elif how == "postcode":
    code = st.text_input("Postcode", key="sighting_postcode", placeholder="e.g. BN1 1AA")
    place = Place.postcode(code)
else:
    tapped = st.session_state.get("sighting_tapped")
    place = Place.tapped(*tapped) if tapped else Place("map")

found = None
postcodes = None
if place.given:
    try:
        postcodes = postcodes_for(store, place)
        found = locate_place(place, wards=wards, postcodes=postcodes)
    except AtlasError as err:
        st.warning(plain(err))

if not wards.empty:
    if found is not None:
        dx, dy = 0.006, 0.0037  # about 400 m each way: the streets around, not the borough
        bounds = (found.lon - dx, found.lat - dy, found.lon + dx, found.lat + dy)
    else:
        bounds = tuple(wards.total_bounds)
    m = maps.base_map(bounds, tiles=base_tiles(store.location))
    maps.add_areas(m, wards.set_index("area_code", drop=False), tooltip_fields=("area_name",))
    with contextlib.suppress(AtlasError):  # named sites to find one's way by, where known
        add_persistent_sites(m, _known_places())
    if found is not None:
        point = pd.DataFrame({"lon": [found.lon], "lat": [found.lat]})
        maps.add_points(m, point, label="Sighting", cluster=False, colour="#b3261e", radius=9)
    clicked = show_map(
        m,
        key="sighting-map",
        height=320,
        returned_objects=["last_clicked"] if how == "map" else (),
    ).get("last_clicked")
    if how == "map" and clicked:
        tap = (round(float(clicked["lng"]), 5), round(float(clicked["lat"]), 5))
        if tap != st.session_state.get("sighting_tapped"):
            st.session_state["sighting_tapped"] = tap
            st.rerun()  # draw the point just tapped
if found is not None:
    ward = f"{found.ward_name} ward" if found.ward_name else "outside every ward"
    within = f", to within about {found.precision_m:,.0f} m" if found.precision_m >= 10 else ""
    note = f" ({found.note})" if found.note else ""
    st.caption(plain(f"The red point: {ward}{within}{note}."))
elif how == "map":
    st.caption("Tap the map where the sighting was; the page zooms in so a second tap is exact.")

with st.form("sighting_form", border=False, enter_to_submit=False):
    called = st.text_input(
        "What the place is called",
        key="sighting_called",
        placeholder="e.g. doorway on Station Road",
        max_chars=200,
    )
    left, right = st.columns(2)
    day = left.date_input("Date", key="sighting_date", format="DD/MM/YYYY", max_value=now.date())
    clock = right.time_input("Time", key="sighting_time", step=60)
    st.caption("After midnight, keep the real date: the night is dated by its evening.")
    people = st.number_input(
        "People",
        min_value=0,
        max_value=MAX_PEOPLE,
        step=1,
        key="sighting_people",
        help="0 records a visit that found no one.",
    )
    kind = st.selectbox("Kind", list(KIND_WORDS), format_func=KIND_WORDS.get, key="sighting_kind")
    agencies = list(data.agencies(store.location, version))
    typed_agency = st.session_state.get("sighting_agency")  # the session's, or typed before
    if typed_agency and typed_agency not in agencies:
        agencies.append(typed_agency)
    agency = st.selectbox(
        "Agency",
        agencies,
        index=None,
        accept_new_options=True,
        key="sighting_agency",
        placeholder="Choose or type your agency",
    )
    st.markdown("**Needs**")
    answers = {"format_func": str.capitalize, "horizontal": True}
    interpreter = st.radio("Interpreter needed", ANSWERS, key="sighting_interpreter", **answers)
    language = st.text_input("Main language", key="sighting_language", placeholder="e.g. Polish")
    nrpf = st.radio("No recourse to public funds (NRPF)", ANSWERS, key="sighting_nrpf", **answers)
    trafficking = st.radio("Trafficking concern", ANSWERS, key="sighting_trafficking", **answers)
    under_18 = st.radio("Under 18", ANSWERS, key="sighting_u18", **answers)
    notes = st.text_area(
        "Notes",
        key="sighting_notes",
        height=90,
        max_chars=1000,
        placeholder="What was seen or done. No names, dates of birth or anything that"
        " identifies a person.",
    )
    submitted = st.form_submit_button(
        "Record the sighting", type="primary", width="stretch", key="sighting_submit"
    )

if submitted:
    try:
        sighting = Sighting(
            place=place,
            observed=observed_at(day, clock),
            agency=agency or "",
            people=int(people),
            kind=kind,
            location_text=called,
            interpreter_needed=interpreter,
            language=language,
            nrpf=nrpf,
            trafficking_concern=trafficking,
            under_18=under_18,
            notes=notes,
        )
        with st.spinner("Storing the sighting..."):
            outcome = record_sighting(store, sighting, role=role, postcodes=postcodes)
    except AtlasError as err:
        st.error(plain(err))
    else:
        show = {"stored": st.success, "duplicate": st.info, "rejected": st.error}[outcome.status]
        show(plain(outcome.message))
        if outcome.status == "stored":
            st.button(
                "Record another sighting",
                on_click=_record_another,
                width="stretch",
                key="sighting_another",
            )
