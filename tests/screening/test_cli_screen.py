"""`reec screen`: CSV in, hits CSV out; input errors are one line, never a traceback."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from reec.cli import app

runner = CliRunner()


def _run(tmp_path: Path, parties: str, *extra: str) -> tuple[int, str, list[dict[str, str]]]:
    src = tmp_path / "parties.csv"
    src.write_text(parties, encoding="utf-8")
    out = tmp_path / "hits.csv"
    res = runner.invoke(app, ["screen", str(src), "--out", str(out), *extra])
    text = out.read_text(encoding="utf-8-sig") if out.exists() else ""
    rows = list(csv.DictReader(text.splitlines()))
    return res.exit_code, res.output, rows


def test_screen_csv_with_ownership(tmp_path: Path) -> None:
    own = tmp_path / "own.csv"
    own.write_text(
        "owner,owned,share\nExample Aero Holdings KK,Example Parts KK,60%\n"
        "Kawasaki Heavy Industries Aerospace Systems,Example Aero Holdings KK,0.55\n",
        encoding="utf-8",
    )
    code, output, rows = _run(
        tmp_path,
        "id,name,name_zh,country\n1,IHI Aerospace Co Ltd,,JP\n2,Example Parts KK,,JP\n"
        "3,Acme Widgets,,DE\n4,,斯巴鲁株式会社,\n5,Mitsubishi Materials Trading,,JP\n",
        "--as-of", "2026-03-01", "--ownership", str(own),
    )  # fmt: skip
    assert code == 0, output
    by_id = {(r["id"], r["status"]): r for r in rows}
    assert by_id[("1", "hit")]["announcement"] == "MOFCOM Announcement 2026 No. 11"
    assert by_id[("2", "affiliate")]["via_owner"] == "Kawasaki Heavy Industries Aerospace Systems"
    assert by_id[("3", "no_match")]["lists_checked"].startswith("control_list")
    assert by_id[("4", "hit")]["entry"] == "SUBARU Corporation"
    assert by_id[("5", "possible")]["entry"] == "Mitsubishi Materials Corporation"
    assert '"feature": "token_sort"' in by_id[("1", "hit")]["features"]
    assert "not cleared" in output
    # The summary counts names, each once, by its strongest status; rows are counted apart.
    strongest: dict[str, str] = {}
    order = ("hit", "affiliate", "possible", "no_match")
    for r in rows:
        now = strongest.get(r["id"], "no_match")
        strongest[r["id"]] = min(now, r["status"], key=order.index)
    assert len(rows) > len(strongest) == 5  # some name has more than one row
    counts = {s: list(strongest.values()).count(s) for s in order}
    expected = ", ".join(f"{counts[s]} {s}" for s in order if counts[s])
    assert expected == "2 hit, 1 affiliate, 1 possible, 1 no_match"
    assert "5 names screened as of 2026-03-01 in" in output
    assert f": {expected} ({len(rows)} rows)" in " ".join(output.split())


def test_unknown_column_is_an_input_error(tmp_path: Path) -> None:
    code, output, _ = _run(tmp_path, "nom,country\nX,DE\n")
    assert code == 2
    assert "missing column 'name'" in output
    assert "Traceback" not in output


def test_bad_role_names_row_and_column(tmp_path: Path) -> None:
    code, output, _ = _run(tmp_path, "name,role\nX,buyer\n")
    assert code == 2
    assert "row 2, column role" in output


def test_ownership_cycle_is_an_input_error(tmp_path: Path) -> None:
    own = tmp_path / "own.csv"
    own.write_text("owner,owned,share\nA,B,0.6\nB,A,0.6\n", encoding="utf-8")
    code, output, _ = _run(tmp_path, "name\nA\n", "--ownership", str(own))
    assert code == 2
    assert "ownership cycle" in output


def test_own_list_folder(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "own.yaml").write_text(
        "list: watch_list\nannouncement: In-house list\ndate_added: 2026-01-01\n"
        "confidence: inferred\nsource: internal\nmeasures: Review.\nentries:\n"
        "  - {name: Zyxw Trading, confidence: high, source: internal}\n",
        encoding="utf-8",
    )
    code, output, rows = _run(
        tmp_path, "name\nZyxw Trading Ltd\n", "--lists", str(lists), "--as-of", "2026-03-01"
    )
    assert code == 0, output
    assert rows[0]["announcement"] == "In-house list"
