"""A stall detector for `bench/api_tail.py`: one process per core, pinned to it, at a real-time
priority above the server's and the generator's, sleeping 1 ms at a time and recording every
wake-up later than `--late` ms.

Nothing in the guest can delay a SCHED_FIFO task above everything else the bench runs (the
server and the generator, under `chrt -f 10`, and every normal task), so a late wake-up says
the core itself was away: the host ran something else on it (steal time, of which /proc/stat
counts only whole 10 ms ticks) or took it for its own work (a page fault the host serves for
the guest's memory is counted as the guest's running time, not as steal). Costs about 1 % of
a core each. Writes `[[start, late seconds], ...]` (`time.perf_counter`, CLOCK_MONOTONIC as
every process here) as JSON to `--out` when sent SIGTERM.

    python bench/canary.py --cpu 0 --out FILE [--late 2]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpu", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--late", type=float, default=2.0, help="milliseconds")
    args = ap.parse_args()
    os.sched_setaffinity(0, {args.cpu})
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(20))
    except PermissionError:
        print("canary: no real-time priority (not root): it measures less", file=sys.stderr)
    stalls: list[tuple[float, float]] = []
    running = [True]

    def stop(*_: object) -> None:
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    late = args.late / 1000
    now = time.perf_counter
    while running[0]:
        start = now()
        time.sleep(0.001)
        took = now() - start - 0.001
        if took > late:
            stalls.append((start, took))
    with open(args.out, "w") as out:
        json.dump(stalls, out)


if __name__ == "__main__":
    main()
