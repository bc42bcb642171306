"""The partnership view: each council's figures side by side, on the ward figures' measures.

A council is the ``parent_code`` its wards carry (the local authority code of ONS boundary
files, or the code given when its ward file was imported), named as users read it
(:func:`geo.importing.areas.council_names`: "Brighton and Hove", the code only when no name is
known). Each council's figures are its wards' records counted together: the records' ward is
mapped to its council and :func:`geo.analysis.ward_figures.summarise` counts them in a layer of
councils, one row per council and period (sightings, people, distinct people, contacts, needs,
flags such as NRPF and under 18, nationality groups...). Records outside every ward, or in a
ward with no council, are counted apart (``outside``). Rates per 10,000 residents use the sum
of the wards' populations where every ward of the council gives one.

Figures are aggregates, so every role that sees figures gets every council's, as that role sees
figures (:func:`geo.privacy.figures.view_summary`): coordinators exact, police with needs and
nationality hidden when small, councillors with every small count hidden. A user bound to a
council reads other councils' records in no other way, so they get the councillor's view of
every council whatever their role (their own council's exact figures are on the ward pages):
never a small count about people whose records they may not read. They get no partnership
totals and no count outside every ward either: knowing their own council's exact figures,
they could subtract them from a total and find another council's hidden count.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Final

import geopandas as gpd
import pandas as pd

from geo.analysis.street_count import street_counts
from geo.analysis.ward_figures import SUMMARY_COLUMNS, AreaSummary, Period, summarise
from geo.analysis.ward_view import NEEDS, last_period, shown
from geo.errors import AnalysisError
from geo.importing.areas import council_names
from geo.privacy.figures import view_summary
from geo.privacy.roles import Role, check_can_see_figures, check_role
from geo.privacy.users import withheld
from geo.questions import check_period_for
from geo.schema import DISPLAY_CRS
from geo.store import Store
from geo.store.audit import current_actor

__all__ = [
    "COUNCIL_TABLE_COLUMNS",
    "PARTNERSHIP_PERIODS",
    "council_layer",
    "council_table",
    "partnership",
]

#: Periods side by side by default: this one and the one before.
PARTNERSHIP_PERIODS = 2
#: The councils' table's columns: summary column -> heading in plain words (then the needs).
COUNCIL_TABLE_COLUMNS: Final[dict[str, str]] = {
    "area_name": "Council",
    "people": "People counted",
    "sightings": "Sightings",
    "distinct_people": "Different people",
    "contacts": "Contacts",
}


def partnership(
    store: Store,
    *,
    role: Role,
    period: Period = "week",
    start: date | None = None,
    end: date | None = None,
    periods: int = PARTNERSHIP_PERIODS,
    threshold: int | None = None,
) -> AreaSummary:
    """Figures per council and period, side by side, as ``role`` may see them.

    ``areas`` holds one row per council (``area_code``: its code, ``area_name``: its name)
    and period; ``totals`` the partnership's. A user bound to a council gets the councillor's
    view (see the module docstring). An ``AnalysisError`` if no stored ward names its council.
    """
    role = check_role(role)
    check_can_see_figures(role)
    check_period_for("councillor" if current_actor().council is not None else role, period)
    councils = council_layer(store)
    return _figures(
        store,
        councils,
        role=role,
        period=period,
        start=start,
        end=end,
        periods=periods,
        threshold=threshold,
    )


def council_layer(store: Store) -> gpd.GeoDataFrame:
    """One row per council the stored wards name: ``area_code``, ``area_name`` (its name, else
    its code), ``population`` (its wards' together; missing unless every ward gives one), and no
    shape (records are placed by their ward, not by a shape)."""
    wards = store.areas(layer="ward")
    named = wards.loc[wards["parent_code"].notna()]
    if named.empty:
        raise AnalysisError(
            "no stored ward names its council (parent code); import a ward boundary file that"
            " carries the local authority code (e.g. an ONS file's LAD24CD column), or import"
            " each council's ward file with its code (python -m geo import wards FILE --council"
            " E06000043)"
        )
    population = pd.to_numeric(named["population"], errors="coerce")
    grouped = population.groupby(named["parent_code"].astype(str))
    totals = grouped.sum(min_count=1).where(grouped.count() == grouped.size())
    frame = pd.DataFrame(
        {
            "area_code": totals.index.to_numpy(dtype=object),
            "area_name": council_names(store).reindex(totals.index).to_numpy(dtype=object),
            "population": totals.to_numpy(dtype=float),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=[None] * len(frame), crs=DISPLAY_CRS)


def council_table(found: AreaSummary) -> pd.DataFrame:
    """The last period's figures per council, headed and written as a page shows them: the
    council's name, people counted, sightings, different people, contacts, then each need the
    summary's role may see (those withheld from it are not in the summary), in council-name
    order; hidden figures in words ("fewer than 5"), as on the ward map."""
    rows = last_period(found)
    headings = {**COUNCIL_TABLE_COLUMNS, **NEEDS}
    table = pd.DataFrame(index=rows.index)
    for column, heading in headings.items():
        if column in rows.columns:
            values = rows[column]
            table[heading] = values.astype(str) if column == "area_name" else values.map(shown)
    return table.reset_index(drop=True)


def _figures(
    store: Store,
    councils: gpd.GeoDataFrame,
    *,
    role: Role,
    period: Period,
    start: date | None,
    end: date | None,
    periods: int,
    threshold: int | None,
) -> AreaSummary:
    """Count every council's records in ``councils`` and apply the role's view."""
    unlinked = store.unlinked_pairs()
    columns = [*SUMMARY_COLUMNS, *(["record_id"] if unlinked else [])]
    records = store.records_for_figures(role=role, columns=columns, every_council=True)
    counted = street_counts(records, unlinked=unlinked)  # the rule sees every council's
    council_of = store.ward_councils()
    placed = records.assign(area_code=records["area_code"].map(council_of))
    exact = summarise(
        placed,
        councils,
        period=period,
        start=start,
        end=end,
        periods=periods,
        placed=True,
        aligned=role != "coordinator" or current_actor().council is not None,
        unlinked=unlinked,
        counted=counted,
    )
    bound = current_actor().council is not None
    shown_as: Role = "councillor" if bound else role
    shown = view_summary(exact, role=shown_as, threshold=threshold, withheld=withheld(store, role))
    if not bound:
        return shown
    # a bound reader knows their own council's exact figures (its ward pages): with them, the
    # partnership's totals or the records outside every ward would give away another council's
    # hidden count by subtraction, so neither is shown to them
    return replace(shown, totals=shown.totals.iloc[0:0], outside=shown.outside.iloc[0:0])
