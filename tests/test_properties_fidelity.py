"""Properties of issue 12's readings over generated items (hypothesis).

1. Form/composition independence: an item of one composition gets the same verdict whichever
   form of its form group (regime.yaml `form_groups`) it is declared as: classification reads
   the substance under every form that could hold it and answers for the stricter reading.
2. The catch-all reaches every item: any item exported from China, listed or not, in any form,
   with or without a composition, on any day, for a WMD or terrorism end use needs a licence
   (ECL Art. 12(3), Dual-Use Items Regulations Art. 14(3)), with at least PRESUMPTION_OF_DENIAL;
   a suspension of the item's own entry never lifts it.
3. NOT_CONTROLLED is a positive finding: an item that is NOT_CONTROLLED never carries a missing
   fact whose strictest completion would give another answer (FORMAT.md).
4. Not an export: a Chinese firm's sale to Chinese parties inside China is never controlled,
   whatever the item, end use or day (ECL Art. 2(3)).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reec.determine import determine
from reec.model import (
    EndUse,
    Exporter,
    Form,
    Item,
    LicencePolicy,
    Money,
    Party,
    PartyRole,
    Shipment,
    Verdict,
)
from reec.regime.snapshot import load_regime

REGIME = load_regime()
SETTINGS = settings(max_examples=150, deadline=None)
GROUPS = [tuple(g.forms) for g in REGIME.data.meta.form_groups]
ELEMENTS = sorted(
    {e for entry in REGIME.entries for e in (*entry.match.all_of, *entry.match.any_of)}
    | {"O", "F", "Cu", "Ni", "La", "Ce"}
)
DAYS = sorted(
    {d + timedelta(days=k) for d in REGIME.boundaries() for k in (-1, 0, 1)}
    | {REGIME.current_as_of + timedelta(days=1)}
)
percent = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("25"), places=1)
compositions = st.dictionaries(st.sampled_from(ELEMENTS), percent, min_size=1, max_size=4)


def _item(form: Form, composition: dict[str, Decimal] | None, origin: str = "CN") -> Item:
    return Item(
        id="L1",
        form=form,
        value=Money(Decimal(1000), "USD"),
        path="items[0]",
        description="generated item",
        composition=composition,
        origin=origin,
    )


def _shipment(item: Item, day: object, exporter: str = "CN", **kw: object) -> Shipment:
    dest = str(kw.pop("destination", "DE"))
    parties = kw.pop("parties", (Party(PartyRole.END_USER, "Example User", dest, military=False),))
    end_uses = kw.pop("end_uses", (EndUse.CIVIL,))
    return Shipment(
        date=day,  # type: ignore[arg-type]  # a date drawn from DAYS
        exporter=Exporter("Example Exporter", exporter),
        destination=dest,
        items=(item,),
        parties=parties,  # type: ignore[arg-type]  # a tuple of Party or the default
        end_uses=end_uses,  # type: ignore[arg-type]  # a tuple of EndUse or the default
    )


def test_there_is_a_form_group_with_the_magnetostrictive_alloy() -> None:
    # States which readings property 1 covers, so a data change is noticed here.
    assert any(Form.MAGNETOSTRICTIVE in g and Form.ALLOY in g for g in GROUPS)


@SETTINGS
@given(
    st.sampled_from(GROUPS),
    compositions,
    st.sampled_from(DAYS),
    st.sampled_from(["CN", "KR"]),
    st.sampled_from(["CN", "JP"]),
)
def test_one_composition_one_verdict_whichever_form_of_its_group(
    group: tuple[Form, ...],
    composition: dict[str, Decimal],
    day: object,
    exporter: str,
    origin: str,
) -> None:
    verdicts = {
        form: determine(_shipment(_item(form, composition, origin), day, exporter), REGIME)
        .items[0]
        .verdict
        for form in group
    }
    assert len(set(verdicts.values())) == 1, verdicts


@SETTINGS
@given(
    st.sampled_from(list(Form)),
    st.one_of(st.none(), compositions),
    st.sampled_from([d for d in DAYS if d >= REGIME.provision("ECL-2020/art12_3", "t").effective]),
    st.sampled_from([EndUse.WMD, EndUse.TERRORISM]),
    st.sampled_from(["DE", "US", "JP", "HK"]),
)
def test_the_catch_all_reaches_every_item(
    form: Form, composition: dict[str, Decimal] | None, day: object, use: EndUse, dest: str
) -> None:
    answer = determine(_shipment(_item(form, composition), day, end_uses=(use,), destination=dest))
    (item,) = answer.items
    assert item.verdict is Verdict.LICENCE_REQUIRED
    assert any(r.rule == "catch-all-end-use" and r.outcome == "applies" for r in item.reasons)
    assert answer.licence_policy is not None
    assert answer.licence_policy.rank >= LicencePolicy.PRESUMPTION_OF_DENIAL.rank


@SETTINGS
@given(
    st.sampled_from(list(Form)),
    st.one_of(st.none(), compositions),
    st.sampled_from(DAYS),
    st.sampled_from(["CN", "KR"]),
    st.lists(st.sampled_from(list(EndUse)), max_size=2, unique=True),
    st.sampled_from([True, False, None]),
)
def test_not_controlled_is_never_given_while_a_deciding_fact_is_missing(
    form: Form,
    composition: dict[str, Decimal] | None,
    day: object,
    exporter: str,
    uses: list[EndUse],
    military: bool | None,
) -> None:
    parties = (Party(PartyRole.END_USER, "Example User", "US", military=military),)
    shipment = _shipment(
        _item(form, composition),
        day,
        exporter,
        destination="US",
        parties=parties,
        end_uses=tuple(uses),
    )
    (item,) = determine(shipment, REGIME).items
    if item.verdict is not Verdict.NOT_CONTROLLED:
        return
    for r in item.reasons:
        if r.outcome == "needs_fact":
            worst = r.figures.get("strictest_completion", r.facts.get("strictest_completion"))
            assert worst in (None, Verdict.NOT_CONTROLLED.value), r


@SETTINGS
@given(
    st.sampled_from(list(Form)),
    st.one_of(st.none(), compositions),
    st.sampled_from(DAYS),
    st.lists(st.sampled_from(list(EndUse)), max_size=2, unique=True),
)
def test_a_sale_inside_china_to_chinese_parties_is_not_an_export(
    form: Form, composition: dict[str, Decimal] | None, day: object, uses: list[EndUse]
) -> None:
    parties = (
        Party(PartyRole.IMPORTER, "Example Trading Co., Ltd.", "CN"),
        Party(PartyRole.END_USER, "Example Magnet Co., Ltd.", "CN", military=False),
    )
    shipment = _shipment(
        _item(form, composition), day, destination="CN", parties=parties, end_uses=tuple(uses)
    )
    answer = determine(shipment, REGIME)
    assert answer.verdict is Verdict.NOT_CONTROLLED
    assert answer.obligations == ()
    moved = replace(shipment, destination="DE")
    assert determine(moved, REGIME).items[0].reasons != answer.items[0].reasons
