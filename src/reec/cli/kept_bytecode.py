"""What CPython compiles from the same text in every process, kept on disk (cold start).

CPython 3.11 writes each method of a dataclass (`__init__`, `__repr__`, `__eq__`, ...) as source
text and compiles it (`dataclasses._create_fn`); `typing` compiles every annotation given as a
string (`typing.ForwardRef`; pydantic-core's TypedDicts hold hundreds); `re` compiles each
regular expression a module builds at import (PyYAML's class of non-printable characters
alone is 57 M instructions). A warm `reec check` compiled about 790 distinct texts and 56
patterns: some 380 M of its 1,130 M instructions (docs/performance.md, cold start), the same
texts in every process.

Compiling is a function of the text, the mode, the flags and the interpreter only, so, as
Python's own `.pyc` files keep a module's code, `kept_bytecode` keeps each text's code object
and each pattern's program for the regular-expression engine (both in `marshal`, the `.pyc`
format) in the user's cache folder (`reec.diskcache.cache_dir`), and uses them instead of the
text. The functions, annotations and patterns are the same objects as before: only the parsing
and compiling are skipped.

How: `dataclasses` and `typing` look `exec` and `compile` up among their module's names before
the built-ins, and `re.compile` calls `re._compiler.compile` on a miss of its own cache; for
the duration of the command each gets a stand-in that looks the text up first (`_exec_with`,
`_compile_with`, `_regex_with`). Each behaves exactly as what it stands in for (the caller's
`from __future__` flags and frame included) and gives every other call to it. On leaving, the
stand-ins are removed and the file is written again if this process compiled a text it did not
hold.

Correctness never depends on the file: it is keyed by the exact text, the mode and the flags,
and stamped with the interpreter's version, its byte-code magic number and optimisation level
and a CRC of its content; a missing, foreign (another user's), damaged or differently stamped
file is an empty one, and writing is atomic and may fail silently.
"""

from __future__ import annotations
import __future__

import builtins
import importlib
import marshal
import os
import sys
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

__all__ = ["BYTECODE_FILE", "KeptCode", "kept_bytecode"]

BYTECODE_FILE = f"bytecode-{sys.implementation.cache_tag}.marshal"
"""The file's name in the cache folder (one per Python minor version)."""

_MAX_TEXTS = 20_000
"""Beyond this many texts only those this process used are written back (about 0.4 kB each)."""

_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag
"""The compiler flags a `from __future__` import sets, which `exec` and `compile` inherit from
their caller."""

_REGEX_PROGRAM_SAME = (3, 11) <= sys.version_info[:2] <= (3, 13)
"""Pythons whose `re._compiler.compile` builds the program as `_regex_with` does (checked)."""

_Key = tuple[str, int, str | bytes]
"""(mode, flags, text): mode `exec` or `eval` for Python source, `re` for a pattern."""

_Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
"""A compiled pattern as `_sre.compile` takes it after the pattern: flags, code, number of
groups, group index by name, group names by index."""


_FORMAT = 2
"""What the file holds (1: code objects; 2: and patterns' programs)."""


def _stamp() -> bytes:
    """What the file is valid for: its format, this interpreter and its optimisation level."""
    return (
        f"reec-bytecode {_FORMAT}\0{sys.version}\0{MAGIC_NUMBER.hex()}\0{sys.flags.optimize}\0"
    ).encode()


class KeptCode:
    """What the texts held compile to, and what this process compiled or used."""

    def __init__(self, held: dict[_Key, Any]) -> None:
        self.held = held
        self.used: set[_Key] = set()
        self.compiled: dict[_Key, Any] = {}

    def get(self, key: _Key, build: Callable[[], Any]) -> Any:
        held = self.held.get(key)
        if held is not None:
            self.used.add(key)
            return held
        built = self.compiled.get(key)
        if built is None:
            built = self.compiled[key] = build()
        return built

    def code(self, source: str, mode: str, flags: int) -> CodeType:
        """`compile(source, "<string>", mode, flags, dont_inherit=True)`, held or compiled."""
        return self.get(  # type: ignore[no-any-return]  # a code object under these keys
            (mode, flags, source),
            lambda: compile(source, "<string>", mode, flags, dont_inherit=True),
        )

    def to_write(self) -> dict[_Key, Any] | None:
        """What the file should hold after this process; None when it holds it already."""
        if not self.compiled:
            return None
        if len(self.held) + len(self.compiled) <= _MAX_TEXTS:
            kept = dict(self.held)
        else:
            kept = {k: self.held[k] for k in self.used}
        kept.update(self.compiled)
        return kept


def _caller_flags(frame_depth: int) -> int:
    return sys._getframe(frame_depth).f_code.co_flags & _FUTURE_FLAGS


def _exec_with(kept: KeptCode) -> Callable[..., None]:
    real_exec = builtins.exec

    def _exec_kept(source: Any, globals: Any = None, locals: Any = None, /, **kwargs: Any) -> None:
        """`exec` as the built-in, a text's code taken from `kept`."""
        if globals is None:  # the built-in runs in its caller's namespace
            caller = sys._getframe(1)
            globals = caller.f_globals
            if locals is None:
                locals = caller.f_locals
        if type(source) is str:
            source = kept.code(source, "exec", _caller_flags(2))
        real_exec(source, globals, locals, **kwargs)

    return _exec_kept


def _compile_with(kept: KeptCode) -> Callable[..., Any]:
    real_compile = builtins.compile

    def _compile_kept(
        source: Any,
        filename: Any,
        mode: str,
        flags: int = 0,
        dont_inherit: bool = False,
        optimize: int = -1,
        **kwargs: Any,
    ) -> Any:
        """`compile` as the built-in; a plain text's code (`typing.ForwardRef`) from `kept`."""
        if (
            type(source) is str
            and filename == "<string>"
            and mode in ("eval", "exec")
            and not flags
            and optimize == -1
            and not kwargs
        ):
            return kept.code(source, mode, 0 if dont_inherit else _caller_flags(2))
        if not dont_inherit:  # the built-in inherits its caller's flags, not this frame's
            flags |= _caller_flags(2)
        return real_compile(source, filename, mode, flags, True, optimize, **kwargs)

    return _compile_kept


def _regex_with(kept: KeptCode) -> Callable[..., Any]:
    """`re._compiler.compile`, a text pattern's program taken from `kept`. The program is what
    that function hands `_sre.compile` (CPython 3.11 to 3.13 alike): the parsed pattern's flags,
    code and groups."""
    compiler: Any = importlib.import_module("re._compiler")
    parser: Any = importlib.import_module("re._parser")
    real_compile = compiler.compile
    sre = compiler._sre
    debug = compiler.SRE_FLAG_DEBUG

    def program(pattern: str | bytes, flags: int) -> _Program:
        parsed = parser.parse(pattern, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        code = [int(op) for op in compiler._code(parsed, flags)]  # marshal keeps plain ints
        groups = parsed.state.groups - 1
        return flags | parsed.state.flags, code, groups, groupindex, tuple(indexgroup)

    def _compile_regex(pattern: Any, flags: int = 0) -> Any:
        """`re._compiler.compile` as before, a text pattern's program from `kept`."""
        if type(pattern) not in (str, bytes) or type(flags) is not int or flags & debug:
            return real_compile(pattern, flags)
        return sre.compile(
            pattern, *kept.get(("re", flags, pattern), lambda: program(pattern, flags))
        )

    return _compile_regex


_HOOKS: tuple[tuple[str, str, Callable[[KeptCode], Callable[..., Any]]], ...] = (
    *((("re._compiler", "compile", _regex_with),) if _REGEX_PROGRAM_SAME else ()),
    ("dataclasses", "exec", _exec_with),
    ("typing", "compile", _compile_with),
)
"""The module, the name its text goes through, and the stand-in's maker (`re` first: importing
`dataclasses` compiles a pattern)."""


def _read(path: Path) -> dict[_Key, Any]:
    """The texts' code objects in `path`; empty for anything wrong with the file."""
    try:
        with path.open("rb") as f:
            if hasattr(os, "getuid") and os.fstat(f.fileno()).st_uid != os.getuid():
                return {}  # code another user could have written is never run
            data = f.read()
        stamp = _stamp()
        body = data[len(stamp) + 4 :]
        if not data.startswith(stamp) or data[len(stamp) : len(stamp) + 4] != _crc(body):
            return {}
        held = marshal.loads(body)
    except Exception:  # unreadable, truncated, damaged: compile again
        return {}
    return held if type(held) is dict else {}


def _crc(body: bytes) -> bytes:
    return zlib.crc32(body).to_bytes(4, "big")


def _write(path: Path, kept: dict[_Key, Any]) -> None:
    """Write `kept` atomically (a temporary file renamed into place); failures are ignored."""
    import tempfile

    try:
        body = marshal.dumps(kept)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".bytecode-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_stamp() + _crc(body) + body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:  # a read-only home, a full disk
        return


@contextmanager
def kept_bytecode() -> Iterator[KeptCode | None]:
    """Inside, the generated texts of `dataclasses` and `typing` are compiled at most once per
    cache folder; nothing changes when the cache is off (`REEC_CACHE_DIR=off`)."""
    from reec.diskcache import cache_dir

    folder = cache_dir()
    if folder is None:
        yield None
        return
    path = folder / BYTECODE_FILE
    kept = KeptCode(_read(path))
    hooked: list[tuple[ModuleType, str, Any]] = []
    for name, attr, make in _HOOKS:
        module = importlib.import_module(name)
        before = vars(module).get(attr)
        # the built-in, or the module's own function: another stand-in is left be
        if before is None or getattr(before, "__module__", None) == name:
            setattr(module, attr, make(kept))
            hooked.append((module, attr, before))
    try:
        yield kept
    finally:
        for module, attr, before in hooked:
            if before is None:
                vars(module).pop(attr, None)
            else:
                setattr(module, attr, before)
        todo = kept.to_write()
        if todo is not None:
            _write(path, todo)
