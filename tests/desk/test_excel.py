"""Excel in and out: `reec screen` and `reec batch` read .xlsx; outputs are real workbooks, or
CSV with a UTF-8 byte-order mark so Excel shows Chinese names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from reec.cli import app
from reec.tabular import read_rows, write_rows

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def test_screen_reads_and_writes_excel(tmp_path: Path) -> None:
    src = _xlsx(
        tmp_path / "parties.xlsx",
        [["id", "name", "name_zh", "country"], [1, "IHI Aerospace Co Ltd", None, "JP"],
         [2, None, "斯巴鲁株式会社", None], [3, "Acme Widgets", None, "DE"]],
    )  # fmt: skip
    out = tmp_path / "hits.xlsx"
    res = runner.invoke(app, ["screen", str(src), "--out", str(out), "--as-of", "2026-03-01"])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:2] == b"PK"  # a zip: a workbook, not CSV under that name
    _, rows = read_rows(out)
    by_id = {(r["id"], r["status"]): r for r in rows}
    assert by_id[("1", "hit")]["announcement"] == "MOFCOM Announcement 2026 No. 11"
    assert by_id[("2", "hit")]["name_zh"] == "斯巴鲁株式会社"
    assert ("3", "no_match") in by_id


def test_screen_csv_output_has_a_byte_order_mark(tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    src.write_text("name,name_zh\n,斯巴鲁株式会社\n", encoding="utf-8")
    out = tmp_path / "hits.csv"
    res = runner.invoke(app, ["screen", str(src), "--out", str(out), "--as-of", "2026-03-01"])
    assert res.exit_code == 0, res.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,")
    assert "斯巴鲁株式会社" in raw.decode("utf-8-sig")


def test_batch_reads_and_writes_excel(tmp_path: Path) -> None:
    header, rows = read_rows(EXAMPLES / "orders.csv")
    src = tmp_path / "orders.xlsx"
    write_rows(src, header, rows[:5])
    out = tmp_path / "verdicts.xlsx"
    res = runner.invoke(app, ["batch", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    got_header, got = read_rows(out)
    assert "verdict" in got_header
    assert len(got) == 5
    assert all(r["verdict"] for r in got)
    csv_out = tmp_path / "verdicts.csv"
    assert runner.invoke(app, ["batch", str(src), "--out", str(csv_out)]).exit_code == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_text_from_the_data_never_becomes_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_rows(path, ["a"], [{"a": "=HYPERLINK(1)"}])
    cell = load_workbook(path).worksheets[0]["A2"]
    assert cell.data_type == "s"
    assert cell.value == "=HYPERLINK(1)"


def test_an_excel_file_that_is_not_one_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.xlsx"
    bad.write_text("name\nX\n", encoding="utf-8")
    res = runner.invoke(app, ["screen", str(bad), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert "not an Excel workbook" in res.output


def test_the_desk_from_the_command_line(tmp_path: Path, monkeypatch: Any) -> None:
    """reec desk check / reviews / decide / notice, reec parties, reec alerts, reec audit list."""
    import yaml
    from desk_helpers import MAP, erp_export, shipment

    monkeypatch.setenv("REEC_DATABASE_URL", f"sqlite:///{tmp_path / 'reec.db'}")
    monkeypatch.setenv("REEC_ACTOR", "officer")
    ship = tmp_path / "s.yaml"
    ship.write_text(yaml.safe_dump(shipment()), encoding="utf-8")

    def run(*args: str) -> str:
        res = runner.invoke(app, list(args))
        assert res.exit_code == 0, res.output
        return res.output

    assert "Review items raised: #1" in run("desk", "check", str(ship))
    run("desk", "reviews", "--out", str(tmp_path / "q.xlsx"))
    _, queue = read_rows(tmp_path / "q.xlsx")
    assert queue[0]["status"] == "open"
    assert "false_positive" in run("desk", "decide", "1", "false_positive", "--reason", "no")
    assert "cleared by officer" in run("desk", "check", str(ship))
    run("desk", "notice", "1", "--out", str(tmp_path / "n.docx"))
    assert (tmp_path / "n.docx").read_bytes()[:2] == b"PK"
    mapping = [a for m in MAP for a in ("--map", m)]
    assert "3 added" in run("parties", "import", str(erp_export(tmp_path / "e.xlsx")), *mapping)
    assert "first run" in run("parties", "rescreen", "--as-of", "2026-12-01")
    assert "C-3" in run("parties", "list")
    run("alerts", "--out", str(tmp_path / "a.csv"))
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbfid,")
    run("audit", "list", "--action", "review", "--out", str(tmp_path / "audit.csv"))
    _, trail = read_rows(tmp_path / "audit.csv")
    assert {r["action"] for r in trail} == {"review.raise", "review.decide"}
    bad = runner.invoke(app, ["desk", "decide", "1", "match", "--reason", "x"])
    assert bad.exit_code == 4
    assert "not open" in bad.output
