"""`reec serve` keeps its loaded rules out of the garbage collector's full walks (reec.api.heap);
a reload lets the old rules go; an app built elsewhere (the tests) freezes nothing."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from fastapi.testclient import TestClient

from reec.api.app import create_app
from reec.api.heap import refreeze
from reec.store.db import Store

SERVE = textwrap.dedent(
    """
    import gc, weakref
    from fastapi.testclient import TestClient
    from reec.api.app import serving_app
    from reec.api.rules import reload_rules

    from reec.screening.normalize import _rigour

    app = serving_app()
    assert gc.get_freeze_count() == 0
    _rigour.cache_clear()  # built already if the screener's index was (no cached index)
    with TestClient(app):
        preloaded = _rigour.cache_info().currsize == 1  # before any request
        frozen = gc.get_freeze_count()
        old = weakref.ref(app.state.rules.regime.data)
        reload_rules(app)
        gc.collect()
        print(frozen > 100_000, old() is None, gc.get_freeze_count() > 100_000, preloaded)
    """
)


def test_serve_freezes_what_it_loaded_and_a_reload_frees_the_old_rules(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "REEC_DATABASE_URL": f"sqlite:///{tmp_path / 'book.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", SERVE], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "True", "True", "True"]


def test_an_app_outside_serve_freezes_nothing(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'book.db'}")
    store.ensure_schema()
    gc.unfreeze()  # the CLI's entry point freezes too, and tests before this one may call it
    before = gc.get_freeze_count()
    with TestClient(create_app(store=store)):
        assert gc.get_freeze_count() == before
    refreeze()
    assert gc.get_freeze_count() == before
