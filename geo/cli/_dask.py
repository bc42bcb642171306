"""``--dask``, ``--scheduler`` and ``--parquet`` for the commands that can run on Dask."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TypeVar

from geo.errors import AtlasError

T = TypeVar("T")


def add_dask_options(sub: argparse.ArgumentParser) -> None:
    """Add the options that run a command partitioned on Dask, with the same output."""
    group = sub.add_argument_group("Dask (national scale; the same output as without)")
    group.add_argument(
        "--dask", action="store_true", help="run partitioned on Dask (a cluster on this machine)"
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --dask: a running cluster's scheduler, e.g. tcp://host:8786",
    )
    group.add_argument(
        "--parquet",
        metavar="DIR",
        help="with --dask: read the records from this folder of Parquet files by month of night"
        " (areas and settings still come from --store)",
    )
    group.add_argument(
        "--workers", type=int, default=2, help="with --dask, workers of the local cluster (2)"
    )


def run_maybe_on_dask(
    args: argparse.Namespace,
    single: Callable[[], T],
    on_dask: Callable[..., T],
) -> T:
    """``single()``, or with ``--dask`` ``on_dask(client=..., parquet=...)`` on a cluster."""
    if not args.dask:
        for option in ("scheduler", "parquet"):
            if getattr(args, option) is not None:
                raise AtlasError(f"--{option} runs on Dask; add --dask")
        return single()
    from geo.scale import dask_client

    options: dict[str, Any] = {"workers": args.workers}
    with dask_client(args.scheduler, **options) as client:
        return on_dask(client=client, parquet=args.parquet)
