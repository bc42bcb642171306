"""The safeguarding queue: people seen flagged under 18 or with a trafficking concern who have
not been referred on.

A flagged sighting (a demand record with ``under_18`` or ``trafficking_concern`` set) waits
until a referral outcome is recorded for it: on the sighting itself, or on any record of the
same person (``person_ref``) at or after it, from any agency. An outcome is a referral when it
matches one of :data:`REFERRAL_OUTCOMES` (case-insensitive, from the start of a word: "Referred
to children's services", "NRM referral", "Police informed").

Items of the queue:

- a person with a reference is one item, ``"person-<ref>"``, holding all their waiting
  sightings;
- sightings with no reference are grouped by place, as persistent sites are
  (:func:`geo.analysis.sites.peel`: groups at most 50 m across), each group an item named by
  its centre (``"site-E519950N105430"``); a sighting without coordinates is an item of its
  own, ``"record-<record_id>"``. A site's name follows its sightings: a new sighting nearby
  can move its centre and so rename it.

A coordinator may close an item with a reason (:meth:`geo.store.Store.add_closure`); the
closure covers the item's sightings seen up to the moment it was closed, so a later flagged
sighting of the same person (or at the same site) opens it again.

Days waiting are counted from the evening of the night of the oldest waiting sighting
(:mod:`geo.nights`) to ``today``. Where and by whom last seen: for a person, their latest
record of any kind; for a site, its latest waiting sighting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.analysis.sites import peel, site_ids
from geo.analysis.ward_figures import PERIODS, Period, period_blocks, period_labels
from geo.errors import AnalysisError
from geo.nights import NO_NIGHT, block_of, night_numbers
from geo.schema import is_demand

if TYPE_CHECKING:
    from geo.privacy.roles import Role

#: Outcomes that count as a referral, matched case-insensitively from the start of a word.
REFERRAL_OUTCOMES: Final[tuple[str, ...]] = (
    "referral",
    "referred",
    "safeguarding",
    "children's services",
    "childrens services",
    "children\u2019s services",
    "NRM",
    "national referral mechanism",
    "modern slavery helpline",
    "police",
)
#: Sightings without a reference within this of a site's centre are one item (metres).
SITE_RADIUS_M: Final = 25.0
#: What :func:`safeguarding_queue` reads of each record.
SAFEGUARDING_READS: Final[tuple[str, ...]] = (
    "record_id",
    "kind",
    "agency",
    "observed_at",
    "night",
    "easting",
    "northing",
    "location_text",
    "area_code",
    "person_ref",
    "under_18",
    "trafficking_concern",
    "outcome",
)
#: The queue's columns.
QUEUE_COLUMNS: Final[tuple[str, ...]] = (
    "key",
    "person_ref",
    "under_18",
    "trafficking_concern",
    "sightings",
    "first_night",
    "first_area_code",
    "days_waiting",
    "last_seen_night",
    "last_seen_place",
    "last_seen_area_code",
    "last_seen_agency",
)
#: The count column of :class:`QueueFigures`.
WAITING: Final = "waiting"
_PERIOD_COLUMNS: Final = ("period", "period_start", "period_end", "nights")


@dataclass(frozen=True)
class QueueFigures:
    """Items waiting, per ward and period of their oldest waiting sighting (``areas``) and for
    all wards (``totals``); ``role`` and ``threshold`` once a role's view is applied."""

    areas: pd.DataFrame
    totals: pd.DataFrame
    period: str
    role: Role | None = None
    threshold: int | None = None


def safeguarding_queue(
    records: pd.DataFrame,
    *,
    today: date,
    outcomes: Sequence[str] = REFERRAL_OUTCOMES,
    closures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The waiting items, oldest first (:data:`QUEUE_COLUMNS`).

    Parameters
    ----------
    records
        Records with :data:`SAFEGUARDING_READS`, exact (a coordinator's).
    today
        The day days waiting are counted to.
    outcomes
        Words that make an outcome a referral (default :data:`REFERRAL_OUTCOMES`).
    closures
        Closed items (``key``, ``closed_at`` in UTC ISO 8601), from
        :meth:`geo.store.Store.closures`; None: none closed.

    Examples
    --------
    A girl seen under 18 on the night of 3 November and never referred:

    >>> seen = pd.DataFrame({"record_id": ["a"], "kind": "outreach_contact",
    ...     "agency": "Outreach", "night": pd.to_datetime(["2026-11-03"]),
    ...     "observed_at": pd.to_datetime(["2026-11-03 23:00"]).tz_localize("Europe/London"),
    ...     "easting": 0.0, "northing": 0.0, "location_text": "Bus station",
    ...     "area_code": "W1", "person_ref": "p1", "under_18": 1, "trafficking_concern": 0,
    ...     "outcome": "advice given"})
    >>> waiting = safeguarding_queue(seen, today=date(2026, 11, 10))
    >>> waiting[["key", "days_waiting"]].to_dict("records")
    [{'key': 'person-p1', 'days_waiting': 7}]
    """
    missing = [c for c in SAFEGUARDING_READS if c not in records.columns]
    if missing:
        raise AnalysisError(f"records has no column {', '.join(missing)}; the queue needs it")
    if isinstance(today, pd.Timestamp) or not isinstance(today, date):
        raise AnalysisError(f"today must be a date; got {today!r}")
    words = [str(w).strip() for w in outcomes if str(w).strip()]
    if not words:
        raise AnalysisError("give at least one outcome word that counts as a referral")
    if closures is not None and not {"key", "closed_at"} <= set(closures.columns):
        raise AnalysisError("closures need the columns key and closed_at")
    return _queue(records, today=today, words=words, closures=closures)


def referral_mask(outcome: pd.Series, words: Sequence[str] = REFERRAL_OUTCOMES) -> np.ndarray:
    """True where an outcome matches one of ``words`` (case-insensitive, from a word's start).

    >>> referral_mask(pd.Series(["Referred to NRM", "advice", None, "police informed"])).tolist()
    [True, False, False, True]
    """
    pattern = r"\b(?:" + "|".join(re.escape(w) for w in words) + ")"
    codes, texts = pd.factorize(outcome.astype(object))  # few outcomes, many records
    matched = pd.Series(texts.astype(str)).str.contains(pattern, case=False, regex=True)
    return np.append(matched.to_numpy(bool), False)[codes]  # code -1 (missing) reads False


# -- helpers ---------------------------------------------------------------------------------


def _flag(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").fillna(0).to_numpy() == 1


def _times(records: pd.DataFrame) -> np.ndarray:
    """Each record's moment in ns since the epoch (UTC); its night's evening if none."""
    at = pd.to_datetime(records["observed_at"], utc=True)
    night = pd.to_datetime(records["night"])
    if isinstance(night.dtype, pd.DatetimeTZDtype):
        night = night.dt.tz_localize(None)
    evening = night.dt.tz_localize("UTC")
    return at.fillna(evening).to_numpy("datetime64[ns]").astype(np.int64)


def _keys(records: pd.DataFrame, *, refs: pd.Series, waiting: np.ndarray) -> np.ndarray:
    """The item each waiting sighting belongs to (None elsewhere)."""
    keys = np.full(len(records), None, dtype=object)
    has_ref = refs.notna().to_numpy()
    keys[waiting & has_ref] = ("person-" + refs[waiting & has_ref].astype(str)).to_numpy(object)
    loose = waiting & ~has_ref
    xy = records.loc[loose, ["easting", "northing"]].apply(pd.to_numeric, errors="coerce")
    placed = xy.notna().all(axis=1).to_numpy()
    ids = records.loc[loose, "record_id"].astype(str)
    keys[np.flatnonzero(loose)[~placed]] = ("record-" + ids[~placed]).to_numpy(object)
    if placed.any():
        points = xy[placed].to_numpy(float)
        group = peel(points, radius=SITE_RADIUS_M)
        centre = pd.DataFrame(points).groupby(group).mean()
        names = pd.Series(site_ids(centre[0].to_numpy(), centre[1].to_numpy()), centre.index)
        keys[np.flatnonzero(loose)[placed]] = names.reindex(group).to_numpy(object)
    return keys


def _queue(
    records: pd.DataFrame, *, today: date, words: Sequence[str], closures: pd.DataFrame | None
) -> pd.DataFrame:
    at = _times(records)
    text = records["person_ref"].astype(object).reset_index(drop=True)
    refs = text.where(text.notna() & text.astype(str).str.strip().ne(""), None)
    has_ref = refs.notna().to_numpy()
    night = pd.to_datetime(records["night"]).reset_index(drop=True)
    flagged = (
        np.asarray(is_demand(records["kind"]), dtype=bool)
        & (_flag(records["under_18"]) | _flag(records["trafficking_concern"]))
        & night.notna().to_numpy()
    )
    referred = referral_mask(records["outcome"], words)
    # the latest referral of each person, from any agency
    last_referral = (
        pd.Series(at[referred & has_ref]).groupby(refs[referred & has_ref].to_numpy()).max()
    )
    later = refs.map(last_referral).to_numpy(float)
    waiting = flagged & ~referred & ~(has_ref & (later >= at))
    keys = _keys(records, refs=refs, waiting=waiting)
    if closures is not None and len(closures):
        closed_at = pd.Series(
            pd.to_datetime(closures["closed_at"], utc=True)
            .to_numpy("datetime64[ns]")
            .astype(np.int64)
        )
        closed = closed_at.groupby(closures["key"].astype(str).to_numpy()).max()
        waiting &= ~(pd.Series(keys).map(closed).to_numpy(float) >= at)
        keys[~waiting] = None
    if not waiting.any():
        return pd.DataFrame({c: [] for c in QUEUE_COLUMNS})

    rows = pd.DataFrame(
        {
            "key": keys[waiting],
            "person_ref": refs[waiting].to_numpy(object),
            "under_18": _flag(records["under_18"])[waiting],
            "trafficking_concern": _flag(records["trafficking_concern"])[waiting],
            "at": at[waiting],
            "night": night[waiting].to_numpy(),
            "area_code": records["area_code"].to_numpy(object)[waiting],
        }
    )
    rows = rows.sort_values(["at", "key"], kind="stable")
    items = rows.groupby("key", sort=False).agg(
        person_ref=("person_ref", "first"),
        under_18=("under_18", "any"),
        trafficking_concern=("trafficking_concern", "any"),
        sightings=("at", "size"),
        first_night=("night", "first"),
        first_area_code=("area_code", "first"),
    )
    last = _last_seen(records, at=at, refs=refs, keys=keys, waiting=waiting, items=items)
    items = items.join(last)
    first = pd.to_datetime(items["first_night"])
    items["days_waiting"] = (pd.Timestamp(today) - first).dt.days.astype(np.int64)
    items["first_night"] = first.dt.date
    items = items.reset_index().sort_values(["first_night", "key"], kind="stable")
    return items.loc[:, list(QUEUE_COLUMNS)].reset_index(drop=True)


def _last_seen(
    records: pd.DataFrame,
    *,
    at: np.ndarray,
    refs: pd.Series,
    keys: np.ndarray,
    waiting: np.ndarray,
    items: pd.DataFrame,
) -> pd.DataFrame:
    """Night, place, ward and agency of each item's last sighting: a person's latest record of
    any kind, a site's latest waiting sighting."""
    people = set(items["person_ref"].dropna())
    of_person = refs.isin(people).to_numpy()
    owner = keys.copy()
    owner[of_person] = ("person-" + refs[of_person].astype(str)).to_numpy(object)
    seen = of_person | (waiting & refs.isna().to_numpy())
    frame = pd.DataFrame(
        {
            "key": owner[seen],
            "at": at[seen],
            "last_seen_night": pd.to_datetime(records["night"]).dt.date.to_numpy(object)[seen],
            "last_seen_place": records["location_text"].to_numpy(object)[seen],
            "last_seen_area_code": records["area_code"].to_numpy(object)[seen],
            "last_seen_agency": records["agency"].to_numpy(object)[seen],
        }
    )
    latest = frame.sort_values("at", kind="stable").groupby("key").tail(1)
    return latest.set_index("key").drop(columns="at")


def queue_figures(
    records: pd.DataFrame,
    queue: pd.DataFrame,
    *,
    areas: pd.DataFrame,
    period: Period = "month",
    start: date | None = None,
    end: date | None = None,
    periods: int = 6,
    aligned: bool = False,
) -> QueueFigures:
    """How many items of ``queue`` wait, per ward (``areas``: ``area_code``, ``area_name``)
    and period, by the ward and night of each item's oldest waiting sighting. Periods are the
    ward figures' (:func:`geo.analysis.ward_figures.period_blocks`) over all ``records``; an
    item outside every ward or period is not counted."""
    if period not in PERIODS:
        raise AnalysisError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    if period == "range" and (start is None or end is None):
        raise AnalysisError("a 'range' period needs both a first and a last night (--from, --to)")
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise AnalysisError(f"periods must be a whole number, at least 1; got {periods!r}")
    first, last, length, n_periods = period_blocks(
        night_numbers(records), period=period, start=start, end=end, periods=periods,
        aligned=aligned,
    )  # fmt: skip
    nights = night_numbers(pd.DataFrame({"night": pd.to_datetime(queue["first_night"])}))
    codes = pd.Index(areas["area_code"].astype(str))
    area = codes.get_indexer(queue["first_area_code"].astype(str))
    shown = (nights != NO_NIGHT) & (nights >= first) & (nights <= last) & (area >= 0)
    block = block_of(nights[shown], end=last, length=length)
    counts = np.bincount(area[shown] * n_periods + block, minlength=len(codes) * n_periods)
    labels = period_labels(last=last, length=length, first=first, n_blocks=n_periods)
    grid = pd.DataFrame(
        {
            "area_code": np.repeat(codes.to_numpy(object), n_periods),
            "area_name": np.repeat(areas["area_name"].astype(str).to_numpy(object), n_periods),
            "_block": np.tile(np.arange(n_periods), len(codes)),
            WAITING: counts.astype(np.int64),
        }
    )
    by_area = grid.merge(labels, on="_block").sort_values(["period_start", "area_code"])
    totals = labels.assign(**{WAITING: counts.reshape(len(codes), n_periods).sum(axis=0)})
    return QueueFigures(
        areas=by_area.loc[:, ["area_code", "area_name", *_PERIOD_COLUMNS, WAITING]].reset_index(
            drop=True
        ),
        totals=totals.sort_values("period_start")
        .loc[:, [*_PERIOD_COLUMNS, WAITING]]
        .reset_index(drop=True),
        period=period,
    )


def queue_table(queue: pd.DataFrame) -> pd.DataFrame:
    """The queue as a page shows it, oldest first: why, since when, how long, where and by
    whom last seen; no references or keys."""
    why = np.where(
        queue["under_18"].astype(bool) & queue["trafficking_concern"].astype(bool),
        "under 18, trafficking concern",
        np.where(queue["under_18"].astype(bool), "under 18", "trafficking concern"),
    )
    place = queue["last_seen_place"].astype(object)
    ward = queue.get("last_seen_ward", pd.Series("", index=queue.index)).fillna("").astype(str)
    where = [
        p if isinstance(p, str) and p.strip() else f"a place in {w} ward" if w else "not known"
        for p, w in zip(place, ward, strict=True)
    ]
    return pd.DataFrame(
        {
            "Why": why,
            "First seen, night of": [
                pd.Timestamp(n).strftime("%d %b %Y") for n in queue["first_night"]
            ],
            "Waiting": [f"{d} day{'' if d == 1 else 's'}" for d in queue["days_waiting"]],
            "Last seen": [_day(n) for n in queue["last_seen_night"]],
            "Where": where,
            "By": queue["last_seen_agency"].astype(str).to_numpy(object),
        }
    )


def _day(value: object) -> str:
    return pd.Timestamp(value).strftime("%d %b %Y")  # type: ignore[arg-type]
