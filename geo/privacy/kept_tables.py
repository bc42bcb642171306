"""Suppressed tables kept by what they hold, so that a table met again is not attacked again.

:func:`geo.privacy.suppression.suppress` is a pure function of its table (the cells' values,
which may be hidden, and the relations between them) and the threshold. The pages suppress
figures one period at a time, and moving a page's period by a week shows seven of its eight
periods again, each the same table as before: :func:`suppress_kept` gives the statuses worked
out for an identical table instead of attacking it again. The key is the whole table, so a
table that differs in any value or relation is worked out afresh; nothing is keyed on a store
or a time, and nothing can be stale.

The tables hold counts, not records. Still, after a purge or an erasure the process keeps
nothing worked out from deleted records: :func:`forget` drops every table (the question memo
calls it whenever a store is forgotten, see :func:`geo.store.memo.forget`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Final

import numpy as np

from geo.privacy import suppression

#: Tables kept at once (a page's periods take a few dozen; each key is a few kilobytes).
KEPT_TABLES: Final = 512

_lock = threading.Lock()
_kept: OrderedDict[Hashable, np.ndarray] = OrderedDict()


def suppress_kept(table: suppression.Table, *, threshold: int) -> np.ndarray:
    """:func:`~geo.privacy.suppression.suppress` of ``table`` (a new array), worked out once
    for every table identical to it, cell for cell and relation for relation."""
    key = _key(table, threshold=threshold)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
    if found is None:
        found = suppression.suppress(table, threshold=threshold)
        with _lock:
            _kept[key] = found
            while len(_kept) > KEPT_TABLES:
                _kept.popitem(last=False)
    return found.copy()


def forget() -> None:
    """Drop every kept table."""
    with _lock:
        _kept.clear()


def _key(table: suppression.Table, *, threshold: int) -> Hashable:
    """Everything :func:`~geo.privacy.suppression.suppress` reads of ``table``."""
    return (
        int(threshold),
        tuple(table.values),
        tuple(table.hideable),
        tuple((tuple(parts), total) for parts, total in table.constraints),
        tuple(table.limits),
        tuple(table.unpublished),
    )
