"""People over time at scale: flow, stock and returners against the ward figures, same records.

Records spread over the 7,681 England wards (``england-wards-2013.gpkg`` in ../shared/data) and
90 nights, a fifth of them carrying person references (see :func:`bench.bench_analysis.
england_records`). Timed, in the same run and on the same records already in memory:

- ours: :func:`geo.analysis.flow.flow`, 30-night months (every person classed new, stock or
  returner from everything seen before, counted per ward and once in the total);
- the ward figures: :func:`geo.analysis.ward_figures.summarise` on the same months, the figure
  issue 13 measures against;
- the obvious pandas line: distinct references per ward and month with ``groupby().nunique()``,
  which classes nobody.

Run from the repository root: ``python -m bench.bench_people [--sizes 100000,1000000]
[--repeat 5] [--record]``.
"""

from __future__ import annotations

import argparse
from datetime import date

import pandas as pd

from bench.bench_analysis import WARDS, england_records, median_time
from bench.recording import commit, record
from geo.analysis.flow import flow
from geo.analysis.ward_figures import summarise
from geo.io.boundaries import read_areas
from geo.locate.areas import AreaIndex

#: The floor of issue 13: each command over 1,000,000 records in under 2 s.
FLOOR_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    if not WARDS.exists():
        raise SystemExit(f"{WARDS} is missing: this benchmark needs ../shared/data")
    wards = read_areas(WARDS).areas
    index = AreaIndex.build(codes=wards["area_code"], geometries=wards.geometry)
    rows = []
    options = {"period": "month", "periods": 3, "placed": True}
    for n in (int(s) for s in args.sizes.split(",")):
        records = england_records(n, wards, index)
        flow(records, wards, **options)  # warm
        ours = median_time(lambda r=records: flow(r, wards, **options), args.repeat)
        figures = median_time(lambda r=records: summarise(r, wards, **options), args.repeat)
        month = (pd.Timestamp("2026-11-23") - records["night"]).dt.days // 30
        base = median_time(
            lambda r=records, m=month: r.groupby(["area_code", m])["person_ref"].nunique(),
            args.repeat,
        )
        rows.append(
            f"| {date.today()} | {commit()} | {n:,} | {ours:.3f} s | {figures:.3f} s |"
            f" {ours / figures:.2f}x | {base:.3f} s | {ours / base:.1f}x |"
            f" {'met' if ours < FLOOR_S else 'not met'}, {FLOOR_S / ours:.1f}x under |"
        )
        print(rows[-1], flush=True)
    if args.record:
        record(
            "People over time at scale (`python -m bench.bench_people --record`)",
            rows,
            intro=(
                "`flow` (new, stock, returner per ward and 30-night month, 3 months) over"
                " records spread over the 7,681 England wards and 90 nights, a fifth with"
                " person references; against the ward figures (`summarise`, same months) and"
                " `groupby([area_code, month]).person_ref.nunique()`, which classes nobody."
                " Records in memory; medians. Floor (issue 13): under 2 s at 1,000,000."
            ),
            header=(
                "| date | commit | records | flow | ward figures | flow / figures |"
                " nunique baseline | flow / baseline | floor |"
            ),
        )


if __name__ == "__main__":
    main()
