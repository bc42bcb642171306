"""Links, reviewed, for coordinators: the records counted as one person, and unlinking them.

The list is record-level (agencies, times, exact distances between sightings), so only
coordinators get it or change it; police and councillors are refused. A decision is kept in
the store with who made it and when, and every figure follows it: the ward figures, the
overview and the brief all count through :func:`geo.questions.area_summary`, which reads the
store's unlinked pairs (see :mod:`geo.analysis.links` for what an unlink does to a group).

Who decided: there is no sign-in yet, so the caller says (the command line's ``--by``, by
default the operating-system user); once sign-in comes, the signed-in user is given here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo.analysis.links import LINK_READS, linked_groups
from geo.analysis.street_count import MERGE_M, counted_people, link_pairs
from geo.errors import AccessDenied, AnalysisError
from geo.nights import day_date, night_numbers
from geo.privacy.roles import Role, check_role
from geo.schema import LinkAction, is_demand
from geo.store import LinkDecision, Store


@dataclass(frozen=True)
class LinkChange:
    """A decision kept, and the people counted on its night before and after it (every
    record of the night, all wards and outside them)."""

    decision: LinkDecision
    night: date
    people_before: int
    people_after: int


def links(
    store: Store,
    *,
    role: Role,
    start: date | None = None,
    end: date | None = None,
    merge_m: float = MERGE_M,
) -> pd.DataFrame:
    """Every pair of records the street-count rule links, from ``start`` to ``end`` (nights),
    as :func:`geo.analysis.links.linked_groups` gives them, with ``ward_name``; coordinators
    only. Unlinked pairs stay listed (``unlinked`` True) so that they can be relinked."""
    _check_coordinator(role, "see")
    records = store.records(role="coordinator", columns=list(LINK_READS))
    found = linked_groups(
        records, merge_m=merge_m, unlinked=store.unlinked_pairs(), start=start, end=end
    )
    wards = store.areas(layer="ward")
    names = dict(zip(wards["area_code"], wards["area_name"], strict=True))
    found.insert(found.columns.get_loc("area_code") + 1, "ward_name", found["area_code"].map(names))
    return found


def unlink(
    store: Store, a: str, b: str, *, role: Role, by: str, reason: str | None = None
) -> LinkChange:
    """Mark the link between records ``a`` and ``b`` wrong: from now on they are always counted
    as two people (if still joined through other records, ``b`` is counted on its own).

    The two must be linked today (one group of the street-count rule, directly or through
    others) and not unlinked already; otherwise an ``AnalysisError`` says so.
    """
    return _decide(store, a, b, action="unlink", role=role, by=by, reason=reason)


def relink(
    store: Store, a: str, b: str, *, role: Role, by: str, reason: str | None = None
) -> LinkChange:
    """Undo an unlink of ``a`` and ``b`` (in either order): the rule links them again."""
    return _decide(store, a, b, action="relink", role=role, by=by, reason=reason)


# -- helpers ---------------------------------------------------------------------------------


def _check_coordinator(role: Role, verb: str) -> None:
    role = check_role(role)
    if role != "coordinator":
        raise AccessDenied(
            f"the {role} role cannot {verb} links between records: they are record-level"
            " (agencies, times, places); a coordinator can"
        )


def _decide(
    store: Store,
    a: str,
    b: str,
    *,
    action: LinkAction,
    role: Role,
    by: str,
    reason: str | None,
) -> LinkChange:
    _check_coordinator(role, "change")
    a, b = str(a), str(b)
    if a == b:
        raise AnalysisError(f"record {a!r} was given twice; give two different records")
    records = store.records(role="coordinator", columns=list(LINK_READS))
    ids = records["record_id"].astype(str)
    for record in (a, b):
        if not ids.eq(record).any():
            raise AnalysisError(
                f"no record {record!r} in the store; record ids are listed by 'python -m geo links'"
            )
    before = store.unlinked_pairs()
    pair = {a, b}
    is_unlinked = any({x, y} == pair for x, y in before)
    nights = night_numbers(records)
    night_a, night_b = (int(nights[ids.eq(r).to_numpy()][0]) for r in (a, b))
    demand = is_demand(records["kind"]) & (nights == night_a)
    tonight = records.loc[demand].reset_index(drop=True)
    if action == "unlink":
        if is_unlinked:
            raise AnalysisError(f"records {a} and {b} are already unlinked; nothing to do")
        if not _in_one_group(tonight, a, b) or night_a != night_b:
            raise AnalysisError(
                f"records {a} and {b} are not linked today (the street-count rule does not"
                " count them as one person), so there is nothing to unlink"
            )
    elif not is_unlinked:
        raise AnalysisError(f"records {a} and {b} are not unlinked, so there is nothing to relink")
    people_before = int(counted_people(tonight, unlinked=before).sum())
    decision = store.add_link_decision(record_a=a, record_b=b, action=action, by=by, reason=reason)
    people_after = int(counted_people(tonight, unlinked=store.unlinked_pairs()).sum())
    return LinkChange(decision, day_date(night_a), people_before, people_after)


def _in_one_group(tonight: pd.DataFrame, a: str, b: str) -> bool:
    """Whether the rule puts records ``a`` and ``b`` (of one night) in one group."""
    pairs = link_pairs(tonight)
    ids = tonight["record_id"].astype(str).to_numpy()
    where = {ids[i]: g for i, g in zip(pairs["a"], pairs["group"], strict=True)}
    where.update({ids[i]: g for i, g in zip(pairs["b"], pairs["group"], strict=True)})
    return a in where and b in where and where[a] == where[b]
