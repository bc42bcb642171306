"""Every people-over-time command at scale, each against the ward figures on the same records.

Issue 13's floor: each command over 1,000,000 records in under 2 s, against the ward figures'
own time in the same run. Records are :func:`bench.bench_analysis.england_records` (spread over
the 7,681 England wards and 90 nights, a fifth with person references), with a tenth of the
demand made referrals and the rest given what the commands read (a time in the evening, sex, age
band, nationality group, a place description, an outcome). Timed on records in memory, medians:

- ``snapshot``: :func:`geo.analysis.snapshot.snapshot`, one night with the 14 before;
- ``sites --history``: :func:`geo.analysis.site_life.site_life`, 90 nights of history;
- ``referrals``: :func:`geo.analysis.referrals.referral_figures`, 3 months;
- ``swep``: :func:`geo.analysis.swep.cold_weather_list`, 14 nights;
- ``links``: :func:`geo.analysis.links.linked_groups`, the last 7 nights;
- issue 14: ``completeness`` (3 months), ``tension`` (3 calendar months, with police.uk-like
  incidents, one for every five records), ``interpreters`` (12 weeks) and ``safeguarding``
  (one sighting in twenty flagged under 18, several times the real share);
- the ward figures: :func:`geo.analysis.ward_figures.summarise`, 3 months, the yardstick.

Run from the repository root: ``python -m bench.bench_people_commands [--sizes
100000,1000000] [--repeat 3] [--record]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from bench.bench_analysis import WARDS, england_records, median_time
from bench.bench_people import FLOOR_S
from bench.recording import commit, record
from geo.analysis.completeness import completeness
from geo.analysis.interpreters import shared_interpreters
from geo.analysis.links import linked_groups
from geo.analysis.referrals import referral_figures
from geo.analysis.safeguarding import safeguarding_queue
from geo.analysis.site_life import site_life
from geo.analysis.snapshot import snapshot
from geo.analysis.swep import cold_weather_list
from geo.analysis.tension import tension_watch
from geo.analysis.ward_figures import summarise
from geo.io.boundaries import read_areas
from geo.locate.areas import AreaIndex

LAST = date(2026, 11, 23)


def with_details(records: pd.DataFrame, *, seed: int = 5) -> pd.DataFrame:
    """The bench's records with what the people-over-time commands read as well."""
    rng = np.random.default_rng(seed)
    n = len(records)
    minutes = rng.integers(20 * 60, 26 * 60, n)  # 20:00 to 02:00, dated by the evening
    observed = (records["night"] + pd.to_timedelta(minutes, unit="m")).dt.tz_localize(
        "Europe/London", nonexistent="shift_forward", ambiguous=False
    )
    kind = records["kind"].where((records["kind"] == "visit") | (rng.random(n) >= 0.1), "referral")
    return records.assign(
        kind=kind,
        observed_at=observed,
        sex=np.array(["male", "female", "unknown"])[rng.integers(0, 3, n)],
        age_band=np.array(["18-25", "26-35", "46-55", "under 18", None])[rng.integers(0, 5, n)],
        nationality_group=np.array(["UK", "EU/EEA", "non-EU", "unknown"])[rng.integers(0, 4, n)],
        location_text=np.array(["Shop doorway", "Bus shelter", None])[rng.integers(0, 3, n)],
        outcome=np.array(["Engaged", "Not engaged", None])[rng.integers(0, 3, n)],
        location_source=np.array(["gps", "postcode", "place", "grid_ref"])[rng.integers(0, 4, n)],
        language=np.array(["English", "Polish", None])[rng.integers(0, 3, n)],
    )


def incidents_like(records: pd.DataFrame, *, seed: int = 11) -> pd.DataFrame:
    """police.uk-like incidents, one for every five records, in the records' wards and months:
    anti-social behaviour, public order and other crimes."""
    rng = np.random.default_rng(seed)
    rows = records.sample(frac=0.2, random_state=seed)
    types = np.array(["Anti-social behaviour", "Public order", "Burglary", "Shoplifting"])
    return pd.DataFrame(
        {
            "month": rows["night"].dt.strftime("%Y-%m").to_numpy(),
            "crime_type": types[rng.integers(0, 4, len(rows))],
            "area_code": rows["area_code"].to_numpy(),
        }
    )


def commands(records: pd.DataFrame, wards: pd.DataFrame) -> dict[str, Callable[[], object]]:
    """Each command as the bench times it; the ward figures last."""
    months = {"period": "month", "periods": 3, "placed": True}
    week_start = date(2026, 11, 17)
    incidents = incidents_like(records)
    # one sighting in twenty flagged under 18 (several times the real share: a long queue)
    rng = np.random.default_rng(13)
    flagged = records.assign(
        under_18=pd.array((rng.random(len(records)) < 0.05).astype(int), dtype="Int8")
    )
    return {
        "snapshot": lambda: snapshot(records, wards, night=LAST, placed=True),
        "sites --history": lambda: site_life(records, end=LAST),
        "referrals": lambda: referral_figures(records, wards, end=LAST, **months),
        "swep": lambda: cold_weather_list(records, night=LAST),
        "links (7 nights)": lambda: linked_groups(records, start=week_start, end=LAST),
        "completeness": lambda: completeness(records, end=LAST, period="month", periods=3),
        "tension (3 months)": lambda: tension_watch(records, incidents, wards, months=3),
        "interpreters (12 weeks)": lambda: shared_interpreters(
            records, wards, end=LAST, period="week", periods=12, placed=True
        ),
        "safeguarding": lambda: safeguarding_queue(flagged, today=LAST),
        "ward figures": lambda: summarise(records, wards, end=LAST, **months),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    if not WARDS.exists():
        raise SystemExit(f"{WARDS} is missing: this benchmark needs ../shared/data")
    wards = read_areas(WARDS).areas
    index = AreaIndex.build(codes=wards["area_code"], geometries=wards.geometry)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        records = with_details(england_records(n, wards, index))
        timed = {}
        for name, run in commands(records, wards).items():
            run()  # warm
            timed[name] = median_time(run, args.repeat)
        figures = timed.pop("ward figures")
        for name, seconds in timed.items():
            rows.append(
                f"| {date.today()} | {commit()} | {name} | {n:,} | {seconds:.3f} s |"
                f" {figures:.3f} s | {seconds / figures:.2f}x |"
                f" {'met' if seconds < FLOOR_S else '**not met**'},"
                f" {FLOOR_S / seconds:.1f}x under |"
            )
            print(rows[-1], flush=True)
    if args.record:
        record(
            "People over time, every command (`python -m bench.bench_people_commands --record`)",
            rows,
            intro=(
                "Each command of issue 13 sections 2 to 6 (and issue 14's completeness) on the"
                " bench's England records (7,681 wards, 90 nights, a fifth with references, a"
                " tenth of demand referrals), in memory, against the ward figures"
                " (`summarise`, 3 months) timed in the same run; medians. Floor (issue 13):"
                " under 2 s at 1,000,000."
            ),
            header=(
                "| date | commit | command | records | command time | ward figures |"
                " command / figures | floor |"
            ),
        )


if __name__ == "__main__":
    main()
