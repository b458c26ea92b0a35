"""`reec docs settings`: docs/settings.md generated from the settings classes and the error
classes, so a new `REEC_*` setting or exit code cannot go undocumented (CI runs `--check`)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reec.cli.common import OUTCOME_EXITS, reporting_errors, write_or_check
from reec.errors import InputError

if TYPE_CHECKING:  # pydantic on use: `reec --help` and every other command import this module
    from pydantic import BaseModel

__all__ = [
    "OTHER_VARIABLES",
    "SETTINGS",
    "TRACE_BEGIN",
    "TRACE_END",
    "app",
    "error_classes",
    "render_settings_doc",
    "render_trace_section",
    "with_trace_section",
]

app = typer.Typer(help="Documentation generated from the code.", no_args_is_help=True)

SETTINGS: tuple[tuple[str, str], ...] = (
    ("reec.store.settings:StoreSettings", "The licence book"),
    ("reec.api.settings:ApiSettings", "The service (`reec serve`)"),
    ("reec.screening.settings:ScreeningSettings", "Party screening (docs/screening.md)"),
    ("reec.desk.settings:DeskSettings", "Compliance desk (docs/desk.md)"),
)
"""Every settings class of reec, with its section title (tests/test_habits.py: none missing)."""

OTHER_VARIABLES: tuple[tuple[str, str, str], ...] = (
    (
        "REEC_AUDIT_KEY",
        "unset",
        "Secret key of the audit log's head HMAC (read by `reec.store.audit` on each write; "
        "docs/security.md): with it, `reec audit verify` shows a chain rewritten or cut back by "
        "anyone without the key. Give every process that writes the licence book the same key; "
        "once the head is sealed, a process without it refuses to write. Unset: verify says the "
        "head is not keyed.",
    ),
    (
        "REEC_DATA_DIR",
        "unset (the bundled data)",
        "A folder of rule data to answer from instead of the bundled one (`--data`; docs/data.md).",
    ),
    (
        "REEC_HOLIDAYS_FILE",
        "unset",
        "A YAML file with State Council holiday notices not yet in the rule data (docs/data.md); "
        "the review clock counts on them instead of the provisional statutory calendar.",
    ),
    (
        "REEC_CACHE_DIR",
        "the user cache folder (`$XDG_CACHE_HOME/reec` or `~/.cache/reec`)",
        "Where commands keep the validated rule data and the indexed list names between runs, "
        "keyed by the bytes of the data files, reec's code and the libraries (docs/performance.md, "
        "cold start); changed data is never answered from it, a damaged file is rebuilt. "
        "`reec check` keeps the byte code of generated methods there too (docs/security.md). "
        "`off` turns it off.",
    ),
    (
        "REEC_DESK_FONT",
        "Debian's WenQuanYi Micro Hei",
        "A `.ttf`/`.ttc` font with Chinese glyphs for the desk's PDFs (docs/desk.md).",
    ),
    (
        "REEC_TEST_POSTGRES_URL",
        "unset",
        "Tests and `bench/licensing.py` also run on this PostgreSQL database (set by "
        "`scripts/test-env.sh`). It is wiped.",
    ),
)
"""Variables read outside a settings class (by the rule-data loader, by the tests)."""


def _class(ref: str) -> type[BaseModel]:
    module, _, name = ref.partition(":")
    cls: type[BaseModel] = getattr(importlib.import_module(module), name)
    return cls


def _prefix(cls: type[BaseModel]) -> str:
    """A pydantic-settings class names its prefix in `model_config`; a settings model read
    without pydantic-settings (`ScreeningSettings`, for the cold start) in its module's
    `ENV_PREFIX`."""
    given = cls.model_config.get("env_prefix")
    if given is None:
        given = importlib.import_module(cls.__module__).ENV_PREFIX
    return str(given)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _default(value: Any) -> str:
    from pydantic_core import PydanticUndefined

    if value is None or value is PydanticUndefined:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _settings_table(cls: type[BaseModel]) -> list[str]:
    prefix = _prefix(cls)
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, info in cls.model_fields.items():
        default = info.get_default(call_default_factory=False)
        rows.append(
            f"| `{(prefix + name).upper()}` | {_default(default)} | "
            f"{_cell(info.description or '')} |"
        )
    return rows


def error_classes() -> list[type[Exception]]:
    """Every subclass of `ReecError` (each module of reec imported, so none is missed)."""
    import reec
    from reec.errors import ReecError

    for m in pkgutil.walk_packages(reec.__path__, "reec."):
        if ".migrations" not in m.name:
            importlib.import_module(m.name)
    found: list[type[Exception]] = []
    todo: list[type[Exception]] = [ReecError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: (getattr(c, "exit_code", 0), c.__module__, c.__name__))


def _exit_table() -> list[str]:
    rows = [(code, f"| {code} | {_cell(when)} | | | |") for code, when in OUTCOME_EXITS]
    for cls in error_classes():
        doc = _cell((cls.__doc__ or "").strip().split("\n\n")[0])
        code = int(getattr(cls, "exit_code", 2))
        rows.append(
            (
                code,
                f"| {code} | {doc} | `{cls.__module__}.{cls.__name__}` | "
                f"`{getattr(cls, 'code', '')}` | {getattr(cls, 'http_status', '')} |",
            )
        )
    head = ["| exit | when | error class | `code` (API) | HTTP |", "|---|---|---|---|---|"]
    return head + [row for _, row in sorted(rows, key=lambda r: r[0])]


def render_settings_doc() -> str:
    lines = [
        "# Settings and exit codes",
        "",
        "<!-- Generated by `reec docs settings` from the settings and error classes; CI checks",
        "     it with `reec docs settings --check`. Edit the classes, not this file. -->",
        "",
        "reec reads `REEC_*` environment variables (pydantic-settings). Each table is one",
        "settings class; the meaning is the field's description in the code.",
    ]
    for ref, title in SETTINGS:
        lines += ["", f"## {title} (`{ref.replace(':', '.')}`)", "", *_settings_table(_class(ref))]
    lines += [
        "",
        "## Read outside a settings class",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
        *(f"| `{name}` | {default} | {_cell(text)} |" for name, default, text in OTHER_VARIABLES),
        "",
        "## Exit codes",
        "",
        "`reec` exits 0 whatever the verdict. An error is one line on stderr naming the field, and",
        "the exit code of its class; the HTTP API answers the same error as JSON with its `code`",
        "and HTTP status. A subclass inherits its parent's exit code unless it sets its own.",
        "",
        *_exit_table(),
        "",
    ]
    return "\n".join(lines)


@app.command("settings")
def settings(
    output: Annotated[Path, typer.Option("--out", help="Where to write it.")] = Path(
        "docs/settings.md"
    ),
    check_only: Annotated[
        bool, typer.Option("--check", help="Fail if the file differs from the code.")
    ] = False,
) -> None:
    """Write docs/settings.md: every REEC_* setting and every exit code, from the code."""
    with reporting_errors():
        write_or_check(
            output,
            render_settings_doc(),
            check_only=check_only,
            regenerate=f"reec docs settings --out {output}",
        )


TRACE_BEGIN = "<!-- BEGIN trace vocabulary: generated by `reec docs trace` from reec.model -->"
TRACE_END = "<!-- END trace vocabulary -->"


def render_trace_section() -> str:
    """docs/format.md's section on `kind` and `outcome`, from `ReasonKind` and `Outcome` and
    their texts (one vocabulary, documented once)."""
    from reec.model import OUTCOME_TEXT, REASON_KIND_TEXT, Outcome, ReasonKind

    return "\n".join(
        [
            TRACE_BEGIN,
            "## The trace: `kind` and `outcome`",
            "",
            "Every reason of the answer (and each of its `contributions`) has one `kind`, what",
            "sort of step it is, and one `outcome`, the branch it took. Both are closed",
            "vocabularies: the JSON Schema of the answer lists them, and a new one is a change",
            "of this contract.",
            "",
            "| kind | the step |",
            "|---|---|",
            *(f"| `{k.value}` | {_cell(REASON_KIND_TEXT[k])} |" for k in ReasonKind),
            "",
            "| outcome | the branch |",
            "|---|---|",
            *(f"| `{o.value}` | {_cell(OUTCOME_TEXT[o])} |" for o in Outcome),
            "",
            "`exclusion` and `exemption` are kept apart on purpose, though both end `exempted`: an",
            "exclusion puts the item outside the rule altogether (No. 62 Art. 6), an exemption",
            "leaves it inside the rule and waives only the licence (No. 61 Art. 5), so what the",
            "rule still asks (the report) stays due.",
            TRACE_END,
        ]
    )


def with_trace_section(text: str) -> str:
    """`text` (docs/format.md) with its generated section replaced, or appended."""
    section = render_trace_section()
    if TRACE_BEGIN in text and TRACE_END in text:
        head, _, rest = text.partition(TRACE_BEGIN)
        _, _, tail = rest.partition(TRACE_END)
        return head + section + tail
    return text.rstrip("\n") + "\n\n" + section + "\n"


@app.command("trace")
def trace(
    output: Annotated[Path, typer.Option("--out", help="The format document.")] = Path(
        "docs/format.md"
    ),
    check_only: Annotated[
        bool, typer.Option("--check", help="Fail if the section differs from the code.")
    ] = False,
) -> None:
    """Write the trace vocabulary (every reason kind and outcome) into docs/format.md."""
    with reporting_errors():
        if not output.is_file():
            raise InputError("no such file", field=str(output))
        current = output.read_text(encoding="utf-8")
        write_or_check(
            output,
            with_trace_section(current),
            check_only=check_only,
            regenerate=f"reec docs trace --out {output}",
        )
