"""Kept checks in group commits (`reec.desk.keeper`, issue 16): every check kept once with its
own row and audit entry, the chain intact, fewer transactions than checks under concurrency,
one check's failure its own, and nothing queued lost on close."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from desk_helpers import assert_kept_once, clean_check
from sqlalchemy import select

import reec.desk.keeper as keeper_module
from reec.api.rules import Rules, load_rules
from reec.desk.check import CleanCheck, desk_determination, keep_clean
from reec.desk.keeper import CheckKeeper
from reec.store import audit
from reec.store.db import Store
from reec.store.tables import AuditRow, DeterminationRow


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


def test_concurrent_checks_are_kept_once_each_in_fewer_transactions(
    store: Store, rules: Rules
) -> None:
    checks = [clean_check(rules, n) for n in range(60)]
    keeper = CheckKeeper(store)
    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(keeper.keep, checks))
    keeper.close()
    assert len(set(ids)) == len(checks)
    assert keeper.batches < len(checks), "no two checks shared a commit"
    assert_kept_once(store, checks, ids)


def test_a_batch_keeps_what_one_transaction_per_check_keeps(store: Store, rules: Rules) -> None:
    """The rows and entries of a group commit are those of `desk_determination`, field by field
    (but the row ids, entry numbers and times)."""
    one, two = clean_check(rules, 1), clean_check(rules, 2)
    with store.transaction() as s:
        batched = keep_clean(s, [one, two])
    singly = [
        desk_determination(
            store, c.shipment_doc, c.shipment, c.regime, rules.screener, actor=c.actor, via="api"
        ).determination_id
        for c in (one, two)
    ]

    def kept(ids: list[Any]) -> list[tuple[Any, ...]]:
        with store.transaction() as s:
            rows = [s.get(DeterminationRow, i) for i in ids]
            entries = [
                s.scalars(select(AuditRow).where(AuditRow.subject == f"determination:{i}")).one()
                for i in ids
            ]
            out = []
            for row, entry in zip(rows, entries, strict=True):
                assert row is not None
                out.append(
                    (row.actor, row.as_of, row.verdict, row.regime_version, row.shipment,
                     row.trace, entry.actor, entry.action, entry.payload)
                )  # fmt: skip
            return out

    assert kept(list(batched)) == kept(singly)
    with store.transaction() as s:
        assert audit.verify(s).ok


def test_one_bad_check_fails_alone(
    store: Store, rules: Rules, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch that fails is retried check by check: the others are kept, the bad one's
    caller gets the error."""
    release = threading.Event()
    real = keeper_module.keep_clean  # type: ignore[attr-defined]  # patched where the keeper looks it up

    def keep_or_fail(s: Any, checks: list[CleanCheck]) -> list[int]:
        release.wait(10)  # the first write waits, so the rest queue into one batch
        if any(c.actor == "bad" for c in checks):
            raise RuntimeError("this check cannot be kept")
        return real(s, checks)

    monkeypatch.setattr(keeper_module, "keep_clean", keep_or_fail)
    keeper = CheckKeeper(store)
    first = keeper.submit(clean_check(rules, 0))
    queued = [
        keeper.submit(clean_check(rules, n, "bad" if n == 2 else "tester")) for n in (1, 2, 3)
    ]
    release.set()
    assert first.result(10) > 0
    assert queued[0].result(10) > 0
    assert queued[2].result(10) > 0
    with pytest.raises(RuntimeError, match="cannot be kept"):
        queued[1].result(10)
    keeper.close()
    with store.transaction() as s:
        assert len(s.scalars(select(DeterminationRow.id)).all()) == 3
        assert audit.verify(s).ok


def test_close_writes_what_is_queued(store: Store, rules: Rules) -> None:
    keeper = CheckKeeper(store)
    futures = [keeper.submit(clean_check(rules, n)) for n in range(5)]
    keeper.close()
    assert all(f.done() and f.result() > 0 for f in futures)
    with pytest.raises(RuntimeError, match="closed"):
        keeper.submit(clean_check(rules, 9))
