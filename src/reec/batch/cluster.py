"""Beyond one machine: `determine_table` per partition on a Dask cluster (dask.distributed).

The batch function takes and returns Arrow tables, so a partition is just a slice of rows and
the cluster runs the same function unchanged. Two modes:

- in-memory (`determine_table_dask`): the client slices a table, scatters the slices, workers
  answer them, the client concatenates the answers in order;
- files (`determine_files_dask`): each worker reads one Parquet part itself (the path must be
  readable from the workers: shared disk or object store), writes its answer next to the
  others, and returns only a verdict count. Nothing large crosses the network.

Workers load the bundled rule data themselves (`regime_dir` for another folder): a worker
answers from the same data as the client only if it runs the same reec and data version, which
is checked (`regime.version`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client

from reec.batch.table import determine_table
from reec.errors import ReecError
from reec.regime.snapshot import load_regime

__all__ = ["connect", "determine_files_dask", "determine_table_dask", "split_table"]


def connect(scheduler: str) -> Client:
    """A client for `scheduler` (``tcp://host:8786``); ``local`` starts a 2-worker cluster
    (its dashboard on a free port: None would take :8787, which another cluster may hold)."""
    if scheduler == "local":
        return Client(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")  # type: ignore[no-untyped-call]  # distributed is untyped
    try:
        return Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]  # distributed is untyped
    except OSError as exc:
        raise ReecError(f"cannot reach the Dask scheduler: {exc}", field="--scheduler") from None


def split_table(table: pa.Table, parts: int) -> list[pa.Table]:
    size = max(1, -(-table.num_rows // max(parts, 1)))
    return [table.slice(start, size) for start in range(0, table.num_rows, size)] or [table]


def _partition(
    table: pa.Table, as_of: date | None, regime_dir: str | None, version: str
) -> pa.Table:
    regime = load_regime(Path(regime_dir) if regime_dir else None)
    if regime.version != version:
        raise ReecError(
            f"worker rule data {regime.version} differs from the client's {version}",
            field="--scheduler",
        )
    return determine_table(table, as_of, regime)


def determine_table_dask(
    table: pa.Table,
    as_of: date | None,
    client: Client,
    *,
    partitions: int | None = None,
    regime_dir: Path | None = None,
) -> pa.Table:
    """Same answer as `determine_table(table, as_of)`, computed partition by partition."""
    version = load_regime(regime_dir).version
    workers = max(1, len(client.scheduler_info()["workers"]))
    slices = split_table(table, partitions or workers * 2)
    # hash=False: slices of one table share buffers, and hashing them can give equal keys.
    scattered = client.scatter(slices, hash=False)  # type: ignore[no-untyped-call]  # distributed is untyped
    futures = client.map(
        _partition,
        scattered,
        as_of=as_of,
        regime_dir=str(regime_dir) if regime_dir else None,
        version=version,
        pure=False,
    )
    return pa.concat_tables(client.gather(futures))  # type: ignore[no-untyped-call]  # distributed is untyped


def _file_partition(
    source: str, target: str, as_of: date | None, regime_dir: str | None, version: str
) -> dict[str, int]:
    table = pq.read_table(source)
    out = _partition(table, as_of, regime_dir, version)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(out, target)
    return dict(Counter(out.column("verdict").to_pylist()))


def determine_files_dask(
    sources: Sequence[Path],
    out_dir: Path,
    as_of: date | None,
    client: Client,
    *,
    regime_dir: Path | None = None,
) -> Counter[str]:
    """Answer each Parquet part on a worker, writing `out_dir/<part name>`; verdict counts."""
    version = load_regime(regime_dir).version
    futures = [
        client.submit(
            _file_partition,
            str(src),
            str(out_dir / src.name),
            as_of,
            str(regime_dir) if regime_dir else None,
            version,
            pure=False,
        )
        for src in sources
    ]
    total: Counter[str] = Counter()
    for counts in client.gather(futures):  # type: ignore[no-untyped-call]  # distributed is untyped
        total.update(counts)
    return total
