"""Golden determination cases as data: every tests/golden/*.yaml is a test.

A case file holds `name`, `cites` (the clause it is traced to), an optional `as_of`, the
`shipment` (shared/FORMAT.md) and `expect`. Expectations are checked as a subset of the JSON
answer: verdict, licence_policy, per-item verdict / control_codes / figures, rule ids that must
appear with a given outcome, obligations and warnings by substring. Every case file is first
validated by `golden_spec.GoldenSpec` (unknown keys at any level fail collection).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings
from pydantic import ValidationError

from golden_spec import GoldenSpec
from reec.determine import determine
from reec.render import determination_to_dict
from reec.screening import default_screener
from reec.shipment_input import parse_shipment
from reec.yamlio import load_yaml_text

if TYPE_CHECKING:
    from sqlalchemy import Connection

GOLDEN = Path(__file__).parent / "golden"


def pytest_configure(config: pytest.Config) -> None:
    """Before any test module is imported:

    - No `COLUMNS` in the environment. pytest-xdist's workers set it to 80, and Rich fixes a
      console's width for good when `COLUMNS` is set at the moment the console is made; the
      CLI's consoles are made once per process, by whichever test first needs them. Made with
      no `COLUMNS`, they read each test's own (CliRunner's `env`) when they print.
    - Each test process gets a PostgreSQL database of its own, named after the run and the
      pytest-xdist worker, and drops it at the end: the store tests wipe the `public` schema
      before each test, and two processes wiping one database (two workers of `make unit`,
      or two test runs from two checkouts on one server) pull tables from under each other.
    """
    os.environ.pop("COLUMNS", None)
    url = os.environ.get("REEC_TEST_POSTGRES_URL")
    if not url:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    run = getattr(config, "workerinput", {}).get("testrunuid") or uuid.uuid4().hex
    name = f"reec_test_{run[:12]}_{worker}"
    base, _, _db = url.rpartition("/")
    from sqlalchemy import text

    with _admin(url) as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    os.environ["REEC_TEST_POSTGRES_URL"] = f"{base}/{name}"
    config.stash[_OWN_DATABASE] = (url, name)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drops the database `pytest_configure` made (FORCE: a test may leave a pooled
    connection open)."""
    made = config.stash.get(_OWN_DATABASE, None)
    if made is None:
        return
    url, name = made
    from sqlalchemy import text

    with _admin(url) as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


_OWN_DATABASE = pytest.StashKey[tuple[str, str]]()


@contextmanager
def _admin(url: str) -> Iterator[Connection]:
    from sqlalchemy import create_engine

    engine = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


settings.register_profile("reec", deadline=None)
settings.load_profile("reec")
"""No property test has a per-example deadline: speed is measured by the scripts under bench/,
and on a busy 2-core machine hypothesis' default 200 ms failed a correct test (one example of
tests/batch/test_csv_safe.py took 268 ms). Each test's own `@settings` inherit this."""


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and GOLDEN in file_path.parents:
        return GoldenFile.from_parent(parent, path=file_path)
    return None


class GoldenFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        raw = load_yaml_text(self.path.read_text(encoding="utf-8"), self.path.name)
        try:
            spec = GoldenSpec.model_validate(raw)
        except ValidationError as e:
            raise GoldenSpecError(f"{self.path.name}: not a valid golden case\n{e}") from e
        yield GoldenCase.from_parent(self, name=self.path.stem, spec=spec)


class GoldenSpecError(Exception):
    """A case file that does not follow tests/golden_spec.py: collecting it fails."""


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
    def __init__(self, *, spec: GoldenSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def runtest(self) -> None:
        spec = self.spec
        shipment = parse_shipment(spec.shipment, self.path.parent)
        answer = determination_to_dict(
            determine(shipment, as_of=spec.as_of, screener=default_screener())
        )
        exp = spec.expect
        problems: list[str] = []

        def check(label: str, got: Any, want: Any) -> None:
            if got != want:
                problems.append(f"{label}: expected {want!r}, got {got!r}")

        if exp.verdict is not None:
            check("verdict", answer["verdict"], exp.verdict.value)
        if "licence_policy" in exp.model_fields_set:
            policy = exp.licence_policy
            check("licence_policy", answer["licence_policy"], policy and policy.value)
        items = {i["id"]: i for i in answer["items"]}
        for item_id, want in exp.items.items():
            got = items.get(item_id)
            if got is None:
                problems.append(f"item {item_id} missing from the answer")
                continue
            for key in sorted(want.model_fields_set - {"figures"}):
                value = getattr(want, key)
                check(
                    f"{item_id}.{key}",
                    got[key],
                    value.isoformat() if isinstance(value, date) else value,
                )
            for fig, value in want.figures.items():
                figs = [r["figures"].get(fig) for r in got["reasons"] if fig in r["figures"]]
                if not any(f == pytest.approx(value, rel=1e-9) for f in figs):
                    problems.append(f"{item_id}.figures.{fig}: expected {value}, got {figs}")
        reasons = _all_reasons(answer)
        for want_rule in exp.reasons_include:
            if not _has_rule(reasons, want_rule):
                problems.append(f"reason {want_rule!r} missing")
        for want_rule in exp.reasons_exclude:
            if _has_rule(reasons, want_rule):
                problems.append(f"reason {want_rule!r} present but must not be")
        obligations = [o["rule"].split(" [")[0] for o in answer["obligations"]]
        for want in exp.obligations_include:
            if want not in obligations:
                problems.append(f"obligation {want!r} missing (got {obligations})")
        for want in exp.obligations_exclude:
            if want in obligations:
                problems.append(f"obligation {want!r} present but must not be")
        if "contested" in exp.model_fields_set:
            got_contested = [
                {k: c[k] for k in ("reading", "verdict", "licence_policy")}
                for c in answer["contested"]
            ]
            want_contested = [c.model_dump(mode="json") for c in exp.contested or []]
            check("contested", got_contested, want_contested)
        for want in exp.warnings_include:
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
            return f"{self.spec.name} [{self.spec.cites}]\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"golden: {self.name}"
