"""The demo's police.uk street-level crime file: the three calendar months before ``end``'s.

Anti-social behaviour (no Crime ID) and crimes, each snapped to one of a few anonymised points
"On or near ...", as police.uk publishes them: heaviest around the town-centre sites, and rising
at the Riverside towpath in the last month. The force, :data:`DEMO_FORCE`, is invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
from pyproj import Transformer

from geo.demo.borough import _SITES, _TOWN_CENTRE, _Lsoas, _random_points_in_outline

#: The force named in the police.uk file (invented, like everything else here).
DEMO_FORCE: Final = "Saltmarsh Police (synthetic)"

_POLICE_PLACES: Final = (
    "Parking Area", "Supermarket", "Shopping Area", "Petrol Station", "Nightclub",
    "Sports/Recreation Area", "Further/Higher Educational Building", "Police Station", "Hospital",
    "Theatre/Concert Hall", "Queens Avenue", "North Road", "Chalk Lane", "Downs Way",
    "Priory Close", "Hill Road", "Park Lane", "Quay Street", "Saltings Way", "Ropewalk",
    "Elm Grove", "Victoria Terrace", "Albion Street", "Orchard Road",
)  # fmt: skip
_CRIME_TYPES: Final = (
    ("Violence and sexual offences", 30), ("Shoplifting", 15), ("Public order", 10),
    ("Criminal damage and arson", 10), ("Other theft", 8), ("Drugs", 6), ("Vehicle crime", 6),
    ("Theft from the person", 5), ("Burglary", 5), ("Bicycle theft", 3), ("Other crime", 2),
)  # fmt: skip
_OUTCOMES: Final = (
    ("Investigation complete; no suspect identified", 35), ("Unable to prosecute suspect", 25),
    ("Under investigation", 12), ("Status update unavailable", 8), ("Local resolution", 8),
    ("Awaiting court outcome", 6), ("Offender given a caution", 6),
)  # fmt: skip


@dataclass(frozen=True)
class _PoliceUk:
    """The file's rows, and each snap point's columns as the rows write them: "On or near
    Riverside Path" -> (longitude, latitude, LSOA code, LSOA name)."""

    rows: list[list[str]]
    points: dict[str, tuple[str, str, str, str]]


def _police_uk_rows(
    rng: np.random.Generator, end: date, lsoas: _Lsoas, to_lonlat: Transformer
) -> _PoliceUk:
    """Three months of a force's street-level file: ASB (no Crime ID) and crimes, each snapped to
    one of a few anonymised points "On or near ...", heaviest around the town-centre sites and
    rising at the towpath in the last month."""
    site_xy = np.array([(s.x, s.y) for s in _SITES]) + rng.uniform(-90, 90, (len(_SITES), 2))
    extra = np.concatenate(
        [
            _random_points_in_outline(rng, 14),
            _random_points_in_outline(rng, 16, centre=_TOWN_CENTRE),
        ]
    )
    xy = np.concatenate([site_xy, extra])
    names = [f"On or near {s.street}" for s in _SITES] + [
        f"On or near {rng.choice(_POLICE_PLACES)}" for _ in range(len(extra))
    ]
    base = np.array(
        [
            {"persistent": 8, "occasional": 5, "rising": 2, "gap": 3, "empty": 1}[s.role]
            for s in _SITES
        ]
        + [1] * len(extra),
        dtype=float,
    )
    rising = np.array([s.role == "rising" for s in _SITES] + [False] * len(extra))
    lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
    lsoa = lsoas.nearest(xy)
    crime_types, crime_weights = zip(*_CRIME_TYPES, strict=True)
    outcomes, outcome_weights = zip(*_OUTCOMES, strict=True)
    crime_p = np.array(crime_weights) / sum(crime_weights)
    outcome_p = np.array(outcome_weights) / sum(outcome_weights)

    rows: list[list[str]] = []
    for back in (3, 2, 1):
        label = _month_label(end, back)
        weights = np.where(rising, base * (4 if back == 1 else 1), base)
        p = weights / weights.sum()
        month_rows = []
        for _ in range(int(rng.poisson(95))):
            i = int(rng.choice(len(xy), p=p))
            month_rows.append(["", i, "Anti-social behaviour", ""])
        for _ in range(int(rng.poisson(60))):
            i = int(rng.choice(len(xy), p=p))
            crime = crime_types[int(rng.choice(len(crime_types), p=crime_p))]
            outcome = outcomes[int(rng.choice(len(outcomes), p=outcome_p))]
            month_rows.append([rng.bytes(32).hex(), i, crime, outcome])
        for j in rng.permutation(len(month_rows)):
            crime_id, i, crime, outcome = month_rows[j]
            rows.append(
                [
                    crime_id, label, DEMO_FORCE, DEMO_FORCE, f"{lon[i]:.6f}", f"{lat[i]:.6f}",
                    names[i], lsoas.codes[lsoa[i]], lsoas.names[lsoa[i]], crime, outcome, "",
                ]
            )  # fmt: skip
    points = {
        names[i]: (f"{lon[i]:.6f}", f"{lat[i]:.6f}", lsoas.codes[lsoa[i]], lsoas.names[lsoa[i]])
        for i in range(len(xy))
    }
    return _PoliceUk(rows, points)


def _month_label(end: date, back: int) -> str:
    """``YYYY-MM`` of the calendar month ``back`` months before ``end``'s."""
    year, month = divmod(end.year * 12 + end.month - 1 - back, 12)
    return f"{year}-{month + 1:02d}"
