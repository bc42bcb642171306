"""What the people-over-time questions need from the demo: places that empty, people who come
back, public referrals and a cold spell.

Made from a random stream of their own after every agency has written its nights down, so the
rest of the demo is drawn exactly as before; the rows made here join the council team's file
(whose record ids are numbered after sorting) and a new file of public referrals.

- **The old cinema doorway on Queen Street** (:data:`CLEARED_SITE`): three people bedded
  down most nights for the first eight weeks, then nobody. The council team keeps looking every
  night it is out, and writes "No one found": a site *cleared* while visited.
- **The depot yard on Gas Lane** (:data:`QUIET_SITE`): two people most nights from the second
  week until week nine, seen by the council team; after that the team's route no longer goes
  there. Nobody knows whether anyone still sleeps there: a site gone quiet *unvisited*.
- **Returners**: two more people at the old cinema for the first three and a half weeks, away
  for six weeks, then back, at the bus station, for the last three weeks.
- **Public referrals** (:data:`REFERRALS_AGENCY`): alerts from members of the public about
  someone sleeping out, sent the next morning, about one a night. Most are near a place where
  someone really slept that night; the rest are somewhere nobody else saw anyone.
  Whether each was followed up is left to the agencies' own rounds.
- **A cold spell** (:func:`cold_spell`, four nights ending four nights before the last): the
  council team goes round every place it knows after midnight too, offering emergency beds
  (not the depot yard: nobody has been seen there for weeks).

The council team writes a Location only for these two places, which are not among the sites it
knows by name; the rest of its file leaves it blank, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np

from geo.demo.agencies import _council_words, _CouncilRow, _local_time
from geo.demo.borough import _SITE, _SITES, _TOWN_CENTRE, _random_points_in_outline, _Site
from geo.demo.street import _People, _Person, _Street
from geo.schema import NIGHT_ROLLOVER_HOUR

#: Who sends the public's alerts; their file is imported as records of kind ``referral``.
REFERRALS_AGENCY: Final = "StreetLink public alerts"
#: A site people left while the council team kept visiting, and one nobody visits any more.
CLEARED_SITE: Final = _Site(
    "Old cinema doorway, Queen Street",
    520950,
    104500,
    "persistent",
    3,
    0.85,
    20,
    (),
    "Queen Street",
)
QUIET_SITE: Final = _Site(
    "Depot yard, Gas Lane", 521900, 105300, "persistent", 2, 0.8, 20, (), "Gas Lane"
)
#: The places whose names the council team writes in its Location column.
_WRITTEN: Final = (CLEARED_SITE.name, QUIET_SITE.name)
_CLEARED_AFTER: Final = 55  # first night nobody sleeps at the old cinema
_QUIET_NIGHTS: Final = (10, 61)  # people at the depot yard, and the council goes there
_RETURNERS: Final = 2
_RETURNERS_AWAY: Final = (25, 68)  # away from the first night to the night before the second
_RETURN_SITE: Final = "Bus station"
_COLD_NIGHTS: Final = 4
_COLD_ENDS_BEFORE: Final = 4  # nights before the last night
_REFERRALS_PER_NIGHT: Final = 1.0
_REFERRALS_AT_SITES: Final = 0.6
_REFERRAL_PLACES: Final = ("Shop doorway", "Bench", "Bus shelter", "Car park stairwell", "Alley")
_SWEP_OUTCOMES: Final = (
    "SWEP: emergency bed accepted", "SWEP: emergency bed declined", "SWEP: blankets, hot drink",
)  # fmt: skip


@dataclass(frozen=True)
class ReferralRow:
    """One public alert as the referral service exports it."""

    stamp: datetime
    x: float
    y: float
    location: str
    notes: str


def cold_spell(end: date) -> tuple[date, date]:
    """The first and last evening of the demo's cold spell, for a demo ending on ``end``."""
    last = end - timedelta(days=_COLD_ENDS_BEFORE)
    return last - timedelta(days=_COLD_NIGHTS - 1), last


def over_time_rows(
    rng: np.random.Generator, street: _Street, first: date, council: list[_CouncilRow]
) -> tuple[list[_CouncilRow], list[ReferralRow]]:
    """Council rows to add (the two sites, the returners, the cold spell) and the referrals.

    ``council`` is the team's rows as drawn so far; its nights out are kept as they are.
    """
    n = len(street.at_site)
    people = _People(rng)
    people._count = 90_000  # references SM90001.. never meet the rest of the demo's
    out_nights = sorted({_evening(row.stamp) for row in council})
    nights = [(evening - first).days for evening in out_nights]
    rows: list[_CouncilRow] = []
    cinema = [people.make() for _ in range(CLEARED_SITE.slots + _RETURNERS)]
    depot = [people.make() for _ in range(QUIET_SITE.slots)]
    for k in nights:
        evening = first + timedelta(days=k)
        at = {
            CLEARED_SITE.name: [
                p
                for i, p in enumerate(cinema)
                if k < (_CLEARED_AFTER if i < CLEARED_SITE.slots else _RETURNERS_AWAY[0])
            ],
            QUIET_SITE.name: depot if _QUIET_NIGHTS[0] <= k < _QUIET_NIGHTS[1] else [],
            _RETURN_SITE: cinema[CLEARED_SITE.slots :] if k >= _RETURNERS_AWAY[1] else [],
        }
        looked = [CLEARED_SITE, _SITE[_RETURN_SITE]]
        if k < _QUIET_NIGHTS[1]:
            looked.append(QUIET_SITE)
        minutes = 23 * 60 + 30 + int(rng.integers(0, 30))
        for site in looked:
            seen = [p for p in at[site.name] if rng.random() < site.presence]
            rows += _seen(rng, evening, minutes, site, seen, empty=site is not _SITE[_RETURN_SITE])
            minutes += int(rng.integers(8, 20))
    cold_first, cold_last = cold_spell(first + timedelta(days=n - 1))
    for k in range((cold_first - first).days, (cold_last - first).days + 1):
        rows += _cold_night(rng, street, first + timedelta(days=k), k, cinema)
    return rows, _referrals(rng, street, first)


def _evening(stamp: datetime) -> date:
    return (stamp - timedelta(hours=NIGHT_ROLLOVER_HOUR)).date()


def _seen(
    rng: np.random.Generator,
    evening: date,
    minutes: int,
    site: _Site,
    seen: list[_Person],
    *,
    empty: bool,
    outcomes: tuple[str, ...] = (),
) -> list[_CouncilRow]:
    """The council's rows for one stop: one per person seen, or "No one found" when ``empty``."""
    stamp = _local_time(evening, minutes)
    rows = []
    for person in seen:
        outcome, note = _council_words(rng, person, place=site.name)
        if outcomes and outcome != "Safeguarding referral made":  # a child is referred first
            outcome = str(rng.choice(outcomes))
        where = site.name if site.name in _WRITTEN else ""
        rows.append(_CouncilRow(stamp, *_near(rng, site), 1, person, outcome, note, where))
    if not seen and empty:
        where = site.name if site.name in _WRITTEN else ""
        rows.append(_CouncilRow(stamp, *_near(rng, site), 0, None, "No one found", "", where))
    return rows


def _near(rng: np.random.Generator, site: _Site) -> tuple[float, float]:
    sd = min(site.precision_m / 3, 15.0)
    return float(site.x + rng.normal(0, sd)), float(site.y + rng.normal(0, sd))


def _cold_night(
    rng: np.random.Generator,
    street: _Street,
    evening: date,
    k: int,
    cinema: list[_Person],
) -> list[_CouncilRow]:
    """Every known place, after midnight, offering emergency beds (severe weather protocol)."""
    rows: list[_CouncilRow] = []
    minutes = 24 * 60 + 45
    extra = {_RETURN_SITE: cinema[CLEARED_SITE.slots :] if k >= _RETURNERS_AWAY[1] else []}
    for site in (*_SITES, CLEARED_SITE):
        # nobody on the team knows of the retail park; the depot yard is off its list (last
        # seen long before the fortnight the cold-weather list looks back over)
        if site.role == "gap":
            continue
        here = street.at_site[k].get(site.name, []) + extra.get(site.name, [])
        seen = [p for p in here if rng.random() < 0.9]
        rows += _seen(rng, evening, minutes, site, seen, empty=True, outcomes=_SWEP_OUTCOMES)
        minutes += int(rng.integers(6, 12))
    return rows


def _referrals(rng: np.random.Generator, street: _Street, first: date) -> list[ReferralRow]:
    """About one alert a night: most near someone really there, the rest where nobody is seen."""
    n = len(street.at_site)
    counts = rng.poisson(_REFERRALS_PER_NIGHT, n)
    anywhere = _random_points_in_outline(
        rng, int(counts.sum()), centre=_TOWN_CENTRE, spread=(1_800.0, 900.0), max_northing=106_800
    )
    rows: list[ReferralRow] = []
    for k, count in enumerate(counts):
        occupied = [_SITE[name] for name, there in street.at_site[k].items() if there]
        for _ in range(int(count)):
            # sent the next morning, before noon: still the night before's
            morning = int(rng.integers(7 * 60, NIGHT_ROLLOVER_HOUR * 60))
            stamp = _local_time(first + timedelta(days=k + 1), morning)
            what = str(rng.choice(_REFERRAL_PLACES))
            if occupied and rng.random() < _REFERRALS_AT_SITES:
                site = occupied[int(rng.integers(len(occupied)))]
                x, y = site.x + rng.normal(0, 40), site.y + rng.normal(0, 40)
                where = f"{what} near {site.street or site.name}"
            else:
                x, y = anywhere[len(rows) % len(anywhere)]
                where = f"{what}, exact place not given"
            notes = "Person asleep, seemed cold" if rng.random() < 0.5 else "Man in sleeping bag"
            rows.append(ReferralRow(stamp, float(x), float(y), where, notes))
    return rows
