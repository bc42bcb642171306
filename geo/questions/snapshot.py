"""The snapshot night for a role: the autumn single-night count and its evidence.

Coordinators prepare the council's submission, so they get the exact figures of any night they
pick. Police and councillors are refused, as the ward figures refuse them single nights: one
night's figures for any night, beside the weekly figures, would let a small count be worked
out by difference.
"""

from __future__ import annotations

from datetime import date

from geo.analysis.snapshot import RECENT_NIGHTS, SNAPSHOT_READS, Snapshot, snapshot
from geo.errors import AccessDenied, AnalysisError
from geo.nights import latest_night
from geo.privacy.roles import Role, check_role
from geo.questions import stored_layer
from geo.store import Store


def snapshot_night(
    store: Store,
    *,
    role: Role,
    night: date | None = None,
    layer: str = "ward",
    recent_nights: int = RECENT_NIGHTS,
) -> Snapshot:
    """The snapshot figures of ``night`` (default: the latest night in the store) per area of
    the stored ``layer``, for coordinators (see :mod:`geo.analysis.snapshot`)."""
    role = check_role(role)
    if role != "coordinator":
        raise AccessDenied(
            f"the {role} role sees whole weeks and months, not single nights: the snapshot"
            " night is prepared by a coordinator, who submits it"
        )
    areas = stored_layer(store, layer)
    placed = layer == "ward"
    columns = [*SNAPSHOT_READS, *(["area_code"] if placed else ["lon", "lat"])]
    records = store.records(role=role, columns=columns)
    if night is None:
        night = latest_night(records)
        if night is None:
            raise AnalysisError("the store has no records yet: import some, then ask again")
    return snapshot(
        records,
        areas,
        night=night,
        recent_nights=recent_nights,
        placed=placed,
        unlinked=store.unlinked_pairs(),  # links a coordinator marked wrong: every figure follows
    )
