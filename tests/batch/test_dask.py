"""The Dask path gives the local answer: a 2-worker LocalCluster, in memory and from files.

`processes=False` keeps the two workers in this process (threads), so the cluster starts fast
and leaves no child processes behind; the code path (scatter, map, gather, per-partition
`determine_table`) is the one a real cluster runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster

from reec.batch import determine_table
from reec.batch.cluster import determine_files_dask, determine_table_dask, split_table
from reec.batch.sample import sample_order_book


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    # dashboard_address=":0": a free port (None is the default :8787, which two test suites
    # running at once raced for: "Cluster failed to start: Port 8787 is already in use")
    with (
        LocalCluster(  # type: ignore[no-untyped-call]  # distributed is not annotated
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,  # type: ignore[no-untyped-call]  # distributed is not annotated
    ):
        yield c


def test_dask_in_memory_equals_local(client: Client) -> None:
    table = sample_order_book(6000, seed=21)
    local = determine_table(table)
    remote = determine_table_dask(table, None, client, partitions=4)
    assert remote.equals(local)


def test_dask_files_equal_local(client: Client, tmp_path: Path) -> None:
    table = sample_order_book(4000, seed=22)
    sources = []
    for i, part in enumerate(split_table(table, 3)):
        path = tmp_path / "in" / f"part-{i}.parquet"
        path.parent.mkdir(exist_ok=True)
        pq.write_table(part, path)
        sources.append(path)
    counts = determine_files_dask(sources, tmp_path / "out", None, client)
    local = determine_table(table)
    assert counts == Counter(local.column("verdict").to_pylist())
    parts = [pq.read_table(tmp_path / "out" / p.name) for p in sources]
    got = [r["verdict"] for part in parts for r in part.select(["verdict"]).to_pylist()]
    assert got == local.column("verdict").to_pylist()
