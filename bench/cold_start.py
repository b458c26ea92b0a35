"""Cold start (issue 16, target 1): wall time of fresh `reec` processes.

Median of N fresh processes (default 10) of `reec --help` and `reec check` on example 01,
printed beside `python -c "import pydantic, yaml"` on the same machine (the floor any
Python CLI reading YAML into pydantic models pays). Byte code is compiled first, as an
installed package has it. CPU (user + system) is printed too: on a loaded machine wall time
measures the queue for the cores, CPU time what the command costs. The first run of each
command is not timed: it warms the page cache and writes reec's on-disk cache of the validated
rule data and list names (`reec.diskcache`) and of the byte code of generated methods
(`reec.cli.kept_bytecode`), as any earlier run on the machine would; the
last row times `reec check` with that cache off.

    .venv/bin/python bench/cold_start.py [--runs 10]
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.4


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT / "src")
    compileall.compile_dir(ROOT / "src" / "reec", quiet=1)
    py = sys.executable
    cli = [py, "-c", "import sys; from reec.cli import main; sys.argv[0] = 'reec'; main()"]
    check = [*cli, "check", "examples/01-dy-oxide-from-china.yaml"]
    cases = [
        ('python -c "import pydantic, yaml"', [py, "-c", "import pydantic, yaml"], None, {}),
        ("reec --help", [*cli, "--help"], TARGET, {}),
        ("reec check examples/01-dy-oxide-from-china.yaml", check, TARGET, {}),
        # The same without the on-disk cache: every process validates the rule data and
        # indexes the list names again (what the first run after an install or a data change
        # pays once).
        ("  same, REEC_CACHE_DIR=off", check, None, {"REEC_CACHE_DIR": "off"}),
    ]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, CPython "
        f"{platform.python_version()}; load average at start {os.getloadavg()[0]:.1f}"
    )
    print(f"{'command':52s} {'median wall s':>13s} {'min wall s':>10s} {'median CPU s':>12s}")
    verdicts = []
    for label, cmd, target, extra in cases:
        case_env = {**env, **extra}
        run(cmd, case_env)  # warm the page cache (and write reec's on-disk cache)
        got = [run(cmd, case_env) for _ in range(a.runs)]
        wall = statistics.median(w for w, _ in got)
        cpu = statistics.median(c for _, c in got)
        print(f"{label:52s} {wall:13.3f} {min(w for w, _ in got):10.3f} {cpu:12.3f}")
        if target is not None:
            verdicts.append(
                f"target {label} < {target} s wall: {'MET' if wall < target else 'NOT MET'}"
            )
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
