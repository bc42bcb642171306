"""The demo borough's ward context: figures about each ward as an analyst would download them
(ONS mid-year population estimates of two years, the deprivation decile, the rural-urban
class), for ``python -m geo import context``.

Made up, like everything in the demo, and drawn from no random stream (so the rest of the demo
is drawn as before): each ward's 2024 population is its population in the wards file, and 2022
is worked back from a growth chosen per ward. Riverside, new flats on the old wharves, grows
fastest (+9%) and is among the most deprived; the seafront wards are the most deprived; the
downland wards are rural.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd

#: The file's header, as the analyst's spreadsheet has it.
CONTEXT_HEADER: Final = (
    "WD24CD",
    "WD24NM",
    "Population mid-2022",
    "Population mid-2024",
    "Deprivation decile (1 = most deprived)",
    "Rural-urban class",
)
#: Per ward: growth 2022 to 2024 in per cent, deprivation decile, rural-urban class.
_WARDS: Final[dict[str, tuple[float, int, str]]] = {
    "Westcliff": (0.8, 6, "Urban city and town"),
    "Marsh Green": (1.5, 5, "Urban city and town"),
    "Seafront": (2.0, 1, "Urban city and town"),
    "Market": (1.2, 2, "Urban city and town"),
    "Harbour": (0.5, 1, "Urban city and town"),
    "Ferry": (-0.4, 3, "Urban city and town"),
    "Saltings": (0.2, 4, "Urban city and town"),
    "Kingsmead": (1.0, 7, "Urban city and town"),
    "Jubilee": (2.5, 3, "Urban city and town"),
    "Station": (3.1, 2, "Urban city and town"),
    "Old Town": (0.3, 4, "Urban city and town"),
    "Riverside": (9.0, 2, "Urban city and town"),
    "Millfield": (1.8, 6, "Urban city and town"),
    "Northgate": (0.9, 5, "Urban city and town"),
    "Priory": (0.1, 8, "Urban city and town"),
    "Hillcrest": (0.6, 9, "Urban city and town"),
    "Beacon": (-0.2, 8, "Rural town and fringe"),
    "Downs": (0.4, 9, "Rural village"),
    "Ropewalk": (1.1, 7, "Urban city and town"),
    "Chalkpit": (0.7, 8, "Rural town and fringe"),
}


def context_rows(wards: gpd.GeoDataFrame) -> list[list[object]]:
    """One row per ward of the wards file, in its order (see the module docstring)."""
    rows: list[list[object]] = []
    for code, name, population in zip(
        wards["WD24CD"], wards["WD24NM"], wards["population"], strict=True
    ):
        growth, decile, rural_urban = _WARDS[str(name)]
        before = round(int(population) / (1 + growth / 100))
        rows.append([code, name, before, int(population), decile, rural_urban])
    return rows
