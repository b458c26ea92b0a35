"""Same input, same answer: in a fresh process or a warm one, under any hash seed.

Set iteration order depends on PYTHONHASHSEED for strings; a verdict, a reason's order or a
figure that followed it would differ between two runs of the same command. The memo of
classifications and the per-day regime views must not change an answer either.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from answers_snapshot import answers, canonical

ROOT = Path(__file__).resolve().parents[1]


def _fresh_processes(*seeds: str) -> dict[str, str]:
    """The snapshot from one fresh process per seed, run side by side."""
    procs = {}
    for seed in seeds:
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        }
        procs[seed] = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "answers_snapshot.py")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    out = {}
    for seed, proc in procs.items():
        stdout, stderr = proc.communicate()
        assert proc.returncode == 0, stderr[-2000:]
        out[seed] = stdout
    return out


def test_cold_processes_under_two_hash_seeds_and_a_warm_run_agree() -> None:
    answers()  # warm every cache of this process first
    warm = canonical(answers())
    assert '"golden/' in warm
    for seed, cold in _fresh_processes("0", "4242").items():
        assert cold == warm, f"PYTHONHASHSEED={seed} (cold) differs from warm"
