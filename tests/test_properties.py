"""Properties of the engine over generated shipments (hypothesis).

1. Determinism: the same shipment on the same day gives the same JSON answer.
2. Monotonicity in composition: for the forms whose control entries (and No. 61 Annex 1 lines)
   match only by the *presence* of elements (`all_of` / `any_of`, never `principal`), adding an
   element to an item's composition, other percentages unchanged, never lowers the item's
   verdict (NOT_CONTROLLED < SUSPENDED < NEEDS_FACTS < LICENCE_REQUIRED) and never removes a
   control code, except that an alloy named by its constituents is re-named by a sibling entry
   of the same parent (Sm-Co alloy -> Sm-Fe alloy once Fe outweighs Co: issue 12), and that an
   item read under another form of its group (`form_groups`) carries that reading's codes.
   (Keyword entries, 1C914.c on compounds, do not read the composition, so they cannot flip.)
   Metals and targets are excluded on purpose: their `principal` rule ("a metal *of* Dy") can
   stop matching when another element becomes the largest constituent.
3. Time: two days inside one interval of `Regime.boundaries()` (no provision changes status
   between them) give the same verdicts and licence policy.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from reec.classify import clear_memo
from reec.determine import determine
from reec.model import (
    Activity,
    EndUse,
    Exporter,
    Form,
    Item,
    Money,
    Party,
    PartyRole,
    Shipment,
)
from reec.regime.loader import load_regime_data
from reec.regime.snapshot import Regime, load_regime
from reec.render import determination_to_dict

REGIME = load_regime()
FRESH_REGIME = Regime(load_regime_data())
"""Loaded apart from `REGIME`: none of its per-regime caches are shared."""
SETTINGS = settings(max_examples=200, deadline=None)

ELEMENTS = sorted(
    {
        e
        for entry in REGIME.entries
        for e in (*entry.match.all_of, *entry.match.any_of)
        if e not in ("La", "Ce", "Pr", "Pm")
    }
    | {"O", "F", "Cl", "Si", "Ce", "La"}
)
"""Controlled elements, their usual partners, and two uncontrolled rare earths."""

PRESENCE_FORMS: list[Form] = sorted(
    f
    for f in Form
    if REGIME.entries_by_form[f]
    and all(e.match.principal is None for e in REGIME.entries_by_form[f])
    and all(a.match.principal is None for a in REGIME.annex1 if f in a.match.forms)
    and f is not Form.TECHNOLOGY
)

INTERESTING_DAYS = sorted(
    {d + timedelta(days=k) for d in REGIME.boundaries() for k in (-1, 0, 1)}
    | {REGIME.current_as_of + timedelta(days=1)}
)


def test_presence_forms_are_the_expected_ones() -> None:
    # States which forms property 2 covers, so a data change that adds a `principal` rule to
    # one of them is noticed here rather than silently narrowing the property.
    assert Form.OXIDE in PRESENCE_FORMS
    assert Form.COMPOUND in PRESENCE_FORMS
    assert Form.ALLOY in PRESENCE_FORMS
    assert Form.MAGNET in PRESENCE_FORMS
    assert Form.METAL not in PRESENCE_FORMS
    assert Form.TARGET not in PRESENCE_FORMS


percent = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("20"), places=1)
"""At most 4 elements of <= 20 % plus one added: every composition stays <= 100 %."""
compositions = st.dictionaries(st.sampled_from(ELEMENTS), percent, min_size=1, max_size=4)


@st.composite
def items(draw: st.DrawFn, forms: list[Form] | None = None, ident: str = "L1") -> Item:
    form = draw(st.sampled_from(forms or list(Form)))
    origin = draw(st.sampled_from(["CN", "JP", None]))
    comp = draw(st.one_of(st.none(), compositions)) if forms is None else draw(compositions)
    contents: tuple[Item, ...] = ()
    if form in (Form.COMPONENT, Form.MAGNET) and draw(st.booleans()):
        child = Item(
            id=f"{ident}-c",
            form=Form.METAL,
            value=Money(Decimal(draw(st.integers(1, 50))), "USD"),
            path="items[0].contents[0]",
            composition={draw(st.sampled_from(["Dy", "Tb", "Nd"])): Decimal(100)},
            origin=draw(st.sampled_from(["CN", "JP"])),
        )
        contents = (child,)
    return Item(
        id=ident,
        form=form,
        value=Money(Decimal(draw(st.integers(100, 10_000))), "USD"),
        path="items[0]",
        description=draw(st.sampled_from(["", "jet mill", "P507 extractant", "rotor"])),
        composition=comp,
        origin=origin,
        technology_activities=tuple(
            draw(st.lists(st.sampled_from(list(Activity)), max_size=2, unique=True))
        ),
        contents=contents,
    )


@st.composite
def shipments(draw: st.DrawFn, item_forms: list[Form] | None = None) -> Shipment:
    destination = draw(st.sampled_from(["DE", "US", "JP", "VN"]))
    military = draw(st.sampled_from([True, False, None]))
    return Shipment(
        date=draw(st.sampled_from(INTERESTING_DAYS)),
        exporter=Exporter("Example Exporter", draw(st.sampled_from(["CN", "DE", "JP"]))),
        destination=destination,
        items=(draw(items(item_forms)),),
        parties=(Party(PartyRole.END_USER, "Example User", destination, military=military),),
        end_uses=tuple(draw(st.lists(st.sampled_from(list(EndUse)), max_size=2, unique=True))),
    )


@SETTINGS
@given(shipments())
def test_same_input_same_answer_cold_and_warm(shipment: Shipment) -> None:
    """A cold determination (classification memo cleared, a separately loaded regime) and a
    warm one (the same shipment again) answer alike. tests/test_determinism.py compares whole
    processes under different PYTHONHASHSEED values."""
    clear_memo()
    cold = determination_to_dict(determine(shipment, FRESH_REGIME))
    first = determination_to_dict(determine(shipment, REGIME))
    warm = determination_to_dict(determine(shipment, REGIME))
    assert cold == first == warm


@SETTINGS
@given(
    shipments(item_forms=PRESENCE_FORMS),
    st.sampled_from(ELEMENTS),
    percent,
)
def test_adding_an_element_never_relaxes_the_verdict(
    shipment: Shipment, element: str, share: Decimal
) -> None:
    (item,) = shipment.items
    assert item.composition is not None
    richer = {**item.composition, element: item.composition.get(element, Decimal(0)) + share}
    more = Shipment(
        date=shipment.date,
        exporter=shipment.exporter,
        destination=shipment.destination,
        items=(
            Item(
                id=item.id,
                form=item.form,
                value=item.value,
                path=item.path,
                description=item.description,
                composition=richer,
                origin=item.origin,
                technology_activities=item.technology_activities,
                contents=item.contents,
            ),
        ),
        parties=shipment.parties,
        end_uses=shipment.end_uses,
    )
    before = determine(shipment, REGIME).items[0]
    after = determine(more, REGIME).items[0]
    assert after.verdict.rank >= before.verdict.rank, (before.verdict, after.verdict)
    if any(r.rule == "form-reading" for r in (*before.reasons, *after.reasons)):
        return  # read under another form of its group: the codes are that reading's
    parents = {c.rsplit(".", 1)[0] for c in after.control_codes}
    lost = set(before.control_codes) - set(after.control_codes)
    assert all(c.rsplit(".", 1)[0] in parents for c in lost), (lost, after.control_codes)


def _intervals() -> list[tuple[date, date]]:
    days = REGIME.boundaries()
    spans = [(days[0] - timedelta(days=400), days[0] - timedelta(days=1))]
    spans += [(a, b - timedelta(days=1)) for a, b in pairwise(days)]
    spans.append((days[-1], days[-1] + timedelta(days=800)))
    return spans


@SETTINGS
@given(shipments(), st.sampled_from(_intervals()), st.floats(0, 1), st.floats(0, 1))
def test_a_later_day_in_the_same_interval_gives_the_same_verdict(
    shipment: Shipment, span: tuple[date, date], a: float, b: float
) -> None:
    length = (span[1] - span[0]).days
    day1 = span[0] + timedelta(days=round(min(a, b) * length))
    day2 = span[0] + timedelta(days=round(max(a, b) * length))
    first = determine(shipment, REGIME, as_of=day1)
    later = determine(shipment, REGIME, as_of=day2)
    assert later.verdict is first.verdict
    assert later.licence_policy is first.licence_policy
    assert [i.verdict for i in later.items] == [i.verdict for i in first.items]
    assert [i.control_codes for i in later.items] == [i.control_codes for i in first.items]


def test_intervals_cover_every_boundary() -> None:
    starts = {a for a, _ in _intervals()}
    assert set(REGIME.boundaries()) <= starts
    assert date(2026, 11, 11) in starts  # the day No. 70's suspension ends (through 2026-11-10)
