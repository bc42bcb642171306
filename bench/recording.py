"""Write a benchmark's result line into its own section of bench/RESULTS.md.

Each benchmark owns a section (a ``## `` heading followed by a table). A result row goes at the
end of that section (under a header of its own when notes follow the last table); a missing
section is added at the end of the file with its intro and table header, so benchmarks never
write into each other's tables.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"


def commit() -> str:
    """The short hash of the checked-out commit, with ``+`` when the tree has changes."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + ("+" if dirty else "")


def record(heading: str, rows: list[str], *, intro: str, header: str) -> None:
    """Append table ``rows`` under ``## heading`` in RESULTS.md, creating the section if new."""
    lines = RESULTS.read_text(encoding="utf-8").splitlines() if RESULTS.exists() else []
    title = f"## {heading}"
    if title not in lines:
        separator = "|" + "---|" * (header.count("|") - 1)
        lines += ["", title, "", intro, "", header, separator]
        at = len(lines)
    else:
        at = lines.index(title) + 1
        while at < len(lines) and not lines[at].startswith("## "):
            at += 1
        while lines[at - 1].strip() == "":
            at -= 1
        if not lines[at - 1].startswith("|"):  # notes follow the table: a table of its own
            separator = "|" + "---|" * (header.count("|") - 1)
            rows = ["", header, separator, *rows]
    lines[at:at] = rows
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
