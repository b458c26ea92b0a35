"""Blocking index: many-to-many screening compares only names that share a key.

Keys of a name: each word of two letters or more, and the first and last four letters, and the
first two plus last two, of each word of five or more and of the whole name written without
spaces. One typo in a word leaves one of these keys intact (a swap in the middle of 'Skydio'
keeps 'sk..io'); pinyin written with other word breaks ('Luokexide
Mading' vs 'luokexidemading') meets on the prefix and suffix of the spaceless form. Keys held by
more than `max_postings` list names (e.g. 'sys', 'tech') select nothing on their own: they are
used only by a name that has no rarer key.

Candidate generation is vectorised (NumPy CSR arrays), so screening 100k names costs one Python
pass to compute keys and a few array operations to join them with the list side.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from reec.screening.normalize import NormalName

__all__ = ["BlockingIndex", "name_keys"]

IntArray = npt.NDArray[np.int64]


def name_keys(name: NormalName) -> set[str]:
    keys: set[str] = set()
    if not name.from_han:
        for t in name.tokens:
            if len(t) >= 2:
                keys.add("t:" + t)
            if len(t) >= 5:
                keys.add("p:" + t[:4])
                keys.add("s:" + t[-4:])
                keys.add("b:" + t[:2] + t[-2:])
    c = name.compact
    if len(c) >= 4:
        keys.add("p:" + c[:4])
        keys.add("s:" + c[-4:])
        keys.add("b:" + c[:2] + c[-2:])
    elif c:
        keys.add("t:" + c)
    return keys


class BlockingIndex:
    """Inverted index from keys to list-name records, in CSR form."""

    def __init__(self, names: Sequence[NormalName], max_postings: int) -> None:
        postings: dict[str, list[int]] = {}
        for i, n in enumerate(names):
            for k in name_keys(n):
                postings.setdefault(k, []).append(i)
        self.size = len(names)
        self.key_id = {k: j for j, k in enumerate(postings)}
        lens = np.array([len(v) for v in postings.values()], dtype=np.int64)
        self.indptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        self.postings = np.fromiter(
            (i for v in postings.values() for i in v), dtype=np.int64, count=int(lens.sum())
        )
        self.lens = lens
        self.max_postings = max_postings

    def _query_keys(self, keys: Iterable[str]) -> list[int]:
        ids = [j for k in keys if (j := self.key_id.get(k)) is not None]
        rare = [j for j in ids if self.lens[j] <= self.max_postings]
        if rare or not ids:
            return rare
        return [min(ids, key=lambda j: int(self.lens[j]))]

    def candidates(self, queries: Sequence[NormalName]) -> tuple[IntArray, IntArray]:
        """Unique (query position, list-name record) pairs sharing a selective key."""
        q_list: list[int] = []
        k_list: list[int] = []
        for qi, q in enumerate(queries):
            ks = self._query_keys(name_keys(q))
            q_list.extend([qi] * len(ks))
            k_list.extend(ks)
        if not k_list:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        q_arr = np.array(q_list, dtype=np.int64)
        k_arr = np.array(k_list, dtype=np.int64)
        lens = self.lens[k_arr]
        total = int(lens.sum())
        q_rep = np.repeat(q_arr, lens)
        starts = np.repeat(self.indptr[k_arr], lens)
        offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
        e = self.postings[starts + offsets]
        pair = np.unique(q_rep * self.size + e)
        return pair // self.size, pair % self.size
