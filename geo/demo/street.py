"""The demo's people and the street: who is bedded down where, night by night.

People are made in a fixed order from one random stream, so a seed always gives the same people
with the same pseudonymous client references (``SM00042``). Each site in
:mod:`geo.demo.borough` holds a steady number of people who come and go. The first people at the
persistent sites stay at least two weeks: six British people and one of each nationality the
demo must show. Over the last five weeks people newly arrived in the area fill the Riverside
towpath (two of them the stories a tasking meeting must hear: a 17-year-old and a trafficking
concern), and each night a few people are seen once, anywhere in the southern, built-up half.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Literal

import numpy as np

from geo.demo.borough import _SITES, _TOWN_CENTRE, _random_points_in_outline


@dataclass(frozen=True)
class _Person:
    """A synthetic person; ``ref`` is the shared pseudonymous client reference."""

    ref: str
    sex: Literal["M", "F"]
    age: int
    nationality: str  # demonym as the council writes it ("Polish")
    language: str  # "" when not known
    interpreter: bool
    nrpf: bool
    trafficking: bool

    @property
    def under_18(self) -> bool:
        return self.age < 18


@dataclass(frozen=True)
class _Nationality:
    demonym: str
    country: str  # as Harbour Light writes it
    languages: tuple[str, ...]
    weight: float  # among people sleeping out all along
    weight_new: float  # among the people arriving in the rising ward
    interpreter: float  # chances of needing an interpreter, NRPF, a trafficking concern
    nrpf: float
    trafficking: float


_NATIONALITIES: Final = (
    _Nationality("British", "United Kingdom", ("English",), 44, 0, 0.0, 0.0, 0.0),
    _Nationality("Irish", "Ireland", ("English",), 3, 0, 0.0, 0.0, 0.0),
    _Nationality("Polish", "Poland", ("Polish",), 10, 0, 0.45, 0.35, 0.05),
    _Nationality("Romanian", "Romania", ("Romanian",), 9, 3, 0.5, 0.35, 0.15),
    _Nationality("Lithuanian", "Lithuania", ("Lithuanian",), 4, 0, 0.45, 0.35, 0.05),
    _Nationality("Eritrean", "Eritrea", ("Tigrinya",), 6, 25, 0.85, 0.15, 0.1),
    _Nationality("Sudanese", "Sudan", ("Arabic",), 5, 22, 0.8, 0.2, 0.1),
    _Nationality("Afghan", "Afghanistan", ("Dari", "Pashto"), 5, 20, 0.85, 0.25, 0.1),
    _Nationality("Albanian", "Albania", ("Albanian",), 4, 12, 0.7, 0.6, 0.4),
    _Nationality("Vietnamese", "Vietnam", ("Vietnamese",), 4, 12, 0.9, 0.6, 0.5),
    _Nationality("Iranian", "Iran", ("Farsi",), 3, 6, 0.8, 0.4, 0.1),
    _Nationality("Not known", "Unknown", ("",), 3, 0, 0.0, 0.0, 0.0),
)
_BY_DEMONYM: Final = {n.demonym: n for n in _NATIONALITIES}
_SETTLED_MIX: Final = ("British",) * 6 + (
    "Polish", "Romanian", "Eritrean", "Sudanese", "Afghan", "Albanian", "Vietnamese",
)  # fmt: skip
_RISE_NIGHTS: Final = 35  # the camp on the towpath grows over the last five weeks
_RISE_ARRIVALS: Final = 9
_ONE_OFFS_PER_NIGHT: Final = 0.7


@dataclass(frozen=True)
class _Street:
    """Who is bedded down where, night by night (index 0 is the first night)."""

    at_site: list[dict[str, list[_Person]]]
    one_offs: list[list[tuple[_Person, float, float]]]  # seen once, at (easting, northing)


class _People:
    """Makes people with stable references, in a fixed order so a seed always gives the same."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._count = 0
        self._general = np.array([n.weight for n in _NATIONALITIES])
        self._new = np.array([n.weight_new for n in _NATIONALITIES])

    def make(
        self, *, new_arrival: bool = False, nationality: str | None = None, age: int | None = None
    ) -> _Person:
        rng = self._rng
        self._count += 1
        if nationality is None:
            weights = self._new if new_arrival else self._general
            nat = _NATIONALITIES[rng.choice(len(_NATIONALITIES), p=weights / weights.sum())]
        else:
            nat = _BY_DEMONYM[nationality]
        if age is None:
            child_chance = 0.1 if new_arrival else 0.01
            age = (
                int(rng.integers(16, 18))
                if rng.random() < child_chance
                else int(rng.triangular(18, 34, 70))
            )
        language = nat.languages[int(rng.integers(len(nat.languages)))]
        return _Person(
            ref=f"SM{self._count:05d}",
            sex="F" if rng.random() < 0.15 else "M",
            age=age,
            nationality=nat.demonym,
            language=language,
            interpreter=bool(rng.random() < nat.interpreter),
            nrpf=bool(rng.random() < nat.nrpf),
            trafficking=bool(rng.random() < (0.3 if age < 18 else nat.trafficking)),
        )


def _simulate_street(rng: np.random.Generator, n: int) -> _Street:
    """Sites hold a steady number of people who come and go; the towpath fills up at the end."""
    people = _People(rng)
    at_site: list[dict[str, list[_Person]]] = [{} for _ in range(n)]
    # The first people at the persistent sites stay at least two weeks and are six British people
    # and one of each nationality the demo must show, in a random order; later people are drawn
    # from the usual mix.
    mix = [str(n) for n in rng.permutation(_SETTLED_MIX)]
    for site in _SITES:
        for _slot in range(site.slots):
            night = 0
            while night < n:
                settled = night == 0 and bool(mix) and site.role == "persistent"
                person = people.make(nationality=mix.pop() if settled else None)
                stay = int(rng.geometric(1 / 50)) + (14 if settled else 0)
                nights = np.arange(night, min(n, night + stay))
                for k in nights[rng.random(len(nights)) < site.presence]:
                    at_site[k].setdefault(site.name, []).append(person)
                night += stay + int(rng.geometric(1 / 3)) - 1
    # The rise: arrivals on the towpath over the last weeks, staying to the end. Two of them
    # are the stories a tasking meeting must hear: a 17-year-old and a trafficking concern.
    arrivals = np.sort(rng.integers(n - _RISE_NIGHTS, n - 3, size=_RISE_ARRIVALS))
    for i, first_night in enumerate(arrivals):
        if i == 1:
            person = people.make(new_arrival=True, nationality="Afghan", age=17)
        elif i == 3:
            person = replace(
                people.make(new_arrival=True, nationality="Vietnamese"), trafficking=True
            )
        else:
            person = people.make(new_arrival=True)
        for k in range(int(first_night), n):
            if rng.random() < 0.9:
                at_site[k].setdefault("Riverside towpath", []).append(person)

    counts = rng.poisson(_ONE_OFFS_PER_NIGHT, n)
    where = _random_points_in_outline(
        rng, int(counts.sum()), centre=_TOWN_CENTRE, spread=(1_800.0, 900.0), max_northing=106_800
    )
    one_offs: list[list[tuple[_Person, float, float]]] = []
    start = 0
    for count in counts:
        one_offs.append(
            [(people.make(), float(x), float(y)) for x, y in where[start : start + count]]
        )
        start += count
    return _Street(at_site=at_site, one_offs=one_offs)
