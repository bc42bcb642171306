"""Ward context, for every role (see :mod:`geo.importing.context`).

Context is published statistics about areas (population, deprivation, rural or urban), not
records: every role sees it whole. The role is still checked, as on every read.
"""

from __future__ import annotations

import pandas as pd

from geo.analysis.context import WardContext, with_changes
from geo.privacy.roles import Role, check_role
from geo.store import Store

_NUMBERS = {"integer", "floating", "mixed-integer-float", "empty"}


def ward_context(store: Store, *, role: Role, layer: str = "ward") -> WardContext:
    """The ward context kept in the store, with area names and the changes between years;
    empty if none has been imported."""
    check_role(role)
    kept = store.kept_table("context")
    if kept is None:
        return WardContext()
    lookup = store.lookups()["context"]
    table = kept.copy()
    for column in table.columns[1:]:
        if pd.api.types.infer_dtype(table[column], skipna=True) in _NUMBERS:
            table[column] = pd.to_numeric(table[column]).astype(float)
    names = store.areas(layer=layer).set_index("area_code")["area_name"]
    table.insert(1, "area_name", table["area_code"].map(names).astype(object))
    table = table.loc[table["area_name"].notna()].reset_index(drop=True)  # areas since replaced
    table, changes = with_changes(table)
    return WardContext(
        table=table, changes=changes, source=lookup.name, imported_at=lookup.imported_at
    )
