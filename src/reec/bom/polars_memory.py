"""Polars' allocator told, before it starts, to keep the large blocks a BOM file frees a moment.

Polars' wheel allocates with its own jemalloc. jemalloc serves every block over 8 MiB (a column
of a 10M-line BOM is 80-160 MB) from a separate arena that hands each block back to the system
the moment it is freed, so each of the read's many whole-column results starts on fresh pages
that the kernel must fault in and zero; on the VM we measure on, that is most of the read's
system time (about a million page faults at 10M lines). With `KEEP_LARGE_BLOCKS` large blocks
come from the ordinary arenas, whose freed pages Polars' setting returns over half a second
instead of at once, so the next column can reuse them (10M-line Parquet file: page faults
1.02M -> 0.92-1.01M, system time about 0.5 s less, same peak; docs/performance.md, section 2).

jemalloc reads the setting once, when Polars is first imported (`_RJEM_MALLOC_CONF`, the
environment variable of the prefixed jemalloc Polars builds; Polars' `__init__` puts its own
defaults, `dirty_decay_ms:500,muzzy_decay_ms:1000`, before what it finds there, and the later
setting of an option wins): `keep_large_blocks` must run before that, so `reec bom explain` calls
it first, and only there: a server or a batch run keeps Polars' defaults. A setting the user gave
in the environment is left as it is. Nothing changes where Polars was built without jemalloc
(macOS, Windows, musl): the variable is unread.
"""

from __future__ import annotations

import os
import sys

from reec.bom.heap import one_arena

__all__ = ["ENV", "KEEP_LARGE_BLOCKS", "keep_large_blocks"]

ENV = "_RJEM_MALLOC_CONF"
KEEP_LARGE_BLOCKS = "oversize_threshold:0"
"""No separate arena for large blocks (Polars' default returns those at once, the others over
0.5 s). Keeping freed pages longer saved a little more CPU but not the peak: over 2 s
(`dirty_decay_ms:2000`), 0.3 s less CPU and a 10M-line peak of up to 2.92 GiB against 2.7,
too near the 3 GiB target; all of them (`dirty_decay_ms:-1`), 3.6 GiB."""


def keep_large_blocks() -> bool:
    """Ask for `KEEP_LARGE_BLOCKS` unless the environment sets jemalloc already; True if the
    process will run with it (False too when Polars is loaded already: too late to ask). glibc
    is asked for one arena too (`reec.bom.heap.one_arena`), for the same reason."""
    one_arena()
    if "polars" in sys.modules:  # Polars put its defaults first; the last setting wins
        return os.environ.get(ENV, "").endswith(KEEP_LARGE_BLOCKS)
    return os.environ.setdefault(ENV, KEEP_LARGE_BLOCKS) == KEEP_LARGE_BLOCKS
