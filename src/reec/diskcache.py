"""What a fresh process would rebuild from unchanged files, kept on disk (cold start).

A `reec check` in a fresh process used to spend most of its time reading and validating the
YAML rule data and normalising the list names (docs/performance.md, cold start). `cached` keeps
what its `build` returns in a pickle in the user's cache folder, under a key that digests:

- the bytes of every input file (the data folder's files, a holidays file), so changed data is
  a different key, never a stale answer;
- reec's own source files (path, size and modification time, as Python's byte-code cache does),
  the libraries whose objects or results are kept, and the Python version, so an upgraded reec
  or library never reads what an older one wrote;
- what else the result depends on (`extra`: a folder's path, settings).

Correctness never depends on the cache: a missing, unreadable, truncated or corrupt file, one
not owned by the user, or one that fails to load is a miss (the result is built and written
again); writing is atomic (a temporary file renamed into place) and a failure to write is
ignored. Errors are never cached: `build` raising leaves nothing behind. The files are read
again after `build`, and the result is kept only if they did not change meanwhile.

`REEC_CACHE_DIR` names the folder; `REEC_CACHE_DIR=off` turns the cache off. The default is the
platform's user cache folder (`$XDG_CACHE_HOME/reec`, `~/.cache/reec`; `~/Library/Caches/reec`;
`%LOCALAPPDATA%\\reec\\cache`), created readable by the user only.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TypeVar

__all__ = ["CACHE_DIR_ENV", "cache_dir", "cached", "code_stamp", "files_digest"]

CACHE_DIR_ENV = "REEC_CACHE_DIR"
"""Folder of the cache; `off` (or `0`, `false`, `no`, empty) turns it off."""
_OFF = frozenset({"", "0", "off", "false", "no", "none"})
_KEEP = 8
"""Files kept per kind (several data folders in turn, e.g. `--data` and the bundled)."""
_LIBRARIES = ("pydantic", "pydantic_core", "yaml", "rigour", "rapidfuzz")
"""Libraries whose objects are pickled or whose results (normal forms) are kept."""

T = TypeVar("T")


def cache_dir() -> Path | None:
    """The cache folder, or None when REEC_CACHE_DIR turns the cache off."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured is not None:
        if configured.strip().lower() in _OFF:
            return None
        return Path(configured.strip()).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "reec" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "reec"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "reec"


def _stamp_tree(hasher: hashlib._Hash, root: Path) -> None:
    """Each source file's path below `root`, size and modification time, in path order. A
    walk with `os.scandir` and no path arithmetic per file: `os.walk` with `relpath` cost a
    warm `reec check` 9 M instructions more (docs/performance.md, cold start)."""
    base = str(root)
    cut = len(base) + 1
    rows: list[str] = []
    folders = [base]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                elif entry.name.endswith((".py", ".json")):
                    st = entry.stat()
                    rows.append(f"{entry.path[cut:]}:{st.st_size}:{st.st_mtime_ns}\n")
    rows.sort()
    hasher.update("".join(rows).encode())


@cache
def code_stamp() -> str:
    """reec's source files, the kept libraries' installed files and the Python version, as
    this process imported them (once per process)."""
    hasher = hashlib.sha256(sys.version.encode())
    hasher.update(str(pickle.HIGHEST_PROTOCOL).encode())
    _stamp_tree(hasher, Path(__file__).parent)
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin and os.path.exists(origin):
            st = os.stat(origin)
            hasher.update(f"{name}:{origin}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        else:
            hasher.update(f"{name}:absent\n".encode())
    return hasher.hexdigest()


def files_digest(files: Iterable[Path]) -> str | None:
    """sha256 over the names and bytes of `files`; None when one cannot be read."""
    hasher = hashlib.sha256()
    try:
        for path in files:
            data = path.read_bytes()
            hasher.update(f"{path}\0{len(data)}\0".encode())
            hasher.update(data)
    except OSError:
        return None
    return hasher.hexdigest()


def _load(path: Path) -> object:
    """The kept object, or the miss marker `_MISS` for anything wrong."""
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if hasattr(os, "getuid") and st.st_uid != os.getuid():
                return _MISS  # never unpickle what another user could have written
            return pickle.load(f)  # our own file, in a folder only we can write
    except Exception:  # a truncated or corrupt file, an unknown class: rebuild
        return _MISS


def _store(folder: Path, kind: str, path: Path, value: object) -> None:
    import tempfile  # only a miss writes: a cold `reec check` on a hit skips shutil, bz2, lzma

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        old = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-_KEEP]:
            stale.unlink(missing_ok=True)
    except Exception:  # a read-only home, a full disk, an object that cannot be pickled
        return


class _Miss:
    pass


_MISS = _Miss()


def cached(
    kind: str, of: type[T], files: Callable[[], list[Path]], extra: str, build: Callable[[], T]
) -> T:
    """`build()`, or what it returned before for the same `files` (their bytes), `extra` and
    code; a kept object that is not an `of` is a miss. `files` is called before and after a
    build: the result is kept only if the same files with the same bytes were read both times."""
    folder = cache_dir()
    if folder is None:
        return build()
    before = files_digest(files())
    if before is None:
        return build()
    key = hashlib.sha256(f"{kind}\0{extra}\0{before}\0{code_stamp()}".encode()).hexdigest()
    path = folder / f"{kind}-{key[:40]}.pickle"
    if path.is_file():
        kept = _load(path)
        if isinstance(kept, of):
            return kept
    value = build()
    if files_digest(files()) == before:
        _store(folder, kind, path, value)
    return value
