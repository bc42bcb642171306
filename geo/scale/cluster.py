"""A Dask client: a running cluster's scheduler, or a LocalCluster on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from geo.errors import AnalysisError, AtlasError, DaskMissing

if TYPE_CHECKING:
    from distributed import Client

#: Workers of a LocalCluster when none are asked for (this machine's two cores).
LOCAL_WORKERS = 2


def check_dask() -> None:
    """Refuse, saying how to install it, when Dask is not importable."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as error:
        raise DaskMissing(
            f"--dask needs Dask ({error.name} is not installed); install the requirements:"
            " pip install -r requirements.txt"
        ) from error


@contextmanager
def dask_client(
    scheduler: str | None = None, *, workers: int = LOCAL_WORKERS, processes: bool = False
) -> Iterator[Client]:
    """A client of the cluster at ``scheduler`` (``tcp://host:8786``), or of a LocalCluster of
    ``workers`` on 127.0.0.1 (threads in this process unless ``processes``; no dashboard),
    closed on leaving.
    """
    check_dask()
    # Dask logs the shuffle's start and stop (WARNING) and closing comms (INFO) on every run:
    # only its errors reach standard error while this client is open
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with _client(scheduler, workers=workers, processes=processes) as client:
            yield client
    finally:
        logger.setLevel(level)


@contextmanager
def _client(scheduler: str | None, *, workers: int, processes: bool) -> Iterator[Client]:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        if not scheduler.strip():
            raise AnalysisError("--scheduler: give the scheduler's address, e.g. tcp://host:8786")
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as error:
            raise AtlasError(
                f"--scheduler {scheduler}: no Dask scheduler answered ({error}); start one"
                " (dask scheduler) or leave --scheduler out for a cluster on this machine"
            ) from error
        with client:
            yield client
        return
    if workers < 1:
        raise AnalysisError(f"workers must be at least 1; got {workers}")
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=None,
        # no dashboard; the scheduler's small HTTP server on any free port of 127.0.0.1 (its
        # default, 8787, may be taken by another cluster on the machine)
        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
        # threads talk in process (inproc://); worker processes over TCP on this machine only
        **({"host": "127.0.0.1"} if processes else {}),
    )
    with cluster, Client(cluster) as client:
        yield client
