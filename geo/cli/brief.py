"""``python -m geo brief``: the tasking brief for police and partners, as a PDF or as text."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from geo.analysis.brief import brief_pdf
from geo.cli._common import Parents, Subparsers, add_command, parse_date
from geo.errors import AtlasError
from geo.filters import PERIODS, Filters
from geo.questions import tasking_brief
from geo.store import open_store


def add_parser(subparsers: Subparsers, parents: Parents) -> None:
    """Add ``brief``."""
    sub = add_command(
        subparsers,
        "brief",
        run,
        text="the tasking brief (this period against the last, hot patches, sites, coverage,"
        " gaps, ASB, needs), for police and coordinators",
        example="python -m geo brief --role police --period week --out brief.pdf",
        parents=[parents.common, parents.analysis],
    )
    sub.add_argument(
        "--period",
        default=Filters().period,
        choices=PERIODS,
        help="the period the brief covers (police: week or month) (default: %(default)s)",
    )
    sub.add_argument("--out", metavar="FILE.pdf", help="write the brief as a PDF here")
    sub.add_argument(
        "--made-by", default="Outreach Atlas (scheduled run)", help="who the PDF says made it"
    )


def run(args: argparse.Namespace) -> int:
    """Build the brief for the role; write the PDF or print it."""
    filters = Filters(period=args.period, end=parse_date(args.end, option="--to"))
    brief = tasking_brief(open_store(args.store), role=args.role, filters=filters)
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() != ".pdf":
            raise AtlasError(f"--out {out}: the brief is written as a PDF (a name ending .pdf)")
        out.write_bytes(brief_pdf(brief, made_by=args.made_by))
    if args.json:
        print(
            json.dumps(
                {
                    "title": brief.title,
                    "marking": brief.marking,
                    "sections": [
                        {
                            "heading": heading,
                            "rows": part.to_dict("records")
                            if isinstance(part, pd.DataFrame)
                            else list(part),
                        }
                        for heading, part in brief.sections()
                    ],
                    **({"pdf": str(args.out)} if args.out else {}),
                }
            )
        )
    elif args.out:
        print(f"{args.out}: {brief.title} ({brief.marking})")
    else:
        print(f"{brief.title}\n{brief.marking}. {brief.caveat}\n")
        for heading, part in brief.sections():
            print(f"{heading}\n{'-' * len(heading)}")
            if isinstance(part, pd.DataFrame):
                print(part.to_string(index=False) if len(part) else "None this period.")
            else:
                print("\n".join(part))
            print()
    return 0
