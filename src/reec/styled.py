"""reec's own Rich styling, with whatever a user wrote kept as plain text.

The CLI's consoles print strings as they are, with Rich's markup and emoji codes off
(`reec.cli.base`): an item id such as `x[/b]` in a shipment file, or a bad `--as-of` value
echoed in an error, once stopped `reec check` with Rich's `MarkupError` and a traceback, and
`[bold]` or `:fire:` in a name was rendered instead of printed. Where reec styles a line
itself, `styled` reads reec's markup and puts each value in as escaped text, so the value
comes out exactly as it was written.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

__all__ = ["styled"]


def styled(template: str, *values: object) -> Text:
    """`template` (Rich markup with `{}` for each value) with `values` as literal text."""
    return Text.from_markup(template.format(*(escape(str(v)) for v in values)), emoji=False)
