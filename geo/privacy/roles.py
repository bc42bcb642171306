"""Who may do what: the roles, and the checks every reader and writer makes first.

Roles come from the app's own users table (or the command line's ``--role``), never from
anything a browser sends. Every check fails closed: an unknown or missing role is refused.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from geo.errors import AccessDenied

Role = Literal["coordinator", "police", "councillor", "admin"]
ROLES: Final[tuple[str, ...]] = get_args(Role)


def check_role(role: object) -> Role:
    """Return ``role`` if it is one of :data:`ROLES`, else raise ``AccessDenied``.

    Fails closed: a missing role (``None``, ``""``) is refused like an unknown one, never
    taken as the most powerful.
    """
    if not role:
        raise AccessDenied(f"no role given; every reader needs one of {', '.join(ROLES)}")
    if role not in ROLES:
        raise AccessDenied(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    return role  # type: ignore[return-value]


#: Roles that may import files (and so see the rows an import rejects).
IMPORT_ROLES: Final[tuple[str, ...]] = ("coordinator", "admin")


def check_can_import(role: Role) -> None:
    """Raise ``AccessDenied`` unless ``role`` may import files."""
    if check_role(role) not in IMPORT_ROLES:
        raise AccessDenied(f"the {role} role cannot import files; ask a coordinator or admin")


#: Roles that may see ward figures at all.
FIGURE_ROLES: Final[tuple[str, ...]] = ("coordinator", "police", "councillor")


def check_can_see_figures(role: Role) -> None:
    """Raise ``AccessDenied`` unless ``role`` may see ward figures."""
    if check_role(role) not in FIGURE_ROLES:
        raise AccessDenied(
            f"the {role} role manages users and imports and sees no figures;"
            " sign in as a coordinator, police or councillor"
        )
