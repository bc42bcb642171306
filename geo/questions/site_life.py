"""Site life as each role may see it: whether each persistent site is new, active, cleared,
back, or unknown, and when it changed (see :mod:`geo.analysis.site_life` for the rule).

Worked out from ``store.records(role=...)``, like :func:`geo.questions.sites`: coordinators get
exact places and the needs seen there, police places worked out from points snapped to 100 m
and no needs, and councillors and admins are refused (a site is a place where people sleep).
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import Final

import pandas as pd

from geo.analysis.site_life import HISTORY_NIGHTS, QUIET_NIGHTS, SiteLife, site_life
from geo.analysis.sites import SITE_NIGHTS, SITE_RADIUS_M, SITE_WINDOW
from geo.errors import AccessDenied
from geo.privacy import POLICE_GRID_M
from geo.privacy.roles import Role, check_role
from geo.questions import sites_for
from geo.store import Store

#: Roles that see persistent sites, and so their life.
SITE_ROLES: Final[tuple[Role, ...]] = ("coordinator", "police")


def site_history(
    store: Store,
    *,
    role: Role,
    end: date | None = None,
    history_nights: int = HISTORY_NIGHTS,
    quiet_nights: int = QUIET_NIGHTS,
    radius_m: float = SITE_RADIUS_M,
    min_nights: int = SITE_NIGHTS,
    last_nights: int = SITE_WINDOW,
) -> SiteLife:
    """Every site persistent at some time in the last ``history_nights`` nights to ``end``, with
    its status on that night and the changes that led there, for ``role``.

    ``sites`` is named for people as :func:`geo.questions.sites` names sites (``place_name``,
    ``ward_name``, needs for coordinators, the nearest service of each type); ``changes``
    carries each site's ``place_name`` and ``ward_name`` too.

    Raises
    ------
    AccessDenied
        For councillors and admins: sites are places, which only coordinators and police see.
    """
    role = check_role(role)
    if role not in SITE_ROLES:
        raise AccessDenied(
            f"the {role} role does not see persistent sites or their status: they are places "
            "where people sleep, for coordinators and police (coarsened); use the ward figures"
        )
    # police points are snapped to 100 m squares: a visit beside a site can land in the next
    # square, so a visit counts within the radius plus a square's diagonal
    reach = radius_m + POLICE_GRID_M * math.sqrt(2) if role == "police" else radius_m
    found = site_life(
        store.records(role=role),
        visit_radius_m=reach,
        end=end,
        history_nights=history_nights,
        quiet_nights=quiet_nights,
        radius_m=radius_m,
        min_nights=min_nights,
        last_nights=last_nights,
    )
    sites = sites_for(
        found.sites, wards=store.areas(layer="ward"), services=store.services(), role=role
    )
    names = sites.set_index("site_id")[["place_name", "ward_name"]]
    changes = found.changes.join(names, on="site_id")
    changes = changes.loc[:, ["site_id", "place_name", "ward_name", "night", "from", "to"]]
    return replace(found, sites=sites, changes=pd.DataFrame(changes))


__all__ = ["SITE_ROLES", "site_history"]
