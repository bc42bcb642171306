"""Who may read what: roles, records as each role may see them, and suppressed figures.

- :mod:`geo.privacy.roles`: the roles and the checks every reader makes first (fail closed).
- :mod:`geo.privacy.access`: records as a role may see them (police: snapped to a grid).
- :mod:`geo.privacy.figures`: figures with small numbers hidden, for roles without records.
- :mod:`geo.privacy.suppression`: the solver that picks which further cells to hide, and the
  exact attacker that proves nothing hidden can be worked out.
"""

from geo.privacy.access import POLICE_GRID_M, view_records
from geo.privacy.roles import (
    FIGURE_ROLES,
    IMPORT_ROLES,
    ROLES,
    Role,
    check_can_import,
    check_can_see_figures,
    check_role,
)

__all__ = [
    "FIGURE_ROLES",
    "IMPORT_ROLES",
    "POLICE_GRID_M",
    "ROLES",
    "Role",
    "check_can_import",
    "check_can_see_figures",
    "check_role",
    "view_records",
]
