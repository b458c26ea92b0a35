"""The byte code of generated methods and string annotations kept between runs
(reec.cli.kept_bytecode): the same functions and annotations as the built-ins make, nothing
left in place after the command, a damaged or foreign file is an empty one."""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import re
import typing
from pathlib import Path

import pytest

from reec.cli import kept_bytecode as kb
from reec.diskcache import CACHE_DIR_ENV


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    return tmp_path


def _point() -> type:
    """A dataclass made anew each call (with every generated method CPython writes)."""

    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        """A point."""

        x: int
        y: str = "o"

    return Point


def _run_twice() -> tuple[kb.KeptCode, kb.KeptCode]:
    runs = []
    for _ in range(2):
        with kb.kept_bytecode() as kept:
            assert kept is not None
            point = _point()
            assert repr(point(1)) == "_point.<locals>.Point(x=1, y='o')"
            assert point(1) < point(2)
            assert hash(point(1, "a")) == hash(point(1, "a"))
            with pytest.raises(dataclasses.FrozenInstanceError):
                point(1).x = 2
            ref = typing.ForwardRef("list[dict[str, int]]")
            assert ref.__forward_code__ == compile(ref.__forward_arg__, "<string>", "eval", 0, True)
            runs.append(kept)
    return runs[0], runs[1]


def test_a_second_run_compiles_nothing_and_makes_the_same_methods(folder: Path) -> None:
    first, second = _run_twice()
    assert len(first.compiled) >= 6  # __init__, __repr__, __eq__, 4 orders, __hash__, ...
    assert ("eval", 0, "list[dict[str, int]]") in first.compiled
    assert second.compiled == {}
    assert set(first.compiled) <= second.used
    for key, code in first.compiled.items():
        mode, flags, text = key
        assert second.held[key] == code == compile(text, "<string>", mode, flags, True)


def test_the_stand_ins_are_removed_after_the_command_also_on_an_error(folder: Path) -> None:
    def fail() -> None:
        with kb.kept_bytecode():
            assert "exec" in vars(dataclasses)
            assert "compile" in vars(typing)
            _point()
            raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        fail()
    assert "exec" not in vars(dataclasses)
    assert "compile" not in vars(typing)
    assert (folder / kb.BYTECODE_FILE).is_file()


def test_cache_off_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, "off")
    with kb.kept_bytecode() as kept:
        assert kept is None
        assert "exec" not in vars(dataclasses)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b[:-10] + bytes(10),  # damaged body: the CRC differs
        lambda b: b.replace(b"reec-bytecode 2", b"reec-bytecode 1"),  # another format
        lambda b: b"",
    ],
)
def test_a_damaged_file_is_an_empty_one(folder: Path, damage: typing.Any) -> None:
    _run_twice()
    path = folder / kb.BYTECODE_FILE
    path.write_bytes(damage(path.read_bytes()))
    first, _ = _run_twice()
    assert first.held == {}
    assert first.compiled  # compiled again, and written again
    assert kb._read(path)


def test_a_file_of_another_user_is_never_run(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _run_twice()
    monkeypatch.setattr(os, "getuid", lambda: os.stat(folder).st_uid + 1)
    assert kb._read(folder / kb.BYTECODE_FILE) == {}


_FUTURE_CALLER = """
from __future__ import annotations

def run(run_exec, run_compile, namespace):
    run_exec("def f(x: int) -> str: pass", namespace)
    return run_compile("x: int", "<string>", "exec")
"""


@pytest.mark.parametrize("future", [True, False])
def test_the_stand_ins_inherit_their_callers_future_flags_as_the_built_ins_do(
    future: bool,
) -> None:
    kept = kb.KeptCode({})
    source = _FUTURE_CALLER if future else _FUTURE_CALLER.replace("from __future__", "#")
    results = []
    for run_exec, run_compile in (
        (kb._exec_with(kept), kb._compile_with(kept)),
        (builtins.exec, builtins.compile),
    ):
        caller: dict[str, typing.Any] = {}
        exec(compile(source, "<caller>", "exec", dont_inherit=True), caller)
        namespace: dict[str, typing.Any] = {}
        code = caller["run"](run_exec, run_compile, namespace)
        results.append((namespace["f"].__annotations__, code.co_flags, code.co_code))
    assert results[0] == results[1]
    assert results[0][0] == ({"x": "int", "return": "str"} if future else {"x": int, "return": str})


def test_exec_without_a_namespace_runs_in_its_callers_as_the_built_in_does() -> None:
    run_exec = kb._exec_with(kb.KeptCode({}))
    namespace: dict[str, typing.Any] = {"run_exec": run_exec}
    exec("def g():\n    run_exec('SEEN = 1')\ng()\nrun_exec('TOP = 2')", namespace)
    assert namespace["TOP"] == 2
    assert "SEEN" not in namespace  # a function's locals, as with the built-in


def test_other_compiles_go_to_the_built_in() -> None:
    kept = kb.KeptCode({})
    run_compile = kb._compile_with(kept)
    assert run_compile("1 + 1", "f.py", "eval").co_filename == "f.py"
    tree = run_compile("x = 1", "<string>", "exec", 0x400)  # ast.PyCF_ONLY_AST
    assert type(tree).__name__ == "Module"
    with pytest.raises(SyntaxError):
        run_compile("not an expression (", "<string>", "eval")
    assert kept.compiled == {}


PATTERNS = [
    (r"(?P<year>\d{4})-(?P<month>\d\d)(?:-(?P<day>\d\d))?", 0),
    (r"(a)(?(1)b|c)", 0),
    (r"(?<=x)y+?", re.IGNORECASE),
    ("(?x) a  # a comment\n [b-d]+", 0),
    (r"(?>ab|a)c", 0),
    (r"a++b", 0),
    (r"\bword\b", re.ASCII),
    (r"(?i)straße", 0),
    (r"(\w+)\s\1", re.MULTILINE | re.DOTALL),
    (rb"[\x80-\xff]", 0),
    ("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", 0),
]
"""Named groups, back references, conditions, look-behind, verbose, atomic and possessive
forms, flags inline and passed, a large class (PyYAML's non-printable characters), bytes."""


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_a_kept_pattern_is_the_pattern_re_compiles(pattern: str | bytes, flags: int) -> None:
    compiler = re._compiler  # type: ignore[attr-defined]  # re's own compiler module
    kept = kb.KeptCode({})
    first = kb._regex_with(kept)(pattern, flags)
    again = kb.KeptCode(marshal.loads(marshal.dumps(kept.compiled)))  # as read from the file
    second = kb._regex_with(again)(pattern, flags)
    assert again.compiled == {}
    real = compiler.compile(pattern, flags)
    for made in (first, second):
        assert made == real  # the same pattern, flags and program
        assert (made.groupindex, made.groups, made.flags) == (
            real.groupindex,
            real.groups,
            real.flags,
        )
        text = "x1999-12-31 yy word word Straße \x07"
        data: str | bytes = text.encode() if isinstance(pattern, bytes) else text
        assert [m.span() for m in made.finditer(data)] == [m.span() for m in real.finditer(data)]


def test_other_patterns_go_to_re() -> None:
    kept = kb.KeptCode({})
    compile_regex = kb._regex_with(kept)
    parsed = re._parser.parse("a+", 0)
    assert compile_regex(parsed, 0).match("aa")
    with pytest.raises(re.error):
        compile_regex("(unclosed", 0)
    assert kept.compiled == {}


def test_re_compile_goes_through_the_kept_programs_inside_only(folder: Path) -> None:
    compiler = re._compiler  # type: ignore[attr-defined]  # re's own compiler module
    real = compiler.compile
    pattern = f"kept-{os.getpid()}-[0-9]+"  # not in re's own cache
    with kb.kept_bytecode() as kept:
        assert compiler.compile is not real
        assert re.compile(pattern).fullmatch(f"kept-{os.getpid()}-7")
        assert kept is not None
        assert ("re", 0, pattern) in kept.compiled
    assert compiler.compile is real
