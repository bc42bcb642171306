"""The demo's agencies: who goes out on which nights, where, and what each writes down.

Four agencies go round on their own rota and route: the council outreach team and Harbour Light
five nights a week, the police neighbourhood team and St Anne's volunteers three. Only the police
team goes to Northfields retail park (the coverage gap); Harbour Light starts going to the
Riverside towpath in the last four weeks. What each sees is kept as rows in its own terms, which
:mod:`geo.demo.files` writes in the agency's own format.

Client references (``SM00042``) are shared by the council team and Harbour Light, as if both
used one case-management system, so the same person seen by both on one night can be merged.
Times run mostly 22:00-04:00; a sighting after midnight carries the next calendar date and
belongs to the previous night. On the nights the clocks change, no time falls in the 01:00 hour,
so no local time is ambiguous or missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

import numpy as np

from geo.demo.borough import _SITE, _Postcodes, _Site
from geo.demo.street import _Person, _Street
from geo.schema import TIMEZONE

COUNCIL: Final = "Council outreach team"
HARBOUR_LIGHT: Final = "Harbour Light homelessness charity"
POLICE_TEAM: Final = "Police neighbourhood team"
ST_ANNES: Final = "St Anne's night shelter volunteers"
#: Pseudo-postcode the NHS and many agencies use for "no fixed abode".
NO_FIXED_ABODE_POSTCODE: Final = "ZZ99 3VZ"

_LONDON: Final = ZoneInfo(TIMEZONE)
_EVENING: Final = 22 * 60  # minutes after midnight

# (site, chance of stopping there on a night out), in the order the team goes round.
_COUNCIL_ROUTE: Final = (
    ("Seafront shelter", 1.0), ("Multi-storey car park, Kings Road", 0.7), ("Jubilee Park", 1.0),
    ("Westcliff beach huts", 0.25), ("Market Street doorways", 1.0), ("Library steps", 0.7),
    ("Bus station", 0.7), ("Station underpass", 1.0), ("St Mary's churchyard", 0.7),
    ("Harbour arches", 0.7), ("Ferry Road car park", 0.5), ("Riverside towpath", 1.0),
    ("Millfield allotments", 0.12), ("Beacon Road bus shelter", 0.12),
)  # fmt: skip
_HARBOUR_LIGHT_ROUTE: Final = (
    "Station underpass", "Market Street doorways", "Library steps", "Bus station",
    "St Mary's churchyard", "Seafront shelter", "Jubilee Park", "Harbour arches",
    "Riverside towpath",
)  # fmt: skip
_HARBOUR_LIGHT_JOINS_TOWPATH: Final = 28  # nights before the end when they start going there
_POLICE_ROUTE: Final = (
    "Market Street doorways", "Library steps", "Station underpass", "Bus station",
    "Harbour arches", "Riverside towpath", "Northfields retail park",
)  # fmt: skip
_ST_ANNES_ROUTE: Final = (
    ("Seafront shelter", 1.0), ("Market Street doorways", 1.0), ("St Mary's churchyard", 1.0),
    ("Library steps", 1.0), ("Station underpass", 1.0), ("Jubilee Park", 0.6),
    ("Bus station", 0.5),
)  # fmt: skip
# Nights out by weekday of the evening (Monday 0), and the chance of going out on such a night.
_ROTA: Final = {
    COUNCIL: ((0, 1, 2, 3, 6), 0.95),
    HARBOUR_LIGHT: ((1, 2, 3, 4, 5), 0.95),
    POLICE_TEAM: ((2, 4, 5), 0.9),
    ST_ANNES: ((1, 3, 5), 0.95),
}

_COUNCIL_NOTES: Final = (
    "Bedded down, sleeping bag", "Bedded down, tent", "Sitting out, awake",
    "Sleeping bag and cardboard", "Known to service", "New to the area",
    "Bedded down in doorway", "Asked for food",
)  # fmt: skip
_COUNCIL_OUTCOMES: Final = (
    "Advice given", "Declined hostel offer", "Referred to day centre",
    "Accepted emergency accommodation", "Referred for assessment",
)  # fmt: skip
_HARBOUR_LIGHT_OUTCOMES: Final = (
    "Welfare check", "Food and drink provided", "Referred to day centre",
    "Declined offer of accommodation", "Booked into night shelter", "Health referral",
)  # fmt: skip
_POLICE_NOTES: Final = ("bedded down", "sleeping bags", "awake, no issues", "welfare check done")
_ST_ANNES_NOTES: Final = (
    "Soup and sandwiches", "Hot drinks and blankets", "Sleeping bag given",
    "Signposted to day centre", "Food parcel given",
)  # fmt: skip


@dataclass(frozen=True)
class _CouncilRow:
    stamp: datetime
    x: float
    y: float
    people: int  # 0 for a visit that found no one
    person: _Person | None  # set when one person was engaged
    outcome: str
    notes: str
    location: str = ""  # written only where the place is not one of the team's known sites


@dataclass(frozen=True)
class _ContactRow:
    stamp: datetime
    postcode: str
    location: str
    person: _Person
    outcome: str


@dataclass(frozen=True)
class _CountRow:
    stamp: datetime
    x: float
    y: float
    persons: int
    notes: str
    figures: Literal[8, 10]


@dataclass(frozen=True)
class _SoupRunRow:
    stamp: datetime
    place: str
    people: int
    language: str
    interpreter: str
    notes: str


@dataclass(frozen=True)
class _Records:
    council: list[_CouncilRow]
    harbour_light: list[_ContactRow]
    police_team: list[_CountRow]
    st_annes: list[_SoupRunRow]


def _agency_records(
    rng: np.random.Generator, street: _Street, first: date, postcodes: _Postcodes
) -> _Records:
    """Send each agency round on its nights and write down what it sees, as it would."""
    records = _Records(council=[], harbour_light=[], police_team=[], st_annes=[])
    n = len(street.at_site)
    for k in range(n):
        evening = first + timedelta(days=k)
        out = {
            agency: evening.weekday() in weekdays and rng.random() < chance
            for agency, (weekdays, chance) in _ROTA.items()
        }
        at_site = street.at_site[k]
        if out[COUNCIL]:
            _council_night(rng, records.council, evening, at_site)
        if out[HARBOUR_LIGHT]:
            route = [
                name
                for name in _HARBOUR_LIGHT_ROUTE
                if name != "Riverside towpath" or k >= n - _HARBOUR_LIGHT_JOINS_TOWPATH
            ]
            _harbour_light_night(rng, records.harbour_light, evening, at_site, route, postcodes)
        if out[POLICE_TEAM]:
            _police_night(rng, records.police_team, evening, at_site)
        if out[ST_ANNES]:
            _st_annes_night(rng, records.st_annes, evening, at_site)
        _one_offs(rng, records, evening, street.one_offs[k], out)
    _add_postcode_oddities(rng, records.harbour_light, street, first, postcodes)
    for rows in (records.council, records.harbour_light, records.police_team, records.st_annes):
        rows.sort(key=lambda row: row.stamp)
    return records


def _local_time(evening: date, minutes: int) -> datetime:
    """Local clock time ``minutes`` after the midnight starting ``evening``.

    On the nights the clocks change, the 01:00 hour is moved to 02:00 so that no time is
    ambiguous (October) or missing (March).
    """
    stamp = datetime.combine(evening, time()) + timedelta(minutes=int(minutes))
    if stamp.hour == 1 and _clocks_change(stamp.date()):
        stamp += timedelta(hours=1)
    return stamp


def _clocks_change(day: date) -> bool:
    before = datetime.combine(day, time(0), _LONDON).utcoffset()
    return before != datetime.combine(day, time(4), _LONDON).utcoffset()


def _gps(rng: np.random.Generator, site: _Site) -> tuple[float, float]:
    sd = min(site.precision_m / 3, 15.0)
    return float(site.x + rng.normal(0, sd)), float(site.y + rng.normal(0, sd))


def _council_night(
    rng: np.random.Generator,
    rows: list[_CouncilRow],
    evening: date,
    at_site: dict[str, list[_Person]],
) -> None:
    minutes = _EVENING + int(rng.integers(0, 46))
    for name, chance in _COUNCIL_ROUTE:
        if rng.random() >= chance:
            continue
        minutes += int(rng.integers(8, 22))
        site = _SITE[name]
        stamp = _local_time(evening, minutes)
        visible = [p for p in at_site.get(name, []) if rng.random() < 0.95]
        engaged = [p for p in visible if rng.random() < 0.75]
        for person in engaged:
            rows.append(
                _CouncilRow(
                    stamp, *_gps(rng, site), 1, person, *_council_words(rng, person, place=name)
                )
            )
        if len(visible) > len(engaged):
            note = (
                "Café doorway, asleep" if name == "Market Street doorways" else "Asleep, not woken"
            )
            rows.append(
                _CouncilRow(
                    stamp, *_gps(rng, site), len(visible) - len(engaged), None, "Not engaged", note
                )
            )
        if not visible:
            rows.append(_CouncilRow(stamp, *_gps(rng, site), 0, None, "No one found", ""))


def _council_words(rng: np.random.Generator, person: _Person, *, place: str) -> tuple[str, str]:
    """Outcome and note for one person engaged at ``place`` (a site name, or "")."""
    if person.under_18 or (person.trafficking and rng.random() < 0.7):
        outcome = "Safeguarding referral made"
    elif person.interpreter and rng.random() < 0.3:
        outcome = "Referred to interpreter service"
    else:
        outcome = str(rng.choice(_COUNCIL_OUTCOMES))
    note = str(rng.choice(_COUNCIL_NOTES))
    if place == "Market Street doorways" and rng.random() < 0.2:
        note = "Café doorway, bedded down"
    return outcome, note


def _harbour_light_night(
    rng: np.random.Generator,
    rows: list[_ContactRow],
    evening: date,
    at_site: dict[str, list[_Person]],
    route: Sequence[str],
    postcodes: _Postcodes,
) -> None:
    minutes = _EVENING + 90 + int(rng.integers(0, 61))
    for name in route:
        minutes += int(rng.integers(10, 26))
        for person in at_site.get(name, []):
            if rng.random() < 0.6:
                if person.nrpf and rng.random() < 0.4:
                    outcome = "Referred to immigration advice"
                elif person.under_18 or (person.trafficking and rng.random() < 0.6):
                    outcome = "Safeguarding referral made"
                else:
                    outcome = str(rng.choice(_HARBOUR_LIGHT_OUTCOMES))
                stamp = _local_time(evening, minutes + int(rng.integers(0, 5)))
                rows.append(
                    _ContactRow(stamp, postcodes.site_postcode[name], name, person, outcome)
                )


def _police_night(
    rng: np.random.Generator,
    rows: list[_CountRow],
    evening: date,
    at_site: dict[str, list[_Person]],
) -> None:
    minutes = _EVENING + 60 + int(rng.integers(0, 61))
    for name in _POLICE_ROUTE:
        minutes += int(rng.integers(10, 31))
        persons = sum(rng.random() < 0.95 for _ in at_site.get(name, []))
        if persons:
            site = _SITE[name]
            place = name
            if name == "Market Street doorways" and rng.random() < 0.5:
                place = "Café doorway, Market Street"
            who = "1 person" if persons == 1 else f"{persons} persons"
            notes = f"{place} – {who}, {rng.choice(_POLICE_NOTES)}"
            x, y = _gps(rng, site)
            rows.append(
                _CountRow(_local_time(evening, minutes), x, y, persons, notes, _figures(rng))
            )


def _figures(rng: np.random.Generator) -> Literal[8, 10]:
    return 10 if rng.random() < 0.75 else 8


def _st_annes_night(
    rng: np.random.Generator,
    rows: list[_SoupRunRow],
    evening: date,
    at_site: dict[str, list[_Person]],
) -> None:
    minutes = _EVENING - 20 + int(rng.integers(0, 31))
    for name, chance in _ST_ANNES_ROUTE:
        if rng.random() >= chance:
            continue
        minutes += int(rng.integers(12, 26))
        site = _SITE[name]
        place = name if rng.random() < 0.7 else str(rng.choice(site.aliases))
        served = [p for p in at_site.get(name, []) if rng.random() < 0.85]
        stamp = _local_time(evening, minutes)
        if not served:
            rows.append(_SoupRunRow(stamp, place, 0, "", "", "Nobody there tonight"))
            continue
        spoken = [p.language for p in served if p.language not in ("", "English")]
        rows.append(
            _SoupRunRow(
                stamp,
                place,
                len(served),
                spoken[0] if spoken else "English",
                "Yes" if any(p.interpreter for p in served) else "No",
                str(rng.choice(_ST_ANNES_NOTES)),
            )
        )


def _one_offs(
    rng: np.random.Generator,
    records: _Records,
    evening: date,
    seen_once: list[tuple[_Person, float, float]],
    out: dict[str, bool],
) -> None:
    """People seen once, somewhere in the town, by the council or police team if out."""
    observers = [agency for agency in (COUNCIL, POLICE_TEAM) if out[agency]]
    for person, x, y in seen_once:
        if not observers or rng.random() >= 0.85:
            continue
        observer = observers[int(rng.integers(len(observers)))]
        minutes = _EVENING + int(rng.integers(15, 240))
        stamp = _local_time(evening, minutes)
        x, y = x + rng.normal(0, 5), y + rng.normal(0, 5)
        if observer == POLICE_TEAM:
            notes = f"Doorway – 1 person, {rng.choice(_POLICE_NOTES)}"
            records.police_team.append(_CountRow(stamp, x, y, 1, notes, _figures(rng)))
        elif rng.random() < 0.6:
            outcome, _ = _council_words(rng, person, place="")
            records.council.append(_CouncilRow(stamp, x, y, 1, person, outcome, "New to the area"))
        else:
            records.council.append(
                _CouncilRow(stamp, x, y, 1, None, "Not engaged", "Asleep, not woken")
            )


def _add_postcode_oddities(
    rng: np.random.Generator,
    rows: list[_ContactRow],
    street: _Street,
    first: date,
    postcodes: _Postcodes,
) -> None:
    """Two contacts on an old (terminated) postcode, two with no fixed abode (ZZ99 3VZ)."""
    seafront = [i for i, row in enumerate(rows) if row.location == "Seafront shelter"]
    for i in sorted(rng.choice(seafront, size=min(2, len(seafront)), replace=False)):
        rows[i] = replace(rows[i], postcode=postcodes.site_old_postcode["Seafront shelter"])
    nights = [k for k, sites in enumerate(street.at_site) if sites]
    for k in sorted(rng.choice(nights, size=2, replace=False)):
        everyone = [p for people in street.at_site[k].values() for p in people]
        person = everyone[int(rng.integers(len(everyone)))]
        stamp = _local_time(first + timedelta(days=int(k)), _EVENING + int(rng.integers(0, 40)))
        rows.append(
            _ContactRow(
                stamp,
                NO_FIXED_ABODE_POSTCODE,
                "No fixed abode",
                person,
                "Booked into night shelter",
            )
        )
