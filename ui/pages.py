"""The app's pages, each with the roles that may open it: navigation is built from this.

A page a role may not open is not registered for that role at all, so neither the sidebar nor
a typed URL reaches it. Each page also checks the role itself (defence in depth).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from geo.privacy import FIGURE_ROLES, IMPORT_ROLES, Role, check_role


@dataclass(frozen=True)
class PageSpec:
    """One page: its script under app_pages/, its title and icon, who may open it."""

    path: str
    title: str
    icon: str
    roles: tuple[str, ...]


PAGES: Final[tuple[PageSpec, ...]] = (
    PageSpec("app_pages/overview.py", "Overview", ":material/dashboard:", FIGURE_ROLES),
    PageSpec("app_pages/ward_map.py", "Ward map", ":material/map:", FIGURE_ROLES),
    PageSpec("app_pages/people.py", "People over time", ":material/groups:", FIGURE_ROLES),
    PageSpec(
        "app_pages/hotspots.py",
        "Hotspots and patrols",
        ":material/route:",
        ("coordinator", "police"),
    ),
    PageSpec(
        "app_pages/map.py", "Records map", ":material/location_on:", ("coordinator", "police")
    ),
    PageSpec(
        "app_pages/sighting.py",
        "Record a sighting",
        ":material/add_location_alt:",
        ("coordinator",),
    ),
    PageSpec(
        "app_pages/brief.py", "Tasking brief", ":material/assignment:", ("coordinator", "police")
    ),
    PageSpec("app_pages/import_data.py", "Import", ":material/upload_file:", IMPORT_ROLES),
    PageSpec(
        "app_pages/users.py", "Users and audit", ":material/admin_panel_settings:", ("admin",)
    ),
)

#: Shown instead of every page: before sign-in, and to a signed-in person with no role.
SIGN_IN_PAGE: Final = "app_pages/sign_in.py"
ACCESS_PAGE: Final = "app_pages/no_access.py"


def pages_for(role: Role) -> tuple[PageSpec, ...]:
    """The pages ``role`` may open, in menu order (an unknown role: ``AccessDenied``)."""
    role = check_role(role)
    return tuple(page for page in PAGES if role in page.roles)
