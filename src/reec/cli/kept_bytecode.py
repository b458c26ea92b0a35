"""The byte code of the source text CPython generates while a command imports, kept on disk.

CPython 3.11 writes each method of a dataclass (`__init__`, `__repr__`, `__eq__`, ...) as source
text and compiles it (`dataclasses._create_fn`), and `typing` compiles every annotation given
as a string (`typing.ForwardRef`; pydantic-core's TypedDicts hold hundreds). A cold `reec check`
compiled about 1,350 such texts, 531 methods and 817 annotations: some 300 M of its 1,130 M
instructions (docs/performance.md, cold start), for the same texts in every process.

Compiling is a function of the text, the mode, the compiler flags and the interpreter only, so,
as Python's own `.pyc` files keep a module's code, `kept_bytecode` keeps each text's code object
(`marshal`, the `.pyc` format) in the user's cache folder (`reec.diskcache.cache_dir`) and hands
it to `exec` instead of the text. The functions and annotations are the same objects as before:
only the parsing and compiling are skipped.

How: `dataclasses` and `typing` look `exec` and `compile` up among their module's names before
the built-ins, so for the duration of the command each module is given its own `exec` or
`compile` that looks the text up first (`_exec_kept`, `_compile_kept`); both behave exactly as
the built-in (the caller's `from __future__` flags and frame included) and give every other call
to the built-in. On leaving, the names are removed and the file is written again if this process
compiled a text it did not hold.

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

_Key = tuple[str, int, str]
"""(mode, flags, source text)."""


def _stamp() -> bytes:
    """What the code objects are valid for: this interpreter and its optimisation level."""
    return f"reec-bytecode\0{sys.version}\0{MAGIC_NUMBER.hex()}\0{sys.flags.optimize}\0".encode()


class KeptCode:
    """The code objects of the texts held, and those compiled or used by this process."""

    def __init__(self, held: dict[_Key, CodeType]) -> None:
        self.held = held
        self.used: set[_Key] = set()
        self.compiled: dict[_Key, CodeType] = {}

    def code(self, source: str, mode: str, flags: int) -> CodeType:
        """`compile(source, "<string>", mode, flags, dont_inherit=True)`, held or compiled."""
        key = (mode, flags, source)
        code = self.held.get(key)
        if code is not None:
            self.used.add(key)
            return code
        code = self.compiled.get(key)
        if code is None:
            code = compile(source, "<string>", mode, flags, dont_inherit=True)
            self.compiled[key] = code
        return code

    def to_write(self) -> dict[_Key, CodeType] | None:
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


_HOOKS: tuple[tuple[str, str, Callable[[KeptCode], Callable[..., Any]]], ...] = (
    ("dataclasses", "exec", _exec_with),
    ("typing", "compile", _compile_with),
)
"""The module, the built-in its generated text goes through, and the stand-in's maker."""


def _read(path: Path) -> dict[_Key, CodeType]:
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


def _write(path: Path, kept: dict[_Key, CodeType]) -> None:
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
    hooked: list[tuple[ModuleType, str]] = []
    for name, builtin, make in _HOOKS:
        module = importlib.import_module(name)
        if builtin not in vars(module):  # another stand-in is in place: leave it be
            setattr(module, builtin, make(kept))
            hooked.append((module, builtin))
    try:
        yield kept
    finally:
        for module, builtin in hooked:
            vars(module).pop(builtin, None)
        todo = kept.to_write()
        if todo is not None:
            _write(path, todo)
