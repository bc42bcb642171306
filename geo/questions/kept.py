"""Answers kept for the store version they were worked out at.

Some questions a page asks do not move with the period it shows: the safeguarding queue is
every item waiting today, whatever period its counts are cut to, and the tension watch is
worked out by calendar month, so every night of a month asks for the same watch. The tasking
brief, the Overview and the command line each ask them again; :func:`per_version` works each
out once per store version (its :meth:`~geo.store.Store.cache_key`, which changes with every
write and never repeats) and hands back a copy, so no caller can change what the next one
gets. The street-count rule is kept the same way (:func:`kept_street_count`): it joins one
night's records only, so the ward figures of any period and the tension watch of any month cut
the same answer. Answers of one version per store are kept, a few dozen at most, the least recently
asked dropped first.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Final, TypeVar

import numpy as np

from geo.analysis.street_count import STREET_COUNT_READS, Unlinked, street_counts
from geo.privacy import kept_tables
from geo.privacy.roles import Role
from geo.store import Store
from geo.store.audit import current_actor
from geo.store.memo import on_forget

T = TypeVar("T")

#: Answers kept at once, across every store and question.
KEPT: Final = 32

_lock = threading.Lock()
_kept: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
#: Other keepers of answers, told the store and version of every question asked here
#: (:func:`on_question`), so that they drop other versions' answers when these are dropped.
_others: list[Callable[[str, str], None]] = []


def on_question(drop_others: Callable[[str, str], None]) -> None:
    """Have ``drop_others(location, version)`` called whenever a question is asked of a store:
    anything kept of that store at another version is to go (another process's purge
    leaves this one's :func:`geo.store.memo.forget` uncalled)."""
    _others.append(drop_others)


def _forget(location: str) -> None:
    """Drop every answer kept about the store at ``location`` (after a purge or erasure),
    and every suppressed table kept (they are kept by content, not by store)."""
    with _lock:
        for key in [k for k in _kept if k[0] == location]:
            del _kept[key]
    kept_tables.forget()


on_forget(_forget)


def per_version(
    store: Store,
    question: str,
    args: tuple[Hashable, ...],
    work: Callable[[], T],
    *,
    version: str | None = None,
) -> T:
    """``work()``, worked out once per version of ``store`` for ``question`` asked with
    ``args`` (everything the answer depends on besides the store), and copied for each caller.

    ``version`` is the store's cache key read before the data ``work`` uses was read (when
    that was read before this call); by default the key is read now, before ``work`` runs.
    An answer is kept only if the store did not change while it was worked out, so it is
    never kept under a version its data is not from. The acting user's council is part of
    the key: a user bound to one reads only its records, so the answers differ.
    """
    council = current_actor().council
    key = (store.location, version or store.cache_key(), question, council, *args)
    for drop_others in _others:
        drop_others(key[0], key[1])
    with _lock:
        # answers of another version go at once, the store's own purge or erasure or not
        # (another process's leaves this one's :func:`_forget` uncalled)
        for older in [k for k in _kept if k[0] == key[0] and k[1] != key[1]]:
            del _kept[older]
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
    if found is None:
        found = work()
        with _lock:  # checked under the lock a purge's forgetting takes: none in between
            if store.cache_key() == key[1]:  # nothing written since the data was read
                for older in [k for k in _kept if k[0] == key[0] and k[1] != key[1]]:
                    del _kept[older]  # answers of a version no one will ask for again
                _kept[key] = found
                while len(_kept) > KEPT:
                    _kept.popitem(last=False)
    return copy.deepcopy(found)  # type: ignore[return-value]


def kept_street_count(
    store: Store, *, role: Role, rows: int, version: str, unlinked: Unlinked
) -> np.ndarray | None:
    """People each record contributes by the street-count rule, for the records a figure
    question read at ``version`` (``store.records_for_figures``: every record the reader may
    count, in the order stored, whatever columns were asked), worked out once per version.

    ``version`` is the store's cache key read before anything the caller read (the unlinked
    pairs, the records). If the store has moved on since, the kept answer may be for other
    rows or other pairs, and None says to work the rule out on the caller's own records;
    ``rows`` (how many the caller read) is checked too.
    """
    if store.cache_key() != version:
        return None

    def work() -> np.ndarray:
        reads = [*STREET_COUNT_READS, *(["record_id"] if unlinked else [])]
        return street_counts(store.records_for_figures(role=role, columns=reads), unlinked=unlinked)

    found = per_version(store, "street count", (), work, version=version)
    if len(found) != rows or store.cache_key() != version:
        return None
    return found
