"""Partnership signals as the Overview shows them, in plain words: who is waiting for a
safeguarding referral, and which agencies could share an interpreter.

Works on the figures as :mod:`geo.questions.safeguarding` and
:mod:`geo.questions.interpreters` return them for a role, so hidden figures stay hidden: a
count shown as ``"<5"`` reads "fewer than 5", one shown as ``"*"`` reads "hidden", and
neither is ever said or summed as 0. Wards by name; periods as dates.

Examples
--------
>>> contacts_words(1), contacts_words(3), contacts_words("<5"), contacts_words("*")
('1 contact', '3 contacts', 'fewer than 5 contacts', 'contacts hidden')
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from geo.analysis.flow_view import period_words
from geo.analysis.interpreters import SharedInterpreters
from geo.analysis.safeguarding import WAITING, QueueFigures
from geo.analysis.ward_view import numeric, shown
from geo.errors import AnalysisError

#: Where a coordinator refers or closes a waiting item.
ACT_WHERE: Final = "the Hotspots page, Safeguarding tab"
#: The total row of :func:`waiting_table`.
ALL_WARDS: Final = "All wards"


# -- waiting for a safeguarding referral ------------------------------------------------------


def waiting_caption(figures: QueueFigures) -> str:
    """What :func:`waiting_table` counts, and over which nights, in one caption."""
    when = _queue_period(figures)
    caption = (
        "Sightings of under-18s or of a trafficking concern with no referral recorded yet by"
        f" any agency, first seen from {when}; each person counted once, in the ward where"
        " first seen."
        if when
        else "No period to count in yet."
    )
    if figures.threshold is not None:
        caption += (
            f" Counts from 1 to {figures.threshold} are shown as 'fewer than"
            f" {figures.threshold + 1}'."
        )
    return caption


def waiting_table(figures: QueueFigures) -> pd.DataFrame:
    """The last period's wards with anyone waiting, most first (hidden counts last), and the
    total for all wards: ``Ward`` and ``Waiting`` in words. Empty when nobody waits."""
    areas, totals = _last(figures.areas), _last(figures.totals)
    areas = areas.loc[areas[WAITING].astype(str) != "0"]
    if areas.empty and (totals.empty or str(totals[WAITING].iloc[-1]) == "0"):
        return pd.DataFrame(columns=["Ward", "Waiting"])
    order = numeric(areas[WAITING]).fillna(-1).sort_values(ascending=False, kind="stable").index
    areas = areas.loc[order]
    return pd.DataFrame(
        {
            "Ward": [*areas["area_name"].astype(str), ALL_WARDS],
            "Waiting": [*areas[WAITING].map(shown), *totals[WAITING].map(shown).iloc[-1:]],
        }
    )


def waiting_sentence(figures: QueueFigures) -> str | None:
    """The one sentence to show in place of :func:`waiting_table` when the table would say
    nothing (nobody waiting) or no ward's count can be given (every one hidden or fewer than
    the threshold); None when the table is worth showing."""
    table = waiting_table(figures)
    when = _queue_period(figures)
    if table.empty:
        since = f" first seen from {when}" if when else ""
        return f"Nobody{since} is waiting for a safeguarding referral."
    wards = table.iloc[:-1]
    if wards["Waiting"].str.replace(",", "").str.isdigit().any():
        return None
    total = table["Waiting"].iloc[-1]
    pairs = zip(wards["Ward"], wards["Waiting"], strict=True)
    listed = _and_list([f"{_waiting_words(n)} in {ward}" for ward, n in pairs])
    across = "" if total == "hidden" else f" ({total} across all wards)"
    return (
        f"{listed[:1].upper()}{listed[1:]}{across}: numbers this small are not given exactly,"
        " so that no one can be picked out."
    )


def queue_sentence(queue: pd.DataFrame) -> str:
    """A coordinator's one sentence: how many wait in the safeguarding queue (a queue of
    :func:`geo.questions.safeguarding.queue`), the longest wait, and where to act."""
    if "days_waiting" not in queue.columns:
        raise AnalysisError("queue has no column days_waiting; pass the safeguarding queue")
    if queue.empty:
        return (
            "Nobody is waiting for a safeguarding referral; anyone who is will be listed on"
            f" {ACT_WHERE}."
        )
    n = len(queue)
    longest = int(queue["days_waiting"].max())
    who = "1 person or place is" if n == 1 else f"{n:,} people or places are"
    return (
        f"{who} waiting for a safeguarding referral (seen under 18 or with a trafficking"
        f" concern, no referral recorded since), the longest for {longest} day"
        f"{'' if longest == 1 else 's'}: refer them, or close them with a reason, on {ACT_WHERE}."
    )


# -- who could share an interpreter ---------------------------------------------------------


def sharing_period(found: SharedInterpreters) -> str:
    """The nights of the latest period with a shared language (the one the page's table
    shows), in words; "" when no language was shared."""
    rows = _latest(found.shared)
    if rows.empty:
        return ""
    return period_words(rows["period_start"].iloc[0], rows["period_end"].iloc[0])


def shared_languages(found: SharedInterpreters) -> list[str]:
    """The languages of the latest period that two or more agencies needed in one ward,
    alphabetical."""
    rows = _latest(found.shared)
    return sorted(set(rows["language"].astype(str)), key=str.casefold)


def shared_wards(found: SharedInterpreters, *, language: str) -> list[str]:
    """The wards where two or more agencies needed ``language`` in the latest period."""
    rows = _latest(found.shared)
    if rows.empty:
        return []
    spoken = _key(rows["language"]) == _key(pd.Series([language])).iloc[0]
    return sorted(set(rows.loc[spoken, "area_name"].astype(str)), key=str.casefold)


def sharing_answer(found: SharedInterpreters, *, language: str, ward: str) -> str:
    """Which agencies could share an interpreter for ``language`` in ``ward`` (a ward name) in
    the latest period, with each one's contacts as the role may see them, in one sentence.

    Matched as :func:`geo.analysis.interpreters.who_could_share` matches (ignoring case and
    surrounding spaces; "Central" also matches "Central ward"); the agencies are read whole
    from the contacts, so a name with a comma in it stays one agency.
    """
    if not isinstance(language, str) or not language.strip():
        raise AnalysisError("say which language, e.g. language='Polish'")
    if not isinstance(ward, str) or not ward.strip():
        raise AnalysisError("say which ward, e.g. ward='Central'")
    language, ward = language.strip(), ward.strip()
    rows = _latest(found.shared)
    place = ward if ward.casefold().endswith(" ward") else f"{ward} ward"
    if rows.empty:
        return "No language was needed by two agencies in one ward in the latest period."
    when = sharing_period(found)
    contacts = found.contacts
    label = rows["period"].iloc[0]
    match = (
        contacts["period"].astype(str).eq(str(label))
        & (_key(contacts["language"]) == _key(pd.Series([language])).iloc[0])
        & (_ward_key(contacts["area_name"]) == _ward_key(pd.Series([ward])).iloc[0])
    )
    agencies = contacts.loc[match].sort_values("agency", key=lambda a: a.str.casefold())
    if agencies.empty:
        elsewhere = shared_wards(found, language=language)
        return f"No two agencies needed an interpreter for {language} in {place} from {when}" + (
            f"; two or more did in {_and_list(elsewhere)}." if elsewhere else "."
        )
    named = [
        f"{agency} ({contacts_words(n)})"
        for agency, n in zip(agencies["agency"], agencies["contacts"], strict=True)
    ]
    # the ward and the language as the stored names and the records spell them
    ward, language = str(agencies["area_name"].iloc[0]), str(agencies["language"].iloc[0])
    place = ward if ward.casefold().endswith(" ward") else f"{ward} ward"
    return (
        f"{_and_list(named)} needed an interpreter for {language} in {place} from {when}:"
        " they could share one."
    )


def contacts_words(value: object) -> str:
    """An agency's contacts as the role may see them, in words."""
    said = shown(value)
    if said == "hidden":
        return "contacts hidden"
    return f"{said} contact{'' if said == '1' else 's'}"


# -- helpers ---------------------------------------------------------------------------------


def _last(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame.loc[frame["period_start"] == frame["period_start"].max()]


def _latest(shared: pd.DataFrame) -> pd.DataFrame:
    """The latest period's rows, as :func:`geo.analysis.interpreters.interpreters_table`."""
    return _last(shared)


def _queue_period(figures: QueueFigures) -> str:
    totals = _last(figures.totals)
    if totals.empty:
        return ""
    return period_words(totals["period_start"].iloc[0], totals["period_end"].iloc[0])


def _key(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.casefold()


def _ward_key(values: pd.Series) -> pd.Series:
    return _key(values).str.removesuffix(" ward")


def _waiting_words(value: str) -> str:
    return "some (the number hidden)" if value == "hidden" else value


def _and_list(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
