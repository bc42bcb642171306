"""A sighting recorded on the sighting form: one row, stored through the import pipeline.

The form's values become a one-row data frame with the columns a file would have ("Date",
"Time", "Grid reference", "People", "NRPF"...), so a sighting from a phone is read, located,
de-duplicated, placed in a ward and accounted for exactly as a row of an agency's export:
submitting the same sighting twice stores it once. The form asks for no name, date of birth or
other detail that identifies a person.

Rules of the form, beyond those of a file:

- a place is required: a point tapped on the map, a typed OS grid reference or
  "latitude, longitude", a known persistent site, or a postcode (with the postcode directory
  kept in the store, see :mod:`geo.importing.lookups`);
- an agency is required; people are 0 to 500, and 0 people is a visit that found no one
  (a visit with people in it would drop them from every count, so it is refused);
- the time may not be more than :data:`CLOCK_SLACK` ahead of now. The night a sighting belongs
  to follows the evening rule of :mod:`geo.nights` (02:00 on the 5th is the night of the 4th).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import locate
from geo.errors import AccessDenied, InputFileError
from geo.importing.pipeline import stored_postcodes
from geo.importing.records import import_records
from geo.importing.report import ImportReport
from geo.locate.areas import assign_points
from geo.nights import night_of
from geo.privacy.roles import Role, check_role
from geo.schema import RECORD_KINDS, TIMEZONE, VISIT
from geo.store import Store

#: Who may record a sighting (DESIGN.md: "record a sighting" is the coordinators').
RECORD_ROLES: Final[tuple[str, ...]] = ("coordinator",)
#: The import log's name for sightings from the form.
FORM_SOURCE: Final = "sighting form"
#: How far ahead of now a sighting's time may be (a phone's clock, a rounded minute).
CLOCK_SLACK: Final = pd.Timedelta(minutes=15)
#: Most people at one place, as for a file (:func:`geo.io.values.parse_people`).
MAX_PEOPLE: Final = 500
#: Decimal places of a tapped or known point: 5 is about a metre.
POINT_DECIMALS: Final = 5

#: The record kinds in the words the form shows, in the order of :data:`RECORD_KINDS`.
KIND_WORDS: Final[dict[str, str]] = {
    "street_count": "Street count",
    "outreach_contact": "Outreach contact",
    "referral": "Referral",
    "visit": "Visit (found no one)",
}

Answer = Literal["yes", "no", "not known"]
#: The answers to a yes/no question on the form, as a file would hold them.
ANSWERS: Final[tuple[str, ...]] = ("not known", "yes", "no")

PlaceHow = Literal["map", "typed", "site", "postcode"]
_LAT_LON: Final = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[,;\s]\s*([-+]?\d+(?:\.\d+)?)\s*$")


def check_can_record(role: Role) -> None:
    """Raise ``AccessDenied`` unless ``role`` may record sightings."""
    if check_role(role) not in RECORD_ROLES:
        raise AccessDenied(
            f"the {role} role cannot record sightings; outreach coordinators record them"
        )


@dataclass(frozen=True)
class Place:
    """Where a sighting was, as the form gave it. Build one with the class methods."""

    how: PlaceHow
    text: str = ""
    lon: float | None = None
    lat: float | None = None
    name: str = ""

    @classmethod
    def tapped(cls, lon: float, lat: float) -> Place:
        """A point tapped on the map (longitude, latitude in EPSG:4326)."""
        return cls("map", lon=float(lon), lat=float(lat))

    @classmethod
    def typed(cls, text: str) -> Place:
        """An OS grid reference ("TQ 3004 8003") or "latitude, longitude" typed in."""
        return cls("typed", text=str(text or "").strip())

    @classmethod
    def site(cls, name: str, lon: float, lat: float) -> Place:
        """A known persistent site, by its name and point."""
        return cls("site", name=str(name or "").strip(), lon=float(lon), lat=float(lat))

    @classmethod
    def postcode(cls, text: str) -> Place:
        """A postcode (located with the configured postcode directory)."""
        return cls("postcode", text=str(text or "").strip())

    @property
    def given(self) -> bool:
        """Whether anything was given yet (a point, or some text)."""
        if self.how in ("map", "site"):
            return _finite(self.lon) and _finite(self.lat)
        return bool(self.text)

    def columns(self) -> dict[str, str]:
        """The place as a file's location columns ("Latitude"/"Longitude", "Grid reference"...).

        Raises ``InputFileError`` when nothing was given.
        """
        if self.how in ("map", "site"):
            if not _finite(self.lon) or not _finite(self.lat):
                raise InputFileError(
                    "Place: no point yet; tap the map where the sighting was"
                    if self.how == "map"
                    else "Place: choose a known place from the list"
                )
            return {
                "Latitude": f"{self.lat:.{POINT_DECIMALS}f}",
                "Longitude": f"{self.lon:.{POINT_DECIMALS}f}",
            }
        if not self.text:
            raise InputFileError(
                "Place: type a postcode"
                if self.how == "postcode"
                else "Place: type an OS grid reference (TQ 3004 8003) or latitude, longitude"
                " (50.8226, -0.1372)"
            )
        if self.how == "postcode":
            return {"Postcode": self.text}
        pair = _LAT_LON.match(self.text)
        if pair:
            return {"Latitude": pair.group(1), "Longitude": pair.group(2)}
        return {"Grid reference": self.text}

    def words(self) -> str:
        """The place as a person would say it when nothing else names it."""
        if self.how == "site":
            return self.name
        if self.how == "map":
            return "the point tapped on the map"
        return self.text


def site_choices(sites: pd.DataFrame) -> dict[str, Place]:
    """Known places to pick from, by what people call them: "Station underpass, Station ward".

    ``sites`` is :func:`geo.questions.sites` for the role (``place_name``, ``ward_name``,
    ``lon``, ``lat``), in its order (the busiest first). A name that already says its ward
    ("a place in Hillcrest ward") is not told it twice; two sites of one name are numbered.
    """
    names = sites["place_name"].astype(str).tolist()
    wards = sites["ward_name"].tolist()
    words = [
        f"{name}, {ward} ward"
        if isinstance(ward, str) and not name.endswith(f"{ward} ward")
        else name
        for name, ward in zip(names, wards, strict=True)
    ]
    seen: dict[str, int] = {}
    choices: dict[str, Place] = {}
    for label, name, lon, lat in zip(words, names, sites["lon"], sites["lat"], strict=True):
        seen[label] = seen.get(label, 0) + 1
        shown = label if seen[label] == 1 else f"{label} ({seen[label]})"
        choices[shown] = Place.site(name, lon, lat)
    return choices


@dataclass(frozen=True)
class Found:
    """Where a place is: the point, how precise, the ward, and anything worth saying."""

    lon: float
    lat: float
    precision_m: float
    ward_name: str | None
    note: str | None


def locate_place(
    place: Place,
    *,
    wards: gpd.GeoDataFrame | None = None,
    postcodes: locate.PostcodeDirectory | None = None,
) -> Found:
    """Locate ``place`` as the import will, and name its ward (from ``wards``, if given).

    Raises ``InputFileError`` naming the problem ("'TQ 3' is not a valid OS grid reference
    (an odd number of digits)") when it cannot be located.
    """
    columns = {name: pd.Series([value]) for name, value in place.columns().items()}
    if "Postcode" in columns:
        if postcodes is None:
            raise InputFileError(
                "Postcode: the store has no postcode directory; import one on the Import page"
                " (or python -m geo import postcodes FILE), or place the sighting another way"
            )
        located = postcodes.lookup(columns["Postcode"])
    elif "Grid reference" in columns:
        located = locate.parse_grid_refs(columns["Grid reference"])
    else:
        located = locate.locate_lonlat(columns["Longitude"], columns["Latitude"])
    if not bool(located.ok[0]):
        label = next(iter(columns)) if len(columns) == 1 else "Latitude, longitude"
        raise InputFileError(f"{label}: {located.problem.iloc[0]}")
    lon, lat = float(located.lon[0]), float(located.lat[0])
    return Found(
        lon=lon,
        lat=lat,
        precision_m=float(located.precision_m[0]),
        ward_name=ward_name_at(lon, lat, wards) if wards is not None else None,
        note=None if pd.isna(located.note.iloc[0]) else str(located.note.iloc[0]),
    )


def ward_name_at(lon: float, lat: float, wards: gpd.GeoDataFrame) -> str | None:
    """The name of the ward a point lies in, or None outside every ward."""
    if wards.empty:
        return None
    code = assign_points(
        np.array([lon]), np.array([lat]), codes=wards["area_code"], geometries=wards.geometry
    )[0]
    if code is None:
        return None
    names = wards.loc[wards["area_code"] == code, "area_name"]
    return str(names.iloc[0]) if len(names) and pd.notna(names.iloc[0]) else str(code)


@dataclass(frozen=True)
class Sighting:
    """What the form holds: where, when, how many, what they need, who recorded it.

    ``observed`` is the wall-clock time in Europe/London (a naive datetime, as the form's
    date and time boxes give it). ``location_text`` is what the place is called ("doorway on
    Station Road"); blank, a known site's name is used.
    """

    place: Place
    observed: datetime
    agency: str
    people: int = 1
    kind: str = "street_count"
    location_text: str = ""
    interpreter_needed: Answer = "not known"
    language: str = ""
    nrpf: Answer = "not known"
    trafficking_concern: Answer = "not known"
    under_18: Answer = "not known"
    notes: str = ""

    @property
    def night(self) -> date:
        """The night the sighting belongs to (dated by its evening)."""
        return night_of(pd.Timestamp(self.observed)).date()

    @property
    def called(self) -> str:
        """What the place is called: the words typed, else a known site's name."""
        text = self.location_text.strip()
        return text or (self.place.name if self.place.how == "site" else "")


def observed_at(day: date, clock: time) -> datetime:
    """The form's date and time boxes as one wall-clock time (Europe/London, naive)."""
    return datetime.combine(day, clock.replace(second=0, microsecond=0, tzinfo=None))


def now_in_london() -> datetime:
    """The wall-clock time now in Europe/London, to the minute (the form's default)."""
    now = pd.Timestamp.now(tz=TIMEZONE).tz_localize(None).to_pydatetime()
    return now.replace(second=0, microsecond=0)


def sighting_frame(sighting: Sighting, *, now: datetime | None = None) -> pd.DataFrame:
    """The sighting as a one-row frame with the columns a file would have.

    Checks the form's own rules first (see the module docstring) and raises
    ``InputFileError`` naming the box and the fix; the values themselves (a grid reference,
    a date) are then read by the pipeline as a file's would be.
    """
    _check(sighting, now=now or now_in_london())
    row = {
        "Date": f"{sighting.observed:%d/%m/%Y}",
        "Time": f"{sighting.observed:%H:%M}",
        **sighting.place.columns(),
        "Location": sighting.called,
        "People": str(int(sighting.people)),
        "Interpreter needed": sighting.interpreter_needed,
        "Language": sighting.language.strip(),
        "NRPF": sighting.nrpf,
        "Trafficking concern": sighting.trafficking_concern,
        "Under 18": sighting.under_18,
        "Notes": sighting.notes.strip(),
    }
    return pd.DataFrame({name: [value] for name, value in row.items()}, dtype=object)


def _check(sighting: Sighting, *, now: datetime) -> None:
    if not sighting.agency or not sighting.agency.strip():
        raise InputFileError("Agency: say which agency recorded the sighting")
    if sighting.kind not in RECORD_KINDS:
        raise InputFileError(
            f"Kind: {sighting.kind!r} is not one of {', '.join(KIND_WORDS.values())}"
        )
    people = sighting.people
    if isinstance(people, bool) or not isinstance(people, (int, np.integer)):
        raise InputFileError(f"People: {people!r} is not a whole number; give 0 to {MAX_PEOPLE}")
    if not 0 <= people <= MAX_PEOPLE:
        raise InputFileError(f"People: {people} is not from 0 to {MAX_PEOPLE}")
    if sighting.kind == VISIT and people > 0:
        raise InputFileError(
            f"People: a visit records that no one was found, but people is {people}; set people"
            " to 0, or choose street count or outreach contact for people seen"
        )
    for name in ("interpreter_needed", "nrpf", "trafficking_concern", "under_18"):
        if getattr(sighting, name) not in ANSWERS:
            raise InputFileError(
                f"{name.replace('_', ' ').capitalize()}: {getattr(sighting, name)!r} is not one"
                f" of {', '.join(ANSWERS)}"
            )
    if sighting.observed > now + CLOCK_SLACK:
        raise InputFileError(
            f"Date and time: {sighting.observed:%d/%m/%Y %H:%M} is in the future (now"
            f" {now:%d/%m/%Y %H:%M}); give the time the sighting happened"
        )
    sighting.place.columns()  # a place must be given


Status = Literal["stored", "duplicate", "rejected"]


@dataclass(frozen=True)
class Recorded:
    """What became of a submitted sighting, in plain words for the form."""

    status: Status
    message: str
    report: ImportReport


def record_sighting(
    store: Store,
    sighting: Sighting,
    *,
    role: Role,
    postcodes: locate.PostcodeDirectory | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Store ``sighting`` through the import pipeline (same accounting and duplicate rules).

    Raises ``AccessDenied`` for a role that may not record, and ``InputFileError`` when the
    form's own rules are not met (nothing is stored then). A row the pipeline rejects or skips
    comes back as a :class:`Recorded` with the reason.
    """
    check_can_record(role)
    frame = sighting_frame(sighting, now=now)
    postcodes = postcodes or postcodes_for(store, sighting.place)
    if sighting.place.how == "postcode" and postcodes is None:
        locate_place(sighting.place)  # raises: the store has no postcode directory
    report = import_records(
        store,
        frame,
        agency=sighting.agency.strip(),
        kind=sighting.kind,
        postcodes=postcodes,
        source=FORM_SOURCE,
    )
    if report.stored:
        found = locate_place(sighting.place, wards=store.areas(layer="ward"), postcodes=postcodes)
        return Recorded("stored", _stored_words(sighting, found), report)
    if report.skipped:
        return Recorded(
            "duplicate",
            "Not stored again: this sighting (same place, time, people and agency) is already"
            " in the store.",
            report,
        )
    problems = [
        f"{column}: {problem}" if isinstance(column, str) else str(problem)
        for column, problem in zip(report.rejects["column"], report.rejects["problem"], strict=True)
    ]
    return Recorded("rejected", "Not stored: " + "; ".join(problems) + ".", report)


def _stored_words(sighting: Sighting, found: Found) -> str:
    """'Stored: 2 people at doorway on Station Road, Station ward, night of 22 Nov 2026.'"""
    people = sighting.people
    if people == 0:
        who = "a visit that found no one"
    else:
        who = "1 person" if people == 1 else f"{people} people"
    where = sighting.called or sighting.place.words()
    ward = f"{found.ward_name} ward" if found.ward_name else "outside every ward"
    night = sighting.night
    return f"Stored: {who} at {where}, {ward}, night of {night.day} {night:%b %Y}."


# -- the store's postcode directory -------------------------------------------------------------


def postcodes_for(store: Store, place: Place) -> locate.PostcodeDirectory | None:
    """The store's postcode directory for ``place``'s postcode (read for that postcode only),
    or None when the place is not a postcode or the store keeps no directory."""
    if place.how != "postcode":
        return None
    return stored_postcodes(store, pd.Series([place.text]))


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
