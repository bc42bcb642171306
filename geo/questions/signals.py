"""Partnership signals for the tasking brief: the tension watch and the safeguarding count.

Both are read for the brief's role (:mod:`geo.questions.tension`,
:mod:`geo.questions.safeguarding`), so police see what their role may: the watch as published
and the waiting items per ward with small numbers hidden, never the queue itself.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from geo.analysis.tension import tension_table
from geo.analysis.ward_figures import Period
from geo.privacy.roles import Role
from geo.questions.safeguarding import queue_counts
from geo.questions.tension import tension
from geo.store import Store


def brief_signals(
    store: Store, *, role: Role, period: Period, end: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The watched wards of the latest month to ``end`` (all wards when none is watched: the
    brief says so by showing none marked), and the items waiting for a safeguarding referral
    per ward in the period to ``end`` with the total, wards with none left out."""
    watch = tension_table(tension(store, role=role, end=end))
    watched = watch.loc[watch["Watch"] == "yes"].reset_index(drop=True)
    figures = queue_counts(store, role=role, period=period, end=end, periods=1)
    areas, totals = figures.areas, figures.totals
    waiting = pd.DataFrame(
        {
            "Ward": [*areas["area_name"].astype(str), "All wards"],
            "Waiting": [*areas["waiting"].astype(str), *totals["waiting"].astype(str)[-1:]],
        }
    )
    waiting = waiting.loc[waiting["Waiting"] != "0"].reset_index(drop=True)
    return watched, waiting
