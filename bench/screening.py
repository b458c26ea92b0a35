"""Party-screening benchmark (issue 4): quality on the labelled set, then speed at scale.

1. Precision and recall per variant type on tests/screening/cases.csv, at the auto and review
   thresholds, and recall of the blocked screener against brute force at the same scorer.
2. Throughput: N generated party names (default 100,000) against the bundled lists plus M
   generated list names (default 5,000): blocked screening (normalise, block, score, explain)
   versus brute force over all pairs (rapidfuzz cdist) with the same features and weights
   (`reec.screening.match`).

    .venv/bin/python bench/screening.py [--names 100000] [--list-names 5000] [--repeat 3]

Batch screening uses `ListScreener.match_many` (two forked processes above 20k names, as
`reec screen` does); CPU is the parent's process time (the child's is not included).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from reec.screening.lists import ListEntry, bundled_lists
from reec.screening.match import FEATURES, Subject, _combine, country_mismatch
from reec.screening.normalize import NormalName, normalize
from reec.screening.quality import evaluate, judge, read_cases
from reec.screening.screener import ListScreener, NameQuery
from reec.screening.settings import screening_settings

CASES = Path(__file__).resolve().parents[1] / "tests" / "screening" / "cases.csv"
INTL = CASES.with_name("cases_intl.csv")
SYLL = [a + b + c for a in "bcdfghjklmnprstvz" for b in "aeiou" for c in ("", "n", "r", "l", "s")]
GENERIC = ["Systems", "Technologies", "Group", "International", "Industries", "Trading",
           "Holdings", "Electronics", "Materials", "Engineering", "Logistics", "Partners",
           "Aerospace", "Defense", "Solutions", "Global", "Precision", "Dynamics"]  # fmt: skip
FORMS = ["Inc.", "Co., Ltd.", "GmbH", "LLC", "Ltd", "Corporation", "KK", "S.A.", ""]


def word(rnd: random.Random) -> str:
    return "".join(rnd.choice(SYLL) for _ in range(rnd.randint(2, 3))).capitalize()


def company(rnd: random.Random) -> str:
    parts = [word(rnd) for _ in range(rnd.choice([1, 1, 2, 2, 3]))]
    parts += rnd.sample(GENERIC, rnd.choice([0, 1, 1, 2]))
    return " ".join([*parts, rnd.choice(FORMS)]).strip()


def variant(name: str, rnd: random.Random) -> str:
    w = name.split()
    i = rnd.randrange(len(w))
    if len(w[i]) > 4:
        p = rnd.randrange(1, len(w[i]) - 1)
        w[i] = w[i][:p] + w[i][p + 1 :]
    return " ".join(reversed(w) if rnd.random() < 0.3 else w)


def brute_scores(
    q: list[NormalName], e: list[NormalName], floor: float, workers: int
) -> np.ndarray:
    """Combined score of every pair (rows: queries, columns: list names) with the screener's
    features, weights and lazy rule: rapidfuzz's cdist for every feature over all pairs, the
    lazy ones only where the score could reach `floor` (`reec.screening.match`); country
    unknown, so no penalty. Returns the per-query best and the full matrix when it is small."""
    q_texts = [[f.func(Subject(n)) for n in q] for f in FEATURES]
    e_texts = [[f.of_entry(Subject(n)) for n in e] for f in FEATURES]
    out = np.zeros((len(q), len(e)), dtype=np.float32) if len(q) * len(e) <= 2e7 else None
    best = np.zeros(len(q))
    step = 2000
    for s in range(0, len(q), step):
        rows = len(q_texts[0][s : s + step])
        values = []
        for f, qt, et in zip(FEATURES, q_texts, e_texts, strict=True):
            if f.lazy or f.func is country_mismatch:
                values.append(np.zeros((rows, len(e))))
                continue
            v = cdist(qt[s : s + step], et, scorer=fuzz.ratio, workers=workers) / 100
            if f.scorer is not fuzz.ratio:  # ratio where both texts are there (sound, head)
                v *= np.array([bool(t) for t in qt[s : s + step]])[:, None]
                v *= np.array([bool(t) for t in et])[None, :]
            values.append(v)
        pairs = zip(FEATURES, values, strict=True)
        bound = [np.full_like(v, f.best) if f.lazy else v for f, v in pairs]
        r, c = np.nonzero(_combine(bound) >= floor - 1e-9)
        for i, f in enumerate(FEATURES):
            if f.lazy and len(r):
                values[i][r, c] = f.values(
                    [q_texts[i][s + k] for k in r.tolist()],
                    [e_texts[i][k] for k in c.tolist()],
                    workers,
                )
        score = _combine(values)
        best[s : s + rows] = score.max(axis=1)
        if out is not None:
            out[s : s + rows] = score
    return best if out is None else out


def quality_table(screener: ListScreener, path: Path) -> None:
    """Per variant type and split, at the auto and review thresholds."""
    s = screening_settings()
    every = read_cases(path)
    for split in sorted({c.split for c in every}, reverse=True):  # tune, then holdout
        cases = [c for c in every if c.split == split]
        print(f"## Quality on {path.name}, split {split} ({len(cases)} cases)")
        for label, t in (("auto", s.auto_threshold), ("review", s.review_threshold)):
            print(f"threshold {label} = {t}")
            for k, q in evaluate(screener, cases, t).items():
                r = "  -  " if q.recall is None else f"{q.recall:.3f}"
                print(f"  {k:16s} cases {q.cases:4d}  recall {r}  precision {q.precision:.3f}  "
                      f"false positives {q.false_positives}")  # fmt: skip


def quality(screener: ListScreener) -> None:
    s = screening_settings()
    cases = read_cases(CASES)
    quality_table(screener, CASES)
    quality_table(screener, INTL)
    # Recall against brute force at the same scorer: all list names, every case.
    names = [normalize(c.query) for c in cases]
    matrix = brute_scores(names, screener.rec_name, s.review_threshold, s.workers)
    rec_entry_name = np.array([screener.entries[i].name for i in screener.rec_entry])
    blocked = screener.match_names([NameQuery(c.query) for c in cases])
    positives = [i for i, c in enumerate(cases) if c.expected]
    for label, t in (("auto", s.auto_threshold), ("review", s.review_threshold)):
        brute_found = sum(
            1 for i in positives
            if (matrix[i][rec_entry_name == cases[i].expected] >= t - 1e-6).any()
        )  # fmt: skip
        block_found = sum(1 for i in positives if judge(cases[i], blocked[i], t)[0])
        print(
            f"recall at {label} ({t}), countries ignored: blocked "
            f"{block_found / len(positives):.3f}, brute force {brute_found / len(positives):.3f}"
        )


def throughput(n_names: int, n_list: int, repeat: int) -> None:
    rnd = random.Random(4)
    real = list(bundled_lists())
    template = real[0]
    fake: list[ListEntry] = [
        replace(template, key=f"bench#{i}", name=company(rnd), name_zh=None, aliases=(),
                country=None)
        for i in range(n_list)
    ]  # fmt: skip
    entries = real + fake
    t0 = time.perf_counter()
    screener = ListScreener(entries)
    t_index = time.perf_counter() - t0
    names = [company(rnd) for _ in range(n_names)]
    for i in rnd.sample(range(n_names), n_names // 50):  # 2% true variants of list names
        names[i] = variant(rnd.choice(entries).name, rnd)
    runs = []
    for _ in range(repeat):  # a shared machine: best of `repeat`, every run printed
        normalize.cache_clear()
        t0, c0 = time.perf_counter(), time.process_time()
        found = screener.match_many([NameQuery(n) for n in names])
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
    t_blocked, c_blocked = min(runs)
    hits = sum(1 for f in found for m in f if m.match.score >= screener.settings.auto_threshold)
    flagged = sum(1 for f in found if f)
    print(f"## Throughput: {n_names:,} names x {len(entries):,} list entries "
          f"({len(screener.rec_name):,} list names incl. aliases and Chinese)")  # fmt: skip
    print(f"index build                 {t_index:7.2f} s")
    print("blocked runs (wall s)       " + ", ".join(f"{w:.2f}" for w, _ in runs))
    print(f"blocked screening (best)    {t_blocked:7.2f} s wall, {c_blocked:.2f} s CPU "
          f"({n_names / t_blocked:,.0f} names/s;"
          f" {hits:,} auto hits, {flagged:,} names with a match >= review)")  # fmt: skip
    normalize.cache_clear()
    t0 = time.perf_counter()
    qn = [normalize(n) for n in names]
    best = brute_scores(qn, screener.rec_name, screener.settings.review_threshold,
                        screener.settings.workers)  # fmt: skip
    t_brute = time.perf_counter() - t0
    brute_flagged = int((best >= screener.settings.review_threshold - 1e-9).sum())
    print(f"brute force, all pairs         {t_brute:7.2f} s "
          f"({n_names * len(screener.rec_name) / t_brute / 1e6:,.0f} M pairs/s; "
          f"{brute_flagged:,} names >= review)")  # fmt: skip
    print(f"speed-up                    {t_brute / t_blocked:7.1f} x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, default=100_000)
    ap.add_argument("--list-names", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3, help="blocked runs; the best is reported")
    ap.add_argument("--quality-only", action="store_true", help="the labelled sets, no timing")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    screener = ListScreener(bundled_lists())
    if args.quality_only:
        quality_table(screener, CASES)
        quality_table(screener, INTL)
        return
    quality(screener)
    throughput(args.names, args.list_names, args.repeat)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
