"""What the partnership signals need from the demo (issue 14): a ward on the tension watch, a
child referred and one not, an agency that records little and a language two agencies share.

Made from a random stream of its own after every agency has written its nights down (as
:mod:`geo.demo.over_time` is), so the rest of the demo is drawn exactly as before; the rows
made here join the council team's file, Harbour Light's and the police.uk file.

- **Riverside on the tension watch** (:data:`TENSION_WARD`, in :func:`tension_month`, the last
  of the police.uk months: October 2026 for the default demo). Three people newly arrived pitch
  tents by the railway bridge on the towpath (:data:`TENSION_SITE`) from the second week of
  that month, seen by the council team every night it is out, until they are moved on after
  the 24th. Anti-social behaviour reported on Riverside Path rises that month (as the
  police.uk file already had it) and public order offences appear there
  (:data:`TENSION_INCIDENTS` more, snapped to the police.uk point "On or near Riverside
  Path"): people counted, ASB and public order all rise fast together, the month before the
  camp on the towpath grows.
- **A child referred** (:data:`REFERRED_CHILD`): a 16-year-old girl Harbour Light meets at the
  bus station, who will not talk that night ("Welfare check"); four nights later Harbour Light
  finds her again and refers her to children's services (:data:`REFERRED_OUTCOME`). Her first
  sighting leaves the safeguarding queue with that referral.
- **A child not referred** (:data:`UNREFERRED_CHILD`): a 17-year-old boy Harbour Light gives
  food to at the Harbour arches sixteen nights before the end, who is gone before a referral
  is made and not seen again: he waits in the queue. (Harbour Light and the council team are
  the agencies whose files say who is under 18; St Anne's volunteers and the police team record
  no one's age.)
- **An agency that records little** (:data:`RECORDS_LITTLE`, drawn as before): St Anne's
  volunteers write a head count, a place name and the language spoken, never nationality, no
  recourse to public funds or a reference; Harbour Light (:data:`RECORDS_NATIONALITY`) records
  nationality on nearly every contact ("Unknown" for the few whose it is not known).
- **A language two agencies share** (:data:`SHARED_LANGUAGE`, drawn as before): Harbour Light
  and St Anne's both meet Arabic speakers needing an interpreter at the Station underpass
  (Station ward) week after week from early October. And in the last week
  (:data:`TOWPATH_LANGUAGE`), St Anne's volunteers take soup to the tents on the towpath for
  the first time, four nights before the end, and meet Tigrinya speakers who need an
  interpreter, as Harbour Light does there that week: a Tigrinya interpreter the two could
  share in Riverside ward.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np

from geo.demo.agencies import (
    HARBOUR_LIGHT,
    ST_ANNES,
    _ContactRow,
    _council_words,
    _CouncilRow,
    _local_time,
    _SoupRunRow,
)
from geo.demo.borough import RISING_WARD_NAME, _Postcodes, _Site
from geo.demo.over_time import _evening, _near
from geo.demo.police_uk import _OUTCOMES, _month_label, _PoliceUk
from geo.demo.street import _People, _Person

#: The ward on the tension watch, and where the people counted there in its month slept.
TENSION_WARD: Final = RISING_WARD_NAME
TENSION_SITE: Final = _Site(
    "Tents by the railway bridge, Riverside Path",
    522230,
    105680,
    "rising",
    3,
    0.85,
    30,
    (),
    "Riverside Path",
)
#: Incidents added on Riverside Path in the tension month, by police.uk crime type.
TENSION_INCIDENTS: Final[dict[str, int]] = {"Anti-social behaviour": 6, "Public order": 7}
#: Days of the tension month: the first night the three sleep by the bridge, and the last.
TENSION_NIGHTS: Final = (7, 24)
_TENSION_NATIONALITIES: Final = ("Eritrean", "Eritrean", "Sudanese")


@dataclass(frozen=True)
class YoungPerson:
    """A child Harbour Light meets: where, who, when (nights before the last night), what it
    writes that night and, if it ever refers them, when."""

    place: str
    age: int
    sex: Literal["M", "F"]
    nationality: str
    language: str
    seen_before_end: int
    first_outcome: str
    referred_before_end: int | None


#: What Harbour Light writes when it refers the 16-year-old.
REFERRED_OUTCOME: Final = "Referred to children's services"
REFERRED_CHILD: Final = YoungPerson(
    "Bus station", 16, "F", "British", "English", 44, "Welfare check", 40
)
UNREFERRED_CHILD: Final = YoungPerson(
    "Harbour arches", 17, "M", "Albanian", "Albanian", 16, "Food and drink provided", None
)
#: The agency whose records say least about people, and one that records nationality.
RECORDS_LITTLE: Final = ST_ANNES
RECORDS_NATIONALITY: Final = HARBOUR_LIGHT
#: A language Harbour Light and St Anne's both need an interpreter for, and the ward.
SHARED_LANGUAGE: Final = ("Arabic", "Station")
#: The language St Anne's needs an interpreter for on the towpath in the last week, the ward.
TOWPATH_LANGUAGE: Final = ("Tigrinya", TENSION_WARD)
_TOWPATH_SOUP_RUN: Final = 4  # nights before the last night


@dataclass(frozen=True)
class SignalRows:
    """Rows to add to the council team's file, Harbour Light's and St Anne's."""

    council: list[_CouncilRow]
    harbour_light: list[_ContactRow]
    st_annes: list[_SoupRunRow]


def tension_month(end: date) -> str:
    """``YYYY-MM`` of the month Riverside is watched: the last month of the police.uk file."""
    return _month_label(end, 1)


def signal_rows(
    rng: np.random.Generator,
    first: date,
    end: date,
    council: list[_CouncilRow],
    postcodes: _Postcodes,
) -> SignalRows:
    """The council's rows at the railway bridge, Harbour Light's two children and St Anne's
    soup run to the towpath.

    ``council`` is the team's rows as drawn so far: the bridge is seen on its nights out.
    """
    return SignalRows(
        council=_bridge_rows(rng, first, end, council),
        harbour_light=_children_rows(rng, first, end, postcodes),
        st_annes=_towpath_soup_run(rng, first, end),
    )


def with_tension_incidents(
    rng: np.random.Generator, police: _PoliceUk, end: date
) -> list[list[str]]:
    """The police.uk rows with :data:`TENSION_INCIDENTS` added to the tension month, snapped to
    the point "On or near Riverside Path" and mixed in among that month's rows."""
    month = tension_month(end)
    lon, lat, lsoa_code, lsoa_name = police.points[f"On or near {TENSION_SITE.street}"]
    force = police.rows[0][2]
    outcomes, weights = zip(*_OUTCOMES, strict=True)
    p = np.array(weights) / sum(weights)
    added = []
    for crime, count in TENSION_INCIDENTS.items():
        for _ in range(count):
            asb = crime == "Anti-social behaviour"
            crime_id = "" if asb else rng.bytes(32).hex()
            outcome = "" if asb else outcomes[int(rng.choice(len(outcomes), p=p))]
            added.append(
                [
                    crime_id, month, force, force, lon, lat, f"On or near {TENSION_SITE.street}",
                    lsoa_code, lsoa_name, crime, outcome, "",
                ]
            )  # fmt: skip
    at = [i for i, row in enumerate(police.rows) if row[1] == month]
    start, stop = at[0], at[-1] + 1
    block = police.rows[start:stop] + added
    mixed = [block[int(i)] for i in rng.permutation(len(block))]
    return police.rows[:start] + mixed + police.rows[stop:]


def _bridge_rows(
    rng: np.random.Generator, first: date, end: date, council: list[_CouncilRow]
) -> list[_CouncilRow]:
    """Three people at the railway bridge from the 7th to the 24th of the tension month, on
    the council team's nights out; the team writes the place in its Location column."""
    people = _People(rng)
    people._count = 95_000  # references SM95001.. never meet the rest of the demo's
    group = [
        replace(people.make(new_arrival=True, nationality=n, age=int(rng.integers(20, 40))),
                trafficking=False)
        for n in _TENSION_NATIONALITIES
    ]  # fmt: skip
    year, month = (int(part) for part in tension_month(end).split("-"))
    arrive, leave = (date(year, month, day) for day in TENSION_NIGHTS)
    out = sorted({_evening(row.stamp) for row in council})
    rows: list[_CouncilRow] = []
    for evening in out:
        if not (arrive <= evening <= leave) or evening < first:
            continue
        minutes = 23 * 60 + 40 + int(rng.integers(0, 30))
        seen = [p for p in group if rng.random() < TENSION_SITE.presence]
        stamp = _local_time(evening, minutes)
        for person in seen:
            outcome, note = _council_words(rng, person, place=TENSION_SITE.name)
            x, y = _near(rng, TENSION_SITE)
            rows.append(_CouncilRow(stamp, x, y, 1, person, outcome, note, TENSION_SITE.name))
    return rows


def _children_rows(
    rng: np.random.Generator, first: date, end: date, postcodes: _Postcodes
) -> list[_ContactRow]:
    rows = []
    for i, child in enumerate((REFERRED_CHILD, UNREFERRED_CHILD)):
        person = _Person(
            ref=f"SM{96_001 + i:05d}",
            sex=child.sex,
            age=child.age,
            nationality=child.nationality,
            language=child.language,
            interpreter=False,
            nrpf=False,
            trafficking=False,
        )
        seen = [(child.seen_before_end, child.first_outcome)]
        if child.referred_before_end is not None:
            seen.append((child.referred_before_end, REFERRED_OUTCOME))
        for before, outcome in seen:
            evening = end - timedelta(days=before)
            if evening < first:
                continue
            stamp = _local_time(evening, 23 * 60 + 50 + int(rng.integers(0, 60)))
            postcode = postcodes.site_postcode[child.place]
            rows.append(_ContactRow(stamp, postcode, child.place, person, outcome))
    return rows


def _towpath_soup_run(rng: np.random.Generator, first: date, end: date) -> list[_SoupRunRow]:
    evening = end - timedelta(days=_TOWPATH_SOUP_RUN)
    if evening < first:
        return []
    stamp = _local_time(evening, 23 * 60 + 30 + int(rng.integers(0, 20)))
    language = TOWPATH_LANGUAGE[0]
    return [_SoupRunRow(stamp, "Riverside towpath", 3, language, "Yes", "Soup and sandwiches")]
