"""`reec batch` on the shipped example, and its errors: one line naming line and column."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from reec.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


def test_batch_csv_example(tmp_path: Path) -> None:
    out = tmp_path / "answers.parquet"
    result = runner.invoke(app, ["batch", str(EXAMPLES / "orders.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    df = pl.read_parquet(out)
    assert df.height == 12
    by_id = {r["line_id"]: r for r in df.iter_rows(named=True)}
    assert by_id["O-1001"]["verdict"] == "LICENCE_REQUIRED"
    assert by_id["O-1003"]["verdict"] == "SUSPENDED"  # Ho metal while No. 57 is suspended
    assert by_id["O-1004"]["verdict"] == "LICENCE_REQUIRED"  # after 2026-11-10
    assert by_id["O-1008"]["needs"] == "composition"
    assert "LICENCE_REQUIRED" in result.output


def _write(tmp_path: Path, **change: str) -> Path:
    df = pl.read_csv(EXAMPLES / "orders.csv", infer_schema=False).head(3)
    for column, value in change.items():
        df = df.with_columns(
            pl.when(pl.col("line_id") == "O-1002")
            .then(pl.lit(value))
            .otherwise(pl.col(column))
            .alias(column)
        )
    path = tmp_path / "bad.csv"
    df.write_csv(path)
    return path


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"value": "-5"}, "line O-1002, column value"),
        ({"composition": "Dy87"}, "line O-1002, column composition"),
        ({"form": "powder"}, "line O-1002, column form"),
        ({"importer_military": "maybe"}, "line O-1002, column importer_military"),
        ({"date": "2025-02-30"}, "line O-1002, column date"),
        ({"destination": "Germany"}, "line O-1002, column destination"),
    ],
)
def test_batch_errors_name_line_and_column(
    tmp_path: Path, change: dict[str, str], where: str
) -> None:
    result = runner.invoke(
        app, ["batch", str(_write(tmp_path, **change)), "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2
    assert where in result.output
    assert "Traceback" not in result.output


def test_batch_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    path.write_text("line_id,form\nA,oxide\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "required column(s) missing" in result.output


def test_batch_contested_column(tmp_path: Path) -> None:
    """Ho metal (No. 57, suspended by No. 70): settled on 2026-11-05 and 2027-01-20, contested
    on 2026-12-01 (the arrangement-extended reading keeps it SUSPENDED to 2027-01-10)."""
    df = pl.read_csv(EXAMPLES / "orders.csv", infer_schema=False)
    ho = df.filter(pl.col("line_id") == "O-1003")
    days = ("2026-11-05", "2026-12-01", "2027-01-20")
    rows = pl.concat(
        [ho.with_columns(pl.lit(d).alias("date"), pl.lit(f"H-{d}").alias("line_id")) for d in days]
    )
    path, out = tmp_path / "ho.csv", tmp_path / "ho-out.csv"
    rows.write_csv(path)
    result = runner.invoke(app, ["batch", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = {
        r["line_id"]: (r["verdict"], r["contested"] or "")
        for r in pl.read_csv(out, infer_schema=False).iter_rows(named=True)
    }
    assert got["H-2026-11-05"] == ("SUSPENDED", "")
    verdict, contested = got["H-2026-12-01"]
    assert verdict == "LICENCE_REQUIRED"
    assert contested.startswith("arrangement-extended: SUSPENDED [MOFCOM readout of 2026-09-28")
    assert got["H-2027-01-20"] == ("LICENCE_REQUIRED", "")
