"""One shipment's few names take a Python path (no NumPy); it must give exactly what the bulk
(array) path gives: same entries, scores, explanations and order (issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reec.screening import ListScreener, default_screener
from reec.screening.quality import read_cases
from reec.screening.screener import NameQuery

CASES = Path(__file__).with_name("cases.csv")
INTL = Path(__file__).with_name("cases_intl.csv")


def _rows(found: list[Any]) -> list[list[tuple[str, float, str]]]:
    return [[(em.entry.key, em.match.score, em.match.explanation()) for em in row] for row in found]


def test_python_path_equals_the_array_path_on_the_labelled_cases() -> None:
    screener = default_screener()
    assert isinstance(screener, ListScreener)
    queries = [NameQuery(c.query, None, c.country) for c in read_cases(CASES)]
    queries += [NameQuery(c.query, None, None) for c in read_cases(CASES)[:200]]
    queries += [NameQuery(c.query, "三菱重工", "ZZ") for c in read_cases(CASES)[:20]]
    # Other scripts, head names, generic overlaps: every feature (sound, head, the penalties)
    queries += [NameQuery(c.query, None, c.country) for c in read_cases(INTL)]
    bulk = screener._match_names(queries)
    few = [
        row for i in range(0, len(queries), 7) for row in screener._match_few(queries[i : i + 7])
    ]
    assert _rows(few) == _rows(bulk)
    assert sum(map(len, bulk)) > 500  # the comparison covers many matches
    used = {f.name for row in bulk for em in row for f in em.match.features if f.value}
    assert used >= {"sound", "head", "unmatched_words", "country_mismatch", "token_set"}


def test_a_shipment_screens_without_numpy() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from datetime import date\n"
        "from reec.model import Party, PartyRole\n"
        "from reec.screening import default_screener\n"
        "r = default_screener().screen([Party(PartyRole.END_USER, 'IHI Aerospace Co Ltd', 'JP')],"
        " date(2026, 3, 1))\n"
        "assert r.hits\n"
        "print('numpy' in sys.modules)\n"
    )
    src = str(Path(__file__).parents[2] / "src")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PYTHONPATH": src, "PATH": ""},
    )  # fmt: skip
    assert done.stdout.strip() == "False"
