"""Large BOMs keep the memory they free for their next array instead of handing it back.

glibc serves every block over 32 MiB (10M int64s are 80 MB) with its own mmap and returns it
with munmap when freed, so each of the many whole-column temporaries of a 10M-line BOM starts on
fresh pages that the kernel must fault in and zero: half the CPU of reading such a file was
system time (1.1M page faults). Inside `kept_heap` NumPy's blocks come from the heap instead,
and freed blocks are reused (10M-line Parquet file: about 1.7 s less CPU reading and 0.5 s less
rolling up, same peak memory). On leaving, the usual settings are restored, and the free memory
is returned to the system a moment later (`RETURN_AFTER`) unless another large BOM has come in:
a BOM read and then rolled up reuses the read's memory (10M lines: the roll-up's 0.8 s of system
time refaulting it), and a long-running server still does not keep it. Without glibc (musl,
macOS) nothing changes.

Inside, NumPy also stops asking the kernel for transparent huge pages for its large arrays
(`madvise(MADV_HUGEPAGE)`, NumPy's default on Linux): on the VM the figures come from, a huge
page met for the first time costs more than the small pages it replaces (kernel zeroing;
10M-line Parquet file, 4 pairs under load: system time 6.6-7.6 -> 4.1-4.8 s, user time and peak
unchanged, page faults 0.9M -> 1.3M small ones). NumPy's setting is put back on leaving.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["LARGE", "RETURN_AFTER", "huge_pages", "kept_heap", "one_arena"]

LARGE = 1 << 20
"""Lines from which a BOM is worth it (below, the temporaries stay under glibc's threshold)."""

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_M_ARENA_MAX = -8
_DEFAULT_TRIM = 128 * 1024
_DEFAULT_MMAP_MAX = 65536
"""glibc's defaults (mallopt(3))."""
_NEVER = 2**31 - 1
"""The largest setting mallopt takes: no trimming while inside."""

RETURN_AFTER = 1.0
"""Seconds after the last large BOM leaves before its free memory goes back to the system."""

_lock = threading.Lock()
_depth = 0
_timer: threading.Timer | None = None
_huge_before = True
"""NumPy's huge-page advice before the outermost `kept_heap`, put back on leaving it."""


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library this process runs on, if it is glibc (has mallopt and malloc_trim)."""
    try:
        lib = ctypes.CDLL(None)  # the symbols already loaded: no library search at run time
        lib.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None  # musl, macOS: no mallopt or no malloc_trim
    return lib


def one_arena() -> bool:
    """Threads that first allocate after this share glibc's main arena (`mallopt(M_ARENA_MAX,
    1)`); True where glibc took it. Called at the start of `reec bom explain`, before any thread
    (Polars', pyarrow's, the BOM's worker thread) has allocated: glibc fixes the number of arenas
    when one is first needed, and a thread's own arena serves every block over its 64 MiB heaps
    with a fresh `mmap`, unmapped when freed, whatever `kept_heap` says, so each of the worker
    thread's 80 MB temporaries at 10M lines started on fresh pages (10M-line Parquet file:
    page faults 1.54M -> 1.11M, system time 5.7 -> 4.0 s, peak 2.5 -> 2.2 GiB, under load).
    The process's threads then take turns at one arena's lock: a command that allocates from
    many threads at once (a server) keeps glibc's default, and so does a process given its own
    `MALLOC_ARENA_MAX` (or glibc tunable)."""
    if "MALLOC_ARENA_MAX" in os.environ or "arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return False  # the user's own setting stands
    lib = _libc()
    return lib is not None and bool(lib.mallopt(_M_ARENA_MAX, 1))


def _set(lib: ctypes.CDLL, trim: int, mmap_max: int) -> None:
    lib.mallopt(_M_TRIM_THRESHOLD, trim)
    lib.mallopt(_M_MMAP_MAX, mmap_max)


def huge_pages(enabled: bool) -> bool:
    """NumPy's advice to back its large arrays with transparent huge pages, set; the setting it
    replaces (True where this NumPy has no such switch: nothing to put back)."""
    from numpy._core import multiarray  # the switch is private: looked up, not relied on

    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    return bool(switch(enabled)) if switch is not None else True


@contextmanager
def kept_heap(lines: int) -> Iterator[None]:
    """Freed blocks reused, and NumPy's huge pages off, while a BOM of `lines` lines is built
    or rolled up (nests)."""
    global _depth, _timer, _huge_before
    if lines < LARGE:
        yield
        return
    lib = _libc()
    with _lock:
        _depth += 1
        if _depth == 1:
            _huge_before = huge_pages(False)
            if lib is not None:
                if _timer is not None:
                    _timer.cancel()  # the last BOM's free memory serves this one
                _set(lib, _NEVER, 0)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                huge_pages(_huge_before)
                if lib is not None:
                    _set(lib, _DEFAULT_TRIM, _DEFAULT_MMAP_MAX)
                    _timer = threading.Timer(RETURN_AFTER, _return, (lib,))
                    _timer.daemon = True  # a process may exit before: its memory goes with it
                    _timer.start()


def _return(lib: ctypes.CDLL) -> None:
    with _lock:
        if _depth == 0:
            lib.malloc_trim(0)
