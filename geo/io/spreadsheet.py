"""Cells that are safe to open in a spreadsheet: text never runs as a formula.

Every CSV the tool writes (exports, rejected rows) passes its cells through
:func:`neutralise_formula`.
"""

from __future__ import annotations

import re
from typing import Final

#: Cells starting with these are formulas to a spreadsheet; exports prefix them with "'".
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER: Final = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Plain numbers such as ``-0.1372`` are left alone: a spreadsheet reads them as numbers.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("-0.1372"), neutralise_formula(3)
    ('-0.1372', 3)
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.match(value)
    ):
        return "'" + value
    return value
