"""The cold-weather list for a role, its patrol, and the nights SWEP was activated.

Who sees what
    - Coordinators see everything :func:`geo.analysis.swep.cold_weather_list` gives: people by
      reference with their last place, last outcome, the languages they need and their flags,
      and the persistent sites with their needs.
    - Police see the records the store gives them: places coarsened to 100 m and no person
      references, outcomes, languages or flags. So their list has the sites (coarsened, no
      needs) and no people: following one reference from sighting to sighting is for the
      teams that look after them. Their patrol goes through the sites.
    - Councillors are refused: the list is about individuals and the places they sleep.

Activations
    A coordinator records each severe weather emergency protocol (SWEP) activation: its first
    and last nights, who recorded it and a note (:meth:`geo.store.Store.add_activation`). The
    ward figures can then be asked for activation nights only
    (``area_summary(..., activation_nights=True)``, ``python -m geo summary
    --activation-nights``), for coordinators only: a cut to some nights set beside the
    figures for the whole period gives the other nights' counts by difference, and with short
    activations that is a single night's count, which only coordinators see.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from geo.analysis import patrol
from geo.analysis.sites import SITE_RADIUS_M
from geo.analysis.swep import (
    SWEP_NIGHTS,
    SWEP_READS,
    ColdWeatherList,
    patrol_candidates,
)
from geo.analysis.swep import (
    cold_weather_list as _cold_weather_list,
)
from geo.errors import AccessDenied, AnalysisError
from geo.nights import latest_night
from geo.privacy.roles import Role, check_role
from geo.questions import NEEDS_ROLES, named_places
from geo.schema import RECORD_FLAGS
from geo.store import Store
from geo.store.base import Activation

#: What the list reads of records beyond :data:`SWEP_READS`, where the role may see it.
_DETAILS = ("location_text", "outcome", "language", "interpreter_needed", *RECORD_FLAGS)


def cold_weather_list(
    store: Store,
    *,
    role: Role,
    night: date | None = None,
    nights: int = SWEP_NIGHTS,
    radius_m: float = SITE_RADIUS_M,
) -> ColdWeatherList:
    """The people and sites seen in the ``nights`` nights ending on ``night`` (default: the
    latest night in the store), as ``role`` may see them (see the module docstring), each with
    ``ward_name`` and a ``place_name`` people can read ("a place in West ward" where no record
    says)."""
    role = _check_list_role(role)
    records = store.records(role=role, columns=[*SWEP_READS, *_DETAILS])
    if "person_ref" not in records.columns:  # police: no references, so nobody to follow
        records = records.assign(person_ref=None)
    if night is None:
        night = latest_night(records)
        if night is None:
            raise AnalysisError("the store has no records yet: import some, then ask again")
    found = _cold_weather_list(records, night=night, nights=nights, radius_m=radius_m)
    wards = store.areas(layer="ward")
    people = named_places(found.people, wards=wards, role=role)
    if role not in NEEDS_ROLES:
        people = people.drop(columns=["person_ref", "last_outcome"])
    return ColdWeatherList(
        night=found.night,
        nights=found.nights,
        people=people,
        sites=named_places(found.sites, wards=wards, role=role),
        role=role,
    )


def swep_patrol(
    store: Store,
    *,
    role: Role,
    night: date | None = None,
    nights: int = SWEP_NIGHTS,
    start_lonlat: tuple[float, float] | None = None,
    stops: int | None = None,
    budget_minutes: float | None = None,
    walk_kmh: float = patrol.DEFAULT_WALK_KMH,
    dwell_minutes: float = patrol.DEFAULT_DWELL_MINUTES,
    return_to_start: bool = False,
) -> patrol.Patrol:
    """A patrol through the cold-weather list: every site, and each person's last place away
    from the sites (people last seen at a site are looked for there), longest unseen first
    when there are more stops than asked for (see
    :func:`geo.analysis.swep.patrol_candidates`).

    Without ``stops`` or ``budget_minutes`` the patrol visits every stop. Start as
    :func:`geo.analysis.patrol.plan_patrol` does (None: at the most urgent stop).
    """
    found = cold_weather_list(store, role=role, night=night, nights=nights)
    candidates = patrol_candidates(found)
    if candidates.empty:
        raise AnalysisError(
            f"nobody was seen in the {found.nights} nights to {found.night:%d %B %Y}:"
            " there is nowhere to patrol; try more --nights or an earlier --night"
        )
    if stops is None and budget_minutes is None:
        stops = len(candidates)
    return patrol.plan_patrol(
        candidates,
        start_lonlat=start_lonlat,
        stops=stops,
        budget_minutes=budget_minutes,
        walk_kmh=walk_kmh,
        dwell_minutes=dwell_minutes,
        return_to_start=return_to_start,
    )


def record_activation(
    store: Store, first: date, last: date, *, role: Role, by: str, note: str | None = None
) -> Activation:
    """Keep a SWEP activation of the nights ``first`` to ``last`` (both included), for
    coordinators (see :meth:`geo.store.Store.add_activation` for the checks)."""
    role = check_role(role)
    if role != "coordinator":
        raise AccessDenied(
            f"the {role} role cannot record a SWEP activation; a coordinator records it"
        )
    return store.add_activation(first, last, by=by, note=note)


def activations(store: Store, *, role: Role) -> pd.DataFrame:
    """Every recorded SWEP activation, oldest first, with ``nights`` (how many nights each
    covers). The dates of an activation are public: any role may read them."""
    check_role(role)
    found = store.activations()
    first = pd.to_datetime(found["first_night"])
    last = pd.to_datetime(found["last_night"])
    return found.assign(nights=((last - first).dt.days + 1).astype(np.int64))


def activation_night_numbers(store: Store, *, role: Role) -> np.ndarray:
    """The nights of every recorded activation as day numbers (days since 1970-01-01), sorted,
    each once; for coordinators only (see the module docstring for why)."""
    role = check_role(role)
    if role != "coordinator":
        raise AccessDenied(
            f"the {role} role sees figures for whole periods, not for activation nights only:"
            " beside the whole period's figures, they would give the other nights' small counts"
            " by difference. A coordinator can ask for them."
        )
    found = store.activations()
    if found.empty:
        raise AnalysisError(
            "no SWEP activation is recorded yet; record one with"
            " 'python -m geo swep --activate FROM TO'"
        )
    first = pd.to_datetime(found["first_night"]).to_numpy("datetime64[D]").astype(np.int64)
    last = pd.to_datetime(found["last_night"]).to_numpy("datetime64[D]").astype(np.int64)
    spans = [np.arange(a, b + 1) for a, b in zip(first, last, strict=True)]  # a few rows
    return np.unique(np.concatenate(spans))


# -- helpers ---------------------------------------------------------------------------------


def _check_list_role(role: Role) -> Role:
    role = check_role(role)
    if role not in ("coordinator", "police"):
        raise AccessDenied(
            f"the {role} role does not see the cold-weather list: it names people and the places"
            " they sleep. Coordinators see it (police see its sites); the ward figures give"
            " counts"
        )
    return role


__all__ = [
    "activation_night_numbers",
    "activations",
    "cold_weather_list",
    "record_activation",
    "swep_patrol",
]
