"""The ward figures' counts kept a block of nights at a time.

Police and councillors see whole aligned periods (:func:`geo.questions.area_summary`): a
week is Monday to Sunday whichever night is chosen, and the figures count each shown week and
the weeks before them for change and trend. Moving to the week before asks for all of those
weeks but one again. :func:`kept_parts` therefore keeps the counts of each block of nights
(:class:`~geo.analysis.ward_counts.SummaryParts` of a one-block plan) per store version and
reading, and counts only the blocks never counted; the kept blocks are stacked back into the
parts :func:`~geo.analysis.ward_counts.summary_parts` would have counted (tested equal).

Coordinators' periods end on any night, so their blocks seldom meet again; they are counted
whole, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.analysis.street_count import Unlinked
from geo.analysis.ward_counts import (
    SummaryParts,
    SummaryPlan,
    block_plan,
    split_blocks,
    stack_blocks,
    summary_parts,
)
from geo.questions.kept import on_question
from geo.store import Store
from geo.store.audit import current_actor
from geo.store.memo import on_forget

#: Readings (store, version, council, role, layer, block length, merge distance) kept at once.
KEPT_READINGS: Final = 8
#: Blocks kept for each reading (a year of weeks).
KEPT_BLOCKS: Final = 53

_lock = threading.Lock()
_kept: OrderedDict[tuple[Hashable, ...], OrderedDict[int, SummaryParts]] = OrderedDict()


def _forget(location: str, version: str | None = None) -> None:
    """Drop the blocks kept about the store at ``location``: all of them (after a purge or
    erasure here), or those of any version but ``version`` (a question asked of the store:
    :func:`geo.questions.kept.on_question`, which another process's purge reaches too)."""
    with _lock:
        for key in [k for k in _kept if k[0] == location and k[1] != version]:
            del _kept[key]


on_forget(_forget)
on_question(_forget)


def kept_parts(
    store: Store,
    reading: tuple[Hashable, ...],
    records: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    plan: SummaryPlan,
    *,
    version: str,
    placed: bool,
    merge_m: float,
    unlinked: Unlinked | None = None,
    counted: np.ndarray | None = None,
    nights: np.ndarray | None = None,
) -> SummaryParts:
    """``summary_parts(records, areas, plan, ...)``, with the blocks of nights counted before
    (at ``version``, for ``reading``: everything besides the store that the records and areas
    read depend on, such as the role and the layer) taken as they were kept.

    ``version`` is the store's cache key read before the records were; blocks counted from
    records of another version are never kept. A plan whose first shown block is cut short
    (a chosen first night) is counted whole.
    """
    options = {"placed": placed, "merge_m": merge_m, "unlinked": unlinked, "counted": counted}
    if plan.first != plan.last - plan.n_periods * plan.length + 1 or counted is None:
        return summary_parts(records, areas, plan, **options, nights=nights)
    key = (store.location, version, current_actor().council, *reading, plan.length, merge_m)
    _forget(store.location, version)  # blocks of a version no one will ask for again
    with _lock:
        found = dict(_kept.get(key, {}))
    lasts = [plan.last - b * plan.length for b in range(plan.n_blocks)]
    missing = [b for b, last in enumerate(lasts) if last not in found]
    if missing:
        first, blocks = min(missing), max(missing) - min(missing) + 1  # one count for them all
        counted_now = summary_parts(
            records, areas, block_plan(plan, first, blocks), **options, nights=nights
        )
        fresh = split_blocks(counted_now, n_areas=len(areas))
        found.update({lasts[first + b]: part for b, part in enumerate(fresh)})
        with _lock:  # checked under the lock a purge's forgetting takes: none in between
            if store.cache_key() == version:  # nothing written since the records were read
                kept = _kept.setdefault(key, OrderedDict())
                for b, part in enumerate(fresh):
                    kept[lasts[first + b]] = part
                while len(kept) > KEPT_BLOCKS:
                    kept.popitem(last=False)
                _kept.move_to_end(key)
                while len(_kept) > KEPT_READINGS:
                    _kept.popitem(last=False)
    return stack_blocks([found[last] for last in lasts], n_periods=plan.n_periods)
