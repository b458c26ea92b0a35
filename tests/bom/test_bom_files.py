"""Readers agree with each other, shipments resolve `bom:` files, the CLI explains."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from reec.bom.build import COLUMNS
from reec.bom.readers import read_bom
from reec.bom.rollup import rollup
from reec.cli import app
from reec.determine import determine
from reec.errors import BomError, InputError
from reec.model import Verdict
from reec.regime.snapshot import load_regime
from reec.shipment_input import read_shipment_file

ROWS = [
    ["", "R", "", "1500", "USD", "DE", "equipment", "", "", "Robot"],
    ["R", "axis", "3", "400", "USD", "DE", "component", "", "", "Axis"],
    ["R", "grip", "1", "300", "USD", "DE", "component", "", "", "Gripper"],
    ["axis", "servo", "1", "150", "USD", "JP", "component", "", "", "Servo"],
    ["grip", "servo", "2", "", "", "", "", "", "", ""],
    [
        "servo",
        "mag",
        "1",
        "20",
        "USD",
        "JP",
        "magnet",
        '{"Nd": 29, "Dy": 3, "Fe": 67, "B": 1}',
        "magnet_manufacturing",
        "Magnet",
    ],
    ["mag", "dy", "1", "0.4", "USD", "CN", "metal", "Dy:100", "", "Dy metal"],
]
EXAMPLES = Path(__file__).parents[2] / "examples"


def write(path: Path, rows: list[list[str]] = ROWS) -> Path:
    records = [dict(zip(COLUMNS, r, strict=True)) for r in rows]
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            w.writerows(rows)
    elif path.suffix == ".json":
        path.write_text(json.dumps(records), encoding="utf-8")
    elif path.suffix == ".parquet":
        pl.DataFrame(records, schema=dict.fromkeys(COLUMNS, pl.String)).write_parquet(path)
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(COLUMNS))
        for r in rows:
            sheet.append([float(v) if k in (2, 3) and v else (v or None) for k, v in enumerate(r)])
        book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet", ".xlsx"])
def test_every_reader_gives_the_same_rollup(tmp_path: Path, suffix: str) -> None:
    roll = rollup(read_bom(write(tmp_path / f"bom{suffix}")), load_regime())
    assert roll.bom.node_id(roll.bom.root) == "R"
    assert roll.decimal(roll.cn[roll.bom.root]) * 1500 == roll.decimal(roll.total[0]) * 2
    assert int(roll.technology[roll.bom.root]) != 0


def test_a_bad_row_is_named_as_the_spreadsheet_row(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[6][6] = "powder"
    with pytest.raises(BomError) as info:
        read_bom(write(tmp_path / "bad.csv", rows))
    assert info.value.field == "bad.csv: row 8, column form"


def shipment(tmp_path: Path, bom: str, day: str = "2026-11-20", extra: str = "") -> Path:
    path = tmp_path / "shipment.yaml"
    path.write_text(
        f"""date: {day}
exporter: {{name: Example Robotics GmbH, country: DE}}
destination: US
parties: [{{role: importer, name: Example Automation Inc., country: US}}]
end_uses: [civil]
{extra}items:
  - {{id: R, form: equipment, origin: DE, value: {{amount: 1500, currency: USD}}, bom: {bom}}}
""",
        encoding="utf-8",
    )
    return path


def test_a_shipment_reads_its_bom_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "boms").mkdir()
    write(tmp_path / "boms" / "robot.csv", ROWS[1:])
    result = determine(read_shipment_file(shipment(tmp_path, "boms/robot.csv")))
    assert result.verdict is Verdict.LICENCE_REQUIRED
    item = result.items[0]
    assert item.control_codes == ("1C905.a.4",)
    rule = next(r for r in item.reasons if r.rule == "no61-art1-1-value-share")
    assert rule.figures["cn_origin_value"] == 2.0
    assert rule.children[0].detail.startswith("dy (robot.csv: row 7)")
    assert any(r.rule == "no61-art1-2-technology" for r in item.reasons)


def test_a_bad_bom_is_an_input_error_before_any_verdict(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS[1:]] + [["dy", "axis", "1", "", "", "", "", "", "", ""]]
    write(tmp_path / "cyclic.csv", rows)
    with pytest.raises(BomError, match="cycle: "):
        read_shipment_file(shipment(tmp_path, "cyclic.csv"))


def test_currency_rates_in_the_shipment_convert_bom_values(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS[1:]]
    rows[5][3], rows[5][4] = "2.8", "CNY"
    write(tmp_path / "robot.csv", rows)
    with pytest.raises(InputError, match="unknown currency 'CNY'"):
        read_shipment_file(shipment(tmp_path, "robot.csv"))
    rates = 'currency_rates: {base: USD, rates: {CNY: "0.14"}}\n'
    result = determine(read_shipment_file(shipment(tmp_path, "robot.csv", extra=rates)))
    rule = next(r for r in result.items[0].reasons if r.rule == "no61-art1-1-value-share")
    assert rule.figures["cn_origin_value"] == pytest.approx(1.96)


def test_cli_explains_example_02_suspended_then_required() -> None:
    runner = CliRunner()
    path = str(EXAMPLES / "02-motor-with-tb-magnets-to-defence.yaml")
    first = runner.invoke(app, ["bom", "explain", path])
    assert first.exit_code == 0, first.output
    for token in ("0.4500%", "SUSPENDED", "2026-11-10", "2026-11-11", "M1-tb"):
        assert token in first.output
    later = runner.invoke(
        app, ["bom", "explain", path, "--as-of", "2026-11-20", "--format", "json"]
    )
    data = json.loads(later.output)
    assert data[0]["value_share"]["reaches"] is True
    assert data[0]["value_share"]["contributions"][0]["id"] == "M1-tb"
    assert "In force on 2026-11-20" in data[0]["value_rule"]["status"]


def test_cli_explains_a_bom_file_and_reports_errors_without_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app, ["bom", "explain", str(write(tmp_path / "r.csv")), "--as-of", "2025-11-30"]
    )
    assert ok.exit_code == 0, ok.output
    assert "Not yet effective on 2025-11-30" in ok.output
    rows = [list(r) for r in ROWS]
    rows[3][2] = "-1"
    bad = runner.invoke(app, ["bom", "explain", str(write(tmp_path / "b.csv", rows))])
    assert bad.exit_code == 2
    assert "row 5, column quantity" in bad.output
    assert "Traceback" not in bad.output


def test_example_02_as_of_dates() -> None:
    s = read_shipment_file(EXAMPLES / "02-motor-with-tb-magnets-to-defence.yaml")
    assert determine(s, as_of=date(2026, 11, 10)).verdict is Verdict.SUSPENDED
    assert determine(s, as_of=date(2026, 11, 11)).verdict is Verdict.LICENCE_REQUIRED
