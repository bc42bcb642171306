"""Pages at scale: the server time of a page's rerun after a filter change, and what it sends.

A store holds the demo borough plus ``--rows`` made-up records (100,000 by default) spread over
its wards and the 90 nights up to the demo's last night, as a store in use runs up to last
night. Each page is opened once through Streamlit's AppTest (as a browser would, which fills
the caches), then its last night is moved to one not asked for before, so no cache holds the
answer, and each such rerun is timed: that is the wait after a click. What a page sends is
the size of every element the run produced, the map's whole HTML and data included (the
component's arguments). The baseline, in the same run, is the Records map the app had before
issue 12, which sends every record of the last 28 nights.

With ``--old-paths`` each page is also timed, in the same run and on the same nights (the
caches emptied first), with the paths it had before 2026-12-07 patched back in (see
:func:`old_paths`): every small count attacked by an integer program per cell and direction,
and the brief asking coverage about every place and record and drawing its ward map on every
rerun. With ``--against REV`` (say ``HEAD``) the second timing has instead the questions,
coverage and sites code of a git revision (see :func:`paths_at`).

With ``--step 7`` each rerun moves the last night by a week instead of a night: police and
councillors see whole aligned weeks, so a move within a week asks what the week before asked
(answers kept per store version and whole periods), and only a move to another week makes
their pages work again; ``--step 7`` times that. Each page walks back the same weeks from the
latest night (the 90 nights hold 13 weeks, too few for a page's weeks to be its own), with
every kept answer forgotten first, so no page finds a week another page asked.

Run from the repository root: ``python -m bench.bench_pages [--rows 100000] [--repeat 5]
[--roles coordinator,councillor] [--step 1] [--old-paths | --against HEAD] [--record]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_import import make_csv  # noqa: E402
from bench.recording import commit, record  # noqa: E402
from geo.analysis.brief import WardMap  # noqa: E402
from geo.demo import load_demo  # noqa: E402
from geo.importing import import_records  # noqa: E402
from geo.store import STORE_ENV, Store, open_store  # noqa: E402

APP = str(ROOT / "app_main.py")
PAGES = ("app_pages/overview.py", "app_pages/ward_map.py", "app_pages/brief.py")


def build_store(folder: Path, rows: int) -> Path:
    """The demo borough plus ``rows`` records over its wards (imported like a file)."""
    path = folder / "atlas.sqlite"
    store = open_store(path)
    load_demo(store, directory=folder / "demo")
    csv = folder / "extra.csv"
    # the records run up to the demo's last night, as a store in use runs up to last night:
    # seen from 22:00 on the first evening to 22:00 on the last (a night runs to noon)
    last = store.records(role="coordinator", columns=["night"])["night"].max().date()
    make_csv(csv, rows=rows, wards=store.areas(), first=last - timedelta(days=90))
    import_records(store, csv, agency="Bench outreach")
    return path


def sent_bytes(at: object) -> int:
    """Bytes of every element the run produced (protobufs, the map's arguments included)."""
    total = 0
    for node in _walk(at._tree):  # type: ignore[attr-defined]
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
    return total


def _walk(node: object):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


@contextmanager
def old_paths() -> Iterator[None]:
    """The paths the pages had before 2026-12-07, patched in for as long as the block runs.

    Suppression attacks every small count with an integer program per cell and direction
    (the reference attacker the tests hold the fast one to), and the tasking brief takes
    :func:`geo.questions.coverage_gaps` in full (every place and record, and the ward shares
    it does not show) and draws its ward map on every rerun. ``coverage_gaps`` is today's:
    since its coverage got faster, compare with a revision's code by :func:`paths_at`.
    """
    from geo import questions
    from geo.privacy import suppression
    from geo.questions import brief

    suppress, ward_map = suppression.suppress, brief.WardMap

    def suppress_by_ip(
        table: suppression.Table, *, threshold: int, method: str = "ip"
    ) -> np.ndarray:
        return suppress(table, threshold=threshold, method="ip")

    def coverage_in_full(
        store: Store, *, role: str, wards: object, end: date, **_: object
    ) -> questions.Coverage:
        return questions.coverage_gaps(store, role=role, end=end)  # type: ignore[arg-type]

    def drawn_now(*args: object, **kwargs: object) -> WardMap:
        found = ward_map(*args, **kwargs)  # type: ignore[arg-type]
        found.png()
        return found

    patches = {
        (suppression, "suppress"): suppress_by_ip,
        (brief, "_brief_coverage"): coverage_in_full,
        (brief, "WardMap"): drawn_now,
    }
    saved = {key: getattr(*key) for key in patches}
    try:
        for (module, name), value in patches.items():
            setattr(module, name, value)
        yield
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)


#: The modules :func:`paths_at` loads from a revision, each after those it imports.
AT_REVISION = ("geo.analysis.sites", "geo.analysis.coverage", "geo.questions")


@contextmanager
def paths_at(revision: str) -> Iterator[None]:
    """The questions the pages ask, answered by :data:`AT_REVISION` as they are at git
    ``revision``, for as long as the block runs.

    Each module's source is read with ``git show`` (nothing in the working tree changes) and
    run as a module of its own that imports the others' old versions; then the functions
    the pages call (``tasking_brief``, ``coverage_gaps``, ``sites``, ``demand_places``) are
    swapped in on :mod:`geo.questions`. Everything else (the store, ward figures, the brief's
    tables in :mod:`geo.analysis.brief`) is today's in both timings.
    """
    import geo.analysis
    from geo import questions

    def bind(name: str, module: types.ModuleType) -> None:
        """Make ``module`` what ``import name`` and ``from parent import last`` give."""
        sys.modules[name] = module
        parent = geo.analysis if name.startswith("geo.analysis.") else geo
        setattr(parent, name.rsplit(".", 1)[1], module)

    saved = {name: sys.modules[name] for name in AT_REVISION}
    loaded: dict[str, types.ModuleType] = {}
    try:
        for name in AT_REVISION:
            source, path = "", ""
            for path in (name.replace(".", "/") + ".py", name.replace(".", "/") + "/__init__.py"):
                shown = subprocess.run(
                    ["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True
                )
                if shown.returncode == 0:
                    source = shown.stdout
                    break
            module = types.ModuleType(name)
            module.__file__ = str(ROOT / path)
            bind(name, module)  # so the next module's imports find this version
            exec(compile(source, f"{revision}:{path}", "exec"), module.__dict__)
            loaded[name] = module
    finally:
        for name, module in saved.items():
            bind(name, module)
    old = loaded["geo.questions"]
    names = ("tasking_brief", "coverage_gaps", "sites", "demand_places")
    now = {name: getattr(questions, name) for name in names}
    try:
        for name in names:
            setattr(questions, name, getattr(old, name))
        yield
    finally:
        for name, value in now.items():
            setattr(questions, name, value)


def forget_kept() -> None:
    """Empty every cache of answers a page keeps (the app's and the questions'), but not the
    columns read from the store: as if the page's weeks had never been asked."""
    from geo.privacy import kept_tables
    from geo.questions import blocks, kept

    st.cache_data.clear()
    kept._kept.clear()
    blocks._kept.clear()
    kept_tables.forget()


def page_run(
    path: str, *, role: str, repeat: int, last: date | None = None, offset: int = 0, step: int = 1
) -> tuple[float, int, float]:
    """Median seconds of a rerun after the last night changes to one not seen before (so no
    cache holds it), the bytes that run sent, and the first run's seconds."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=600)
    at.session_state["role"] = role
    at.run()
    started = time.perf_counter()
    at.switch_page(path).run()
    first = time.perf_counter() - started
    times = []
    for i in range(repeat):
        ends = [w for w in at.sidebar.date_input if w.label == "Ending on the night of"]
        started = time.perf_counter()
        if ends and last is not None:
            # caches are shared by every session of the process: each run gets weeks of its own
            ends[0].set_value(last - timedelta(days=(offset + i + 1) * step)).run()
        else:  # the old Records map has no filters: switch its heat layer instead
            heat = next(w for w in at.sidebar.toggle if w.label.startswith("Heat"))
            heat.set_value(not heat.value).run()
        times.append(time.perf_counter() - started)
        if at.exception:
            raise RuntimeError(f"{path}: {at.exception}")
    return statistics.median(times), sent_bytes(at), first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--roles", default="coordinator,councillor")
    parser.add_argument("--step", type=int, default=1, help="nights each rerun moves by")
    before = parser.add_mutually_exclusive_group()
    before.add_argument("--old-paths", action="store_true", help="also time the old paths")
    before.add_argument(
        "--against", metavar="REV", help="also time the questions' code at git revision REV"
    )
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_store(Path(tmp), args.rows)
        os.environ[STORE_ENV] = str(path)
        nights = open_store(path).records(role="coordinator", columns=["night"])["night"]
        last = nights.max().date()
        rows = []
        old = {}
        offset = 0
        for role in args.roles.split(","):
            if args.step > 1:
                offset = 0  # a week a rerun reaches back fast: each role starts again
            for page in PAGES:
                if role == "councillor" and page.endswith("brief.py"):
                    continue
                if args.step > 1:
                    # weeks run out before pages do (90 nights are 13 weeks): every page walks
                    # back the same weeks from the latest, with nothing kept from the page before
                    forget_kept()
                    offset = 0
                rerun, size, first = page_run(
                    page, role=role, repeat=args.repeat, last=last, offset=offset, step=args.step
                )
                rows.append((role, page, rerun, size, first))
                if args.old_paths or args.against:  # the same nights again, nothing cached
                    forget_kept()
                    with old_paths() if args.old_paths else paths_at(args.against):
                        old[role, page] = page_run(
                            page,
                            role=role,
                            repeat=args.repeat,
                            last=last,
                            offset=offset,
                            step=args.step,
                        )[0]
                offset += args.repeat
        base_rerun, base_size, base_first = page_run(
            "app_pages/map.py", role="coordinator", repeat=args.repeat
        )
    print(
        f"{'role':12} {'page':28} {'rerun s':>8} {'before s':>8} {'ratio':>6} {'sent MB':>8}"
        f" {'first s':>8}"
    )
    for role, path, rerun, size, first in rows:
        before = old.get((role, path))
        then = "" if before is None else f"{before:8.3f} {before / rerun:5.1f}x"
        print(f"{role:12} {path:28} {rerun:8.3f} {then:>15} {size / 1e6:8.2f} {first:8.2f}")
    print(
        f"{'baseline':12} {'app_pages/map.py (records)':28} {base_rerun:8.3f}"
        f" {base_size / 1e6:8.2f} {base_first:8.2f}"
    )
    if args.record:
        record(
            "Pages (`python -m bench.bench_pages --record`)",
            [
                f"| {date.today()} | {commit()} | {role} | {Path(path).stem} | {args.rows:,} |"
                f" {rerun:.3f} s | {size / 1e6:.2f} MB | records map: {base_size / 1e6:.2f} MB |"
                f" {base_size / size:.0f}x less |"
                for role, path, rerun, size, _ in rows
            ],
            intro="Median server time of a page's rerun after the period changes (AppTest, "
            "caches as a browser session leaves them) and the bytes the run sends, against the "
            "old Records map, which sends every record of the last 28 nights.",
            header="| date | commit | role | page | extra records | rerun | sent |"
            " baseline sent | ratio |",
        )


if __name__ == "__main__":
    main()
