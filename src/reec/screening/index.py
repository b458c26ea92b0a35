"""Blocking index: many-to-many screening compares only names that share a key.

Keys of a name:
- each word of two letters or more (`t:`);
- the first and the last four letters of each word of five or more, and of the whole name
  written without spaces (`p:`, `s:`): one typo in a word of nine or more leaves one intact,
  and pinyin with other word breaks ('Luokexide Mading') meets 'luokexidemading';
- first two plus last two letters of a word of five to eight (`b:`): a swap in the middle of
  'Skydio' keeps 'sk..io';
- the consonant skeleton of a short name (`k:`): 'Eiprus', 'Gorup W' meet 'Epirus', 'Group W';
- the sound of the name and of each word (`m:`, `normalize.sound_code`), on the list side
  always and on the query side for a name written in another alphabet: 'Локхид Мартин' and
  '록히드마틴' meet 'Lockheed Martin'.

Keys held by more than `max_postings` list names (e.g. 'sys', 'tech') select nothing on their
own: a name uses them only when it has no rarer key. Candidate generation is vectorised (NumPy
CSR arrays and a bitmap to deduplicate pairs), so screening 100k names costs one Python pass to
compute keys and a few array operations to join them with the list side.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from itertools import repeat
from typing import TYPE_CHECKING

from reec.screening.normalize import NormalName, sound_code

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]

__all__ = ["BlockingIndex", "name_keys"]
_NO_VOWELS = str.maketrans("", "", "aeiouy")


def name_keys(name: NormalName, listed: bool = False) -> list[str]:
    """Blocking keys of one name (may repeat a key; pairs are deduplicated later); `listed`
    for a list name (which also has the sound keys a transcribed query looks up)."""
    keys: list[str] = []
    add = keys.append
    for t in name.tokens:
        n = len(t)
        if n >= 2:
            add("t:" + t)  # pinyin syllables are common keys, left out by max_postings
        if n >= 5 and not name.from_han:
            add("p:" + t[:4])
            add("s:" + t[-4:])
            if n <= 8:
                add("b:" + t[:2] + t[-2:])
    c = name.compact
    if len(c) >= 4:
        add("p:" + c[:4])
        add("s:" + c[-4:])
        if len(c) <= 8:
            add("b:" + c[:2] + c[-2:])
    elif c:
        add("t:" + c)
    if len(c) <= 8:
        skeleton = c.translate(_NO_VOWELS)
        if len(skeleton) >= 3:
            add("k:" + skeleton)
    if listed or name.transcribed:
        for part in (c, *name.tokens) if len(name.tokens) > 1 else (c,):
            code = sound_code(part)
            if len(code) >= 3:
                add("m:" + code)
    return keys


class BlockingIndex:
    """Inverted index from keys to list-name records, in CSR form."""

    def __init__(self, names: Sequence[NormalName], max_postings: int) -> None:
        postings: dict[str, list[int]] = {}
        for i, n in enumerate(names):
            for k in dict.fromkeys(name_keys(n, listed=True)):
                postings.setdefault(k, []).append(i)
        self.size = len(names)
        self.key_id = {k: j for j, k in enumerate(postings)}
        self.posting_lists = list(postings.values())
        self.max_postings = max_postings

    @cached_property
    def _csr(self) -> tuple[IntArray, IntArray, IntArray]:
        """(indptr, postings, lens): the CSR arrays of the bulk path, built on its first use."""
        import numpy as np

        lens = np.array([len(v) for v in self.posting_lists], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        flat = np.fromiter(
            (i for v in self.posting_lists for i in v), dtype=np.int64, count=int(lens.sum())
        )
        return indptr, flat, lens

    @property
    def indptr(self) -> IntArray:
        return self._csr[0]

    @property
    def postings(self) -> IntArray:
        return self._csr[1]

    @property
    def lens(self) -> IntArray:
        return self._csr[2]

    def candidates_few(self, queries: Sequence[NormalName]) -> list[tuple[int, int]]:
        """`candidates` in Python, for a few names: the same pairs in the same order (by
        query, then list-name record)."""
        kid = self.key_id.get
        lists = self.posting_lists
        pairs: set[tuple[int, int]] = set()
        for qi, q in enumerate(queries):
            ids = [j for j in map(kid, name_keys(q)) if j is not None]
            use = [j for j in ids if len(lists[j]) <= self.max_postings]
            if not use and ids:  # only common keys: the least common one (first of equals)
                use = [min(ids, key=lambda j: len(lists[j]))]
            for j in use:
                pairs.update((qi, r) for r in lists[j])
        return sorted(pairs)

    def candidates(self, queries: Sequence[NormalName]) -> tuple[IntArray, IntArray]:
        """Unique (query position, list-name record) pairs sharing a selective key."""
        import numpy as np

        kid = self.key_id.get
        q_list: list[int] = []
        k_list: list[int] = []
        for qi, q in enumerate(queries):
            ids = [j for j in map(kid, name_keys(q)) if j is not None]
            q_list.extend(repeat(qi, len(ids)))
            k_list.extend(ids)
        empty = np.zeros(0, dtype=np.int64)
        if not k_list:
            return empty, empty
        q_arr = np.array(q_list, dtype=np.int64)
        k_arr = np.array(k_list, dtype=np.int64)
        lens = self.lens[k_arr]
        rare = lens <= self.max_postings
        has_rare = np.zeros(len(queries), dtype=bool)
        has_rare[q_arr[rare]] = True
        # A name with only common keys uses its least common one.
        common = np.nonzero(~has_rare[q_arr])[0]
        order = common[np.lexsort((lens[common], q_arr[common]))]
        first = order[np.r_[True, q_arr[order][1:] != q_arr[order][:-1]]] if len(order) else order
        use = np.nonzero(rare)[0]
        sel = np.sort(np.concatenate([use, first]).astype(np.int64))  # keep query order
        q_arr, k_arr, lens = q_arr[sel], k_arr[sel], lens[sel]
        total = int(lens.sum())
        if total == 0:
            return empty, empty
        q_rep = np.repeat(q_arr, lens)
        starts = np.repeat(self.indptr[k_arr], lens)
        offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
        code = q_rep * self.size + self.postings[starts + offsets]
        return self._unique_pairs(code, len(queries))

    def _unique_pairs(self, code: IntArray, n_queries: int) -> tuple[IntArray, IntArray]:
        """Deduplicate pair codes (non-decreasing by query) with a bitmap over blocks of
        queries: a linear pass instead of a sort, which matters at millions of pairs."""
        import numpy as np

        if len(code) < 50_000:  # small inputs (one shipment): a sort is cheaper
            pair = np.unique(code)
            return pair // self.size, pair % self.size
        block = max(1, min(n_queries, 32_000_000 // max(self.size, 1)))
        mark = np.zeros(block * self.size, dtype=bool)
        out = []
        cuts = np.searchsorted(code, np.arange(0, n_queries + block, block) * self.size)
        for i in range(len(cuts) - 1):
            sel = code[cuts[i] : cuts[i + 1]] - i * block * self.size
            if not len(sel):
                continue
            mark[sel] = True
            found = np.flatnonzero(mark)
            mark[found] = False
            out.append(found + i * block * self.size)
        pair = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
        return pair // self.size, pair % self.size
