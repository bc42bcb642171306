"""Who made an export, when, and how it is marked: printed on PDFs and maps, and written on a
workbook's About sheet.

Exports that leave the building (a PDF for a tasking meeting, a map for a councillor's pack, a
workbook) carry a protective marking and say who made them and when. CSV, JSON, GPX and
GeoPackage files have nowhere to print one, so only the formats marked ``stamped`` in the
registry (:mod:`~geo.io.exports.formats`) receive a :class:`Stamp`.

Examples
--------
>>> stamp = Stamp(made_by="Sam, outreach coordinator", made_at=datetime(2026, 11, 23, 21, 5))
>>> stamp.marking, stamp.when
('OFFICIAL-SENSITIVE', '23 Nov 2026 at 21:05')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

__all__ = ["MARKING", "NOT_GIVEN", "Stamp", "made_when"]

#: The protective marking printed at the top and bottom of every page and map.
MARKING: Final = "OFFICIAL-SENSITIVE"
#: Printed for "made by" when nobody said who made an export.
NOT_GIVEN: Final = "not given"


def _now() -> datetime:
    return datetime.now().astimezone()


@dataclass(frozen=True)
class Stamp:
    """Who made an export, when, and its protective marking.

    Attributes
    ----------
    made_by
        Who made it, as they want it printed ("Sam Patel, Harbour Light outreach").
    made_at
        When; by default the moment the stamp is made (local time).
    marking
        The protective marking (Government Security Classifications), printed as given.
    about
        What the export holds, in a sentence ("People counted per ward, week to 22 Nov
        2026"): under a PDF's title and on a workbook's About sheet. Optional.
    """

    made_by: str = NOT_GIVEN
    made_at: datetime = field(default_factory=_now)
    marking: str = MARKING
    about: str = ""

    def __post_init__(self) -> None:
        for name in ("made_by", "marking", "about"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"Stamp {name} must be text, got {getattr(self, name)!r}")
        if not isinstance(self.made_at, datetime):
            raise TypeError(f"Stamp made_at must be a datetime, got {self.made_at!r}")
        if not self.marking.strip():
            raise ValueError(f"Stamp marking is empty: give one, such as {MARKING!r}")
        object.__setattr__(self, "made_by", self.made_by.strip() or NOT_GIVEN)

    @property
    def when(self) -> str:
        """``made_at`` as people read it: "23 Nov 2026 at 21:05"."""
        return made_when(self.made_at)


def made_when(moment: datetime) -> str:
    """ "23 Nov 2026 at 21:05" (the time zone is the one ``moment`` carries, if any)."""
    return f"{moment.day} {moment:%b %Y} at {moment:%H:%M}"
