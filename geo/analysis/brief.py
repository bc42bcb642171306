"""The tasking brief: what police and partners bring to a tasking meeting, as plain tables.

Built from what a role may see (see :func:`geo.questions.tasking_brief`): the period against
the last, the hot patches, new and repeat sites, who covers what, where agencies overlap or
leave gaps, anti-social behaviour reported to police.uk, and needs. Every table is in plain
words: place names and ward names, never ids or codes; whole numbers; dates as "22 Nov 2026".

The PDF also has a map of people counted by ward. It is drawn when the PDF is made (a
matplotlib figure takes longer than the rest of a page's rerun), from the ward figures the
brief keeps as the role sees them; on screen the Ward map page shows the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo.analysis.overview import Overview, plain_count, plain_date, what_changed
from geo.io.exports import Image, pdf_document, ward_map_png

if TYPE_CHECKING:
    import geopandas as gpd

#: How many rows each list of the brief keeps.
TOP: Final = 10
#: The police.uk crime type the brief counts.
ASB: Final = "Anti-social behaviour"
#: The marking on every page of the brief.
MARKING: Final = "OFFICIAL-SENSITIVE"
#: Said on the brief itself, so no one reads more into it than it holds.
#: The tension watch's heading says what it is not (issue 14: in the page and the brief).
TENSION_HEADING: Final = (
    "Tension watch, a prompt for a conversation between partners, not a prediction (the ethnic"
    " or national make-up of an area is never an input)"
)
CAVEAT: Final = (
    "A prompt for a conversation between partners, not a prediction. Figures come from the"
    " records agencies shared; places no one visited are not in them. Small numbers are hidden."
)


@dataclass(frozen=True)
class WardMap:
    """What the brief's map of people counted by ward is drawn from.

    ``figures`` are the last period's ward figures as the role sees them (small numbers
    hidden where the role's are); ``wards`` the outlines.
    """

    wards: gpd.GeoDataFrame
    figures: pd.DataFrame
    title: str

    def png(self) -> bytes:
        """The map as a PNG (see :func:`geo.io.exports.ward_map_png`)."""
        return ward_map_png(self.wards, self.figures, title=self.title)


@dataclass(frozen=True)
class Brief:
    """A tasking brief's content: a title, sentences and tables in plain words."""

    title: str
    period: str
    role: str
    made_at: datetime
    headlines: pd.DataFrame  # Figure, This period, Period before, Change
    what_changed: tuple[str, ...]
    hot_patches: pd.DataFrame
    new_sites: pd.DataFrame
    repeat_sites: pd.DataFrame
    coverage: pd.DataFrame
    gaps: pd.DataFrame
    overlaps: pd.DataFrame
    asb: pd.DataFrame
    needs: pd.DataFrame
    ward_map: WardMap | None = None  # people counted per ward, drawn for the PDF
    tension: pd.DataFrame = field(default_factory=pd.DataFrame)  # the tension watch
    safeguarding: pd.DataFrame = field(default_factory=pd.DataFrame)  # waiting, per ward
    caveat: str = CAVEAT
    marking: str = MARKING

    def sections(
        self, *, with_map: bool = False
    ) -> list[tuple[str, pd.DataFrame | tuple[str, ...] | Image]]:
        """The brief's sections in reading order: (heading, sentences or a table).

        ``with_map`` draws the map of people counted by ward (as the PDF does) and puts it
        after "What changed"; without, no section holds an image.
        """
        picture = (
            [
                (
                    "People counted by ward",
                    Image(self.ward_map.png(), alt=f"People counted, {self.period}"),
                )
            ]
            if with_map and self.ward_map is not None
            else []
        )
        return [
            ("This period against the last", self.headlines),
            ("What changed", self.what_changed),
            *picture,
            ("Hot patches", self.hot_patches),
            ("New places people sleep", self.new_sites),
            ("Repeat locations", self.repeat_sites),
            ("Who covered what", self.coverage),
            ("Gaps: places no agency has been near", self.gaps),
            ("Overlaps: places several agencies covered", self.overlaps),
            ("Anti-social behaviour reported to police.uk, by ward", self.asb),
            (TENSION_HEADING, self.tension),
            ("Waiting for a safeguarding referral (under 18, trafficking concern)",
             self.safeguarding),
            ("Needs", self.needs),
        ]  # fmt: skip


def build_brief(
    overview: Overview,
    *,
    needs: pd.DataFrame,
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    agencies: pd.DataFrame,
    gaps: pd.DataFrame,
    overlaps: pd.DataFrame,
    asb: pd.DataFrame,
    role: str,
    made_at: datetime,
    ward_map: WardMap | None = None,
    tension: pd.DataFrame | None = None,
    safeguarding: pd.DataFrame | None = None,
) -> Brief:
    """Assemble a brief from frames a role may see (the inputs are not changed).

    ``demand``, ``gaps``, ``overlaps`` and ``agencies`` are :class:`geo.questions.Coverage`'s;
    ``sites`` are :func:`geo.questions.sites`'; ``needs`` is a (need, shown) table;
    ``asb`` is :func:`asb_table`'s.
    """
    start, end = overview.period_start, overview.period_end
    return Brief(
        title=f"Tasking brief: {overview.label}",
        period=overview.label,
        role=role,
        made_at=made_at,
        headlines=_headlines(overview),
        what_changed=tuple(what_changed(overview)),
        hot_patches=_places(demand.loc[demand["demand"].eq("hotspot")], by="people"),
        new_sites=_sites(sites.loc[_between(sites["first_seen"], start, end)], by="first_seen"),
        repeat_sites=_sites(sites, by="nights_seen"),
        coverage=_coverage(agencies),
        gaps=_gaps(gaps),
        overlaps=_overlaps(overlaps),
        asb=asb,
        needs=needs.rename(columns={"need": "Need", "shown": "People"}).reset_index(drop=True),
        ward_map=ward_map,
        tension=pd.DataFrame() if tension is None else tension,
        safeguarding=pd.DataFrame() if safeguarding is None else safeguarding,
    )


def brief_pdf(brief: Brief, *, made_by: str, made_at: datetime | None = None) -> bytes:
    """The brief as a PDF: the marking on every page, who made it and when, the caveat first.

    ``made_at`` defaults to now: the moment the PDF is made, not when the figures were read.
    The map of people counted by ward is drawn now too.
    """
    return pdf_document(
        brief.title,
        [("About this brief", brief.caveat), *brief.sections(with_map=True)],
        made_by=made_by,
        made_at=made_at,
        marking=brief.marking,
    )


def asb_table(incidents: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame:
    """The brief's police.uk anti-social behaviour table: reports per ward in the latest month
    and the month before, most first, by ward name. ``incidents`` are police.uk incidents with
    ``month``, ``crime_type`` and ``area_code``; ``wards`` has ``area_code`` and ``area_name``.
    Whatever the brief's period: police.uk publishes by month."""
    columns = ["Ward", "Latest month", "Month before", "Change"]
    asb = incidents.loc[incidents["crime_type"].eq(ASB)] if len(incidents) else incidents
    if asb.empty:
        return pd.DataFrame(columns=columns)
    months = sorted(asb["month"].dropna().unique())
    latest, before = months[-1], (months[-2] if len(months) > 1 else None)
    counts = asb.groupby(["area_code", "month"]).size().unstack(fill_value=0)
    now = counts[latest]
    then = counts.get(before, pd.Series(0, index=counts.index))
    table = pd.DataFrame({"now": now, "then": then}).reset_index()
    names = dict(zip(wards["area_code"], wards["area_name"], strict=True))
    table["Ward"] = table["area_code"].map(names).fillna("outside every ward")
    table = table.sort_values(["now", "Ward"], ascending=[False, True]).head(TOP)
    return pd.DataFrame(
        {
            "Ward": table["Ward"].astype(str),
            f"Latest month ({latest})": table["now"].map(_whole),
            f"Month before ({before or 'none'})": table["then"].map(_whole),
            "Change": (table["now"] - table["then"]).map(lambda n: f"{int(n):+,}"),
        }
    ).reset_index(drop=True)


# -- helpers ---------------------------------------------------------------------------------
def _headlines(overview: Overview) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                h.label,
                plain_count(h.this),
                plain_count(h.previous),
                "not shown" if h.change is None else f"{h.change:+,}",
            )
            for h in overview.headlines
        ],
        columns=["Figure", "This period", "Period before", "Change"],
    )


def _between(days: pd.Series, start: date, end: date) -> np.ndarray:
    stamps = pd.to_datetime(days)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    nights = stamps.dt.normalize()
    return ((nights >= pd.Timestamp(start)) & (nights <= pd.Timestamp(end))).to_numpy()


def _day(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return "never"
    return plain_date(pd.Timestamp(value).date())  # type: ignore[arg-type]


def _whole(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return "not known"
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


_PLACE_HEADINGS: Final = ("Place", "Ward", "People", "Nights seen", "Agencies there lately")


def _places(frame: pd.DataFrame, *, by: str) -> pd.DataFrame:
    if frame.empty:  # no hot place (a quiet borough, a new store): nothing to list
        return pd.DataFrame(columns=list(_PLACE_HEADINGS))
    top = frame.sort_values(by, ascending=False, kind="stable").head(TOP)
    return pd.DataFrame(
        {
            "Place": top["place_name"].astype(str),
            "Ward": top["ward_name"].fillna("outside every ward").astype(str),
            "People": top["people"].map(_whole),
            "Nights seen": top["nights_seen"].map(_whole),
            "Agencies there lately": top["covered_by"].fillna("none").astype(str),
        }
    ).reset_index(drop=True)


def _sites(frame: pd.DataFrame, *, by: str) -> pd.DataFrame:
    top = frame.sort_values([by, "people"], ascending=False, kind="stable").head(TOP)
    return pd.DataFrame(
        {
            "Place": top["place_name"].astype(str),
            "Ward": top["ward_name"].fillna("outside every ward").astype(str),
            "First seen": top["first_seen"].map(_day),
            "Last seen": top["last_seen"].map(_day),
            "Nights seen": top["nights_seen"].map(_whole),
            "People": top["people"].map(_whole),
            "Last visit": top["last_visit"].map(_day),
        }
    ).reset_index(drop=True)


def _coverage(agencies: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Agency": agencies["agency"].astype(str),
            "Visits and counts": agencies["visits"].map(_whole),
            "Contacts": agencies["contacts"].map(_whole),
            "Last out": agencies["last_visit"].map(_day),
            "Area covered (km²)": agencies["area_m2"].map(lambda m2: f"{m2 / 1e6:.1f}"),
        }
    ).reset_index(drop=True)


def _gaps(gaps: pd.DataFrame) -> pd.DataFrame:
    top = gaps.sort_values("rank", kind="stable").head(TOP)
    since = top["days_since_visit"].map(
        lambda d: "never visited" if pd.isna(d) else f"{round(float(d))} nights"
    )
    return pd.DataFrame(
        {
            "Rank": top["rank"].map(_whole),
            "Place": top["place_name"].astype(str),
            "Ward": top["ward_name"].fillna("outside every ward").astype(str),
            "People": top["people"].map(_whole),
            "Since anyone went": since,
        }
    ).reset_index(drop=True)


def _overlaps(overlaps: pd.DataFrame) -> pd.DataFrame:
    """Places several agencies covered, one row per place name, ward and set of agencies
    (in the order each first appears), most agencies then most people first."""
    named = pd.DataFrame(  # the columns the table needs (not the places' geometry)
        {
            "place": overlaps["place_name"].astype(str),
            "ward": overlaps["ward_name"].fillna("outside every ward").astype(str),
            "agencies": overlaps["covered_by"].astype(str),
        }
    )
    kept = named.notna().all(axis=1).to_numpy()  # as a groupby: no group for a missing key
    named = named.loc[kept]
    key = np.zeros(len(named), dtype=np.int64)
    for column in named.columns:
        codes, labels = pd.factorize(named[column])
        key = key * max(len(labels), 1) + codes
    group, labels = pd.factorize(key)
    first = np.unique(group, return_index=True)[1]  # each group's first row
    people = pd.to_numeric(overlaps["people"], errors="coerce").to_numpy(float)[kept]
    total = np.bincount(
        group, weights=np.where(np.isnan(people), 0.0, people), minlength=len(labels)
    )
    places = np.bincount(group, minlength=len(labels))
    most = np.full(len(labels), np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(most, group, overlaps["n_agencies"].to_numpy(np.int64)[kept])
    order = np.lexsort((-total, -most))[:TOP]
    top = named.iloc[first[order]].reset_index(drop=True)
    return pd.DataFrame(
        {
            "Place": top["place"],
            "Ward": top["ward"],
            "Agencies": top["agencies"],
            "Places": pd.Series(places[order], dtype=np.int64).map(_whole),
            "People": pd.Series(total[order], dtype=float).map(_whole),
        }
    )
