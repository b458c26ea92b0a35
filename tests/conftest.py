"""Golden determination cases as data: every tests/golden/*.yaml is a test.

A case file holds `name`, `cites` (the clause it is traced to), an optional `as_of`, the
`shipment` (shared/FORMAT.md) and `expect`. Expectations are checked as a subset of the JSON
answer: verdict, licence_policy, per-item verdict / control_codes / figures, rule ids that must
appear with a given outcome, obligations and warnings by substring.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reec.determine import determine
from reec.render import determination_to_dict
from reec.screening import default_screener
from reec.shipment_input import parse_shipment
from reec.yamlio import load_yaml_text

GOLDEN = Path(__file__).parent / "golden"
EXPECT_KEYS = {
    "verdict",
    "licence_policy",
    "items",
    "reasons_include",
    "reasons_exclude",
    "obligations_include",
    "obligations_exclude",
    "warnings_include",
    "needs",
    "contested",
}


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and GOLDEN in file_path.parents:
        return GoldenFile.from_parent(parent, path=file_path)
    return None


class GoldenFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        raw = load_yaml_text(self.path.read_text(encoding="utf-8"), self.path.name)
        yield GoldenCase.from_parent(self, name=self.path.stem, spec=raw)


class GoldenMismatchError(AssertionError):
    pass


def _all_reasons(answer: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(answer["reasons"])
    for item in answer["items"]:
        found.extend(item["reasons"])
    return found


def _has_rule(reasons: list[dict[str, Any]], want: str) -> bool:
    rule, _, outcome = want.partition(":")
    return any(r["rule"] == rule and (not outcome or r["outcome"] == outcome) for r in reasons)


class GoldenCase(pytest.Item):
    def __init__(self, *, spec: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self) -> None:
        spec = self.spec
        missing = {"name", "cites", "shipment", "expect"} - set(spec)
        if missing:
            raise GoldenMismatchError(f"case file lacks {sorted(missing)}")
        unknown = set(spec["expect"]) - EXPECT_KEYS
        if unknown:
            raise GoldenMismatchError(f"unknown expect keys {sorted(unknown)}")
        as_of = spec.get("as_of")
        shipment = parse_shipment(spec["shipment"], self.path.parent)
        day = as_of if isinstance(as_of, date) else None
        answer = determination_to_dict(determine(shipment, as_of=day, screener=default_screener()))
        exp = spec["expect"]
        problems: list[str] = []

        def check(label: str, got: Any, want: Any) -> None:
            if got != want:
                problems.append(f"{label}: expected {want!r}, got {got!r}")

        if "verdict" in exp:
            check("verdict", answer["verdict"], exp["verdict"])
        if "licence_policy" in exp:
            check("licence_policy", answer["licence_policy"], exp["licence_policy"])
        items = {i["id"]: i for i in answer["items"]}
        for item_id, want in (exp.get("items") or {}).items():
            got = items.get(item_id)
            if got is None:
                problems.append(f"item {item_id} missing from the answer")
                continue
            for key in (
                "verdict",
                "control_codes",
                "codes_not_in_force",
                "needs",
                "suspended_until",
            ):
                if key in want:
                    value = want[key]
                    check(
                        f"{item_id}.{key}",
                        got[key],
                        value.isoformat() if isinstance(value, date) else value,
                    )
            for fig, value in (want.get("figures") or {}).items():
                figs = [r["figures"].get(fig) for r in got["reasons"] if fig in r["figures"]]
                if not any(f == pytest.approx(value, rel=1e-9) for f in figs):
                    problems.append(f"{item_id}.figures.{fig}: expected {value}, got {figs}")
        reasons = _all_reasons(answer)
        for want in exp.get("reasons_include") or []:
            if not _has_rule(reasons, want):
                problems.append(f"reason {want!r} missing")
        for want in exp.get("reasons_exclude") or []:
            if _has_rule(reasons, want):
                problems.append(f"reason {want!r} present but must not be")
        obligations = [o["rule"].split(" [")[0] for o in answer["obligations"]]
        for want in exp.get("obligations_include") or []:
            if want not in obligations:
                problems.append(f"obligation {want!r} missing (got {obligations})")
        for want in exp.get("obligations_exclude") or []:
            if want in obligations:
                problems.append(f"obligation {want!r} present but must not be")
        if "contested" in exp:
            got_contested = [
                {k: c[k] for k in ("reading", "verdict", "licence_policy")}
                for c in answer["contested"]
            ]
            check("contested", got_contested, exp["contested"] or [])
        for want in exp.get("warnings_include") or []:
            if not any(want in w for w in answer["warnings"]):
                problems.append(f"no warning contains {want!r}")
        if problems:
            raise GoldenMismatchError(
                "\n".join(problems)
                + "\n--- answer ---\n"
                + json.dumps(answer, ensure_ascii=False, indent=1)[:6000]
            )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, GoldenMismatchError):
            return f"{self.spec.get('name')} [{self.spec.get('cites')}]\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"golden: {self.name}"
