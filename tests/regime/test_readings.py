"""Readings of an open dated fact are data: windows, the compiled reading, and settling the
question by editing data only (readings.yaml, MOFCOM/GAC 2025 No. 70, MOFCOM readout 2026-09-28)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from reec.determine import determine
from reec.model import EndUse, Exporter, Form, Item, Money, Party, PartyRole, Shipment, Verdict
from reec.regime.loader import bundled_data_dir, load_regime_data
from reec.regime.snapshot import ProvisionState, Regime, load_regime
from reec.screening import ListScreener, default_screener

HO_METAL = Shipment(
    date=date(2026, 12, 1),
    exporter=Exporter("Example Exporter", "CN"),
    destination="DE",
    parties=(Party(PartyRole.IMPORTER, "Example Industrie GmbH", "DE", military=False),),
    end_uses=(EndUse.CIVIL,),
    items=(
        Item(
            "H1",
            Form.METAL,
            Money(Decimal(10000), "USD"),
            "items[0]",
            composition={"Ho": Decimal("99.9")},
            origin="CN",
        ),
    ),
)


def test_the_open_question_and_its_readings() -> None:
    regime = load_regime()
    (q,) = regime.questions
    assert q.id == "kuala-lumpur-end"
    assert q.unknown_after == date(2027, 1, 10)
    default = [r for r in q.readings if r.default]
    assert [r.id for r in default] == ["text"]
    assert default[0].basis.confidence == "verified"
    (alt,) = q.alternatives
    assert (alt.id, alt.basis.confidence) == ("arrangement-extended", "inferred")
    assert "MOFCOM 2025 No. 61" in q.announcements


def test_windows_are_the_days_the_readings_differ() -> None:
    regime = load_regime()
    assert regime.reading_windows("arrangement-extended") == (
        (date(2026, 11, 11), date(2027, 1, 10)),
    )
    screener = default_screener()
    assert isinstance(screener, ListScreener)
    lists = screener.reading_windows("arrangement-extended")
    assert lists == ((date(2026, 11, 11), date(2027, 1, 10)),)
    assert date(2027, 1, 11) in regime.boundaries()


def test_the_reading_compiles_its_own_dates() -> None:
    regime = load_regime()
    under = regime.under("arrangement-extended")
    assert regime.under("arrangement-extended") is under
    no57 = regime.provision("MOFCOM-GAC-2025-57/list", "test")
    day = date(2026, 12, 1)
    assert regime.as_of(day).status(no57).state is ProvisionState.IN_FORCE
    alt = under.as_of(day).status(under.provisions[no57.key])
    assert alt.state is ProvisionState.SUSPENDED
    assert alt.suspension is not None
    assert alt.suspension.last_day == date(2027, 1, 10)


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), target)
    return target


def test_settling_the_question_is_a_data_change(tmp_path: Path) -> None:
    """MOFCOM confirms the extension: write 2027-01-10 into the suspensions, drop the
    readings, delete the question. Nothing is contested and the answer follows the new date."""
    data = _copy(tmp_path)
    for path in (data / "announcements").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\n    # Another reading.*\n    readings: \{[^}]*\}", "", text)
        path.write_text(text.replace("until: 2026-11-10", "until: 2027-01-10"), encoding="utf-8")
    (data / "readings.yaml").write_text("questions: []\n", encoding="utf-8")
    regime = Regime(load_regime_data(data))
    answer = determine(HO_METAL, regime)
    assert answer.verdict is Verdict.SUSPENDED
    assert answer.contested == ()
    assert answer.items[0].suspended_until == date(2027, 1, 10)


def test_the_bundled_answer_is_contested() -> None:
    answer = determine(HO_METAL)
    assert answer.verdict is Verdict.LICENCE_REQUIRED
    (c,) = answer.contested
    assert (c.reading, c.verdict, c.licence_policy) == (
        "arrangement-extended",
        Verdict.SUSPENDED,
        None,
    )
    assert "until 2027-01-10" in c.summary
