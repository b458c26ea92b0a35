"""Rewrite the feature table in docs/screening.md from the feature functions' docstrings
(`reec.screening.match.feature_table`); tests/screening/test_screener.py checks it is current.

    .venv/bin/python scripts/screening_features.py
"""

from __future__ import annotations

from pathlib import Path

from reec.screening.match import feature_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "screening.md"
START, END = "<!-- features:start -->\n", "\n<!-- features:end -->"


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(head + START + feature_table() + END + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
