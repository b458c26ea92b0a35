"""One trace vocabulary (issue 13, item 4): every reason's `kind` and `outcome` is a member of
`ReasonKind` / `Outcome`, each member is documented once (docs/format.md is generated from the
texts in reec.model), and the answer still carries the plain strings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from golden_spec import GoldenSpec
from reec.cli.docs import TRACE_BEGIN, TRACE_END, render_trace_section, with_trace_section
from reec.determine import determine
from reec.model import OUTCOME_TEXT, REASON_KIND_TEXT, Outcome, Reason, ReasonKind
from reec.render import determination_to_dict
from reec.screening import default_screener
from reec.shipment_input import parse_shipment
from reec.yamlio import load_yaml_text

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"


def test_every_member_has_its_text() -> None:
    assert set(REASON_KIND_TEXT) == set(ReasonKind)
    assert set(OUTCOME_TEXT) == set(Outcome)
    assert all(text.strip() for text in (*REASON_KIND_TEXT.values(), *OUTCOME_TEXT.values()))


def test_format_doc_holds_the_generated_section() -> None:
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    assert text.count(TRACE_BEGIN) == 1
    assert text.count(TRACE_END) == 1
    assert render_trace_section() in text, "docs/format.md is stale: run reec docs trace"
    assert with_trace_section(text) == text


def test_the_section_is_replaced_not_repeated() -> None:
    once = with_trace_section("# Doc\n")
    assert with_trace_section(once) == once
    stale = once.replace("`control_entry`", "`old_kind`")
    assert with_trace_section(stale) == once


def _walk(reasons: tuple[Reason, ...]) -> list[Reason]:
    return [x for r in reasons for x in (r, *_walk(r.children))]


def _cases() -> list[Path]:
    return sorted(GOLDEN.glob("*.yaml"))


@pytest.mark.parametrize("path", _cases()[::7], ids=lambda p: p.stem)
def test_every_reason_speaks_the_vocabulary(path: Path) -> None:
    """A sample of the golden cases (every 7th): the kinds and outcomes are enum members, and
    the JSON answer carries their plain string values."""
    spec = GoldenSpec.model_validate(load_yaml_text(path.read_text(encoding="utf-8"), path.name))
    det = determine(
        parse_shipment(spec.shipment, path.parent), as_of=spec.as_of, screener=default_screener()
    )
    reasons = _walk((*det.reasons, *(r for i in det.items for r in i.reasons)))
    assert reasons
    for r in reasons:
        assert type(r.kind) is ReasonKind, (r.rule, r.kind)
        assert type(r.outcome) is Outcome, (r.rule, r.outcome)
    answer = json.loads(json.dumps(determination_to_dict(det), default=str))
    first = answer["items"][0]["reasons"][0]
    assert type(first["kind"]) is str
    assert first["kind"] in {k.value for k in ReasonKind}
    assert type(first["outcome"]) is str
    assert first["outcome"] in {o.value for o in Outcome}
