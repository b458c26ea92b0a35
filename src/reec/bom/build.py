"""Rows (all text) -> a validated `Bom`; every inconsistency is a BomError naming row and column.

The checks run over whole columns: unknown form or currency, malformed composition, zero or
negative quantity or value, a parent with no row of its own, a shared part described two ways,
a line worth more than one unit of its parent, and cycles. Nothing is rolled up until all pass.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NoReturn, cast

import numpy as np
import numpy.typing as npt
import polars as pl

from reec.bom.aside import Aside
from reec.bom.coded import SEEDS, NodeCodes, Parts, plain_parts, stripped_frame
from reec.bom.graph import Cycle, Levels, levels, levels_or_cycle
from reec.bom.heap import LARGE, kept_heap
from reec.bom.model import ACTIVITIES, CHINA, FORMS, Bom, RootFacts
from reec.bom.numbers import Scaled, decimal_text, quick_scaled, scaled_column
from reec.bom.parquet import LineText, ParquetBom
from reec.bom.rates import Rates
from reec.elements import ELEMENTS
from reec.errors import BomError

__all__ = ["COLUMNS", "REQUIRED", "build_bom", "composition_text", "parse_composition"]

COLUMNS = (
    "parent",
    "child",
    "quantity",
    "unit_value",
    "currency",
    "origin",
    "form",
    "composition",
    "technology_origin",
    "description",
)
REQUIRED = COLUMNS[:7]
_NODE_FACTS = ("unit_value", "currency", "origin", "form", "composition", "technology_origin")
_COMPOSITION_LIMIT = Decimal("100.5")
"""Same rounding tolerance as compositions in the shipment file."""

Locate = Callable[[int, str], str]
Ints = npt.NDArray[np.int64]


def composition_text(comp: Mapping[str, Decimal] | None) -> str | None:
    return None if comp is None else ";".join(f"{k}:{decimal_text(v)}" for k, v in comp.items())


def parse_composition(text: str) -> dict[str, Decimal]:
    """``Dy:1.2;Nd:29`` or ``{"Dy": 1.2}`` -> mass percent by element; ValueError if malformed."""
    pairs: list[tuple[str, str]]
    if text.lstrip().startswith("{"):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc.msg}") from None
        if not isinstance(raw, dict):
            raise ValueError("JSON composition must be an object")
        pairs = [(str(k), str(v)) for k, v in raw.items()]
    else:
        pairs = []
        for part in filter(None, (p.strip() for p in text.replace(",", ";").split(";"))):
            symbol, sep, amount = part.partition(":")
            if not sep:
                raise ValueError(f"{part!r} is not Element:percent")
            pairs.append((symbol.strip(), amount.strip()))
    out: dict[str, Decimal] = {}
    for symbol, amount in pairs:
        if symbol not in ELEMENTS:
            raise ValueError(f"unknown element symbol {symbol!r}")
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise ValueError(f"{symbol}: {amount!r} is not a number") from None
        if not value.is_finite() or value < 0:
            raise ValueError(f"{symbol}: {amount} is not a mass percent")
        out[symbol] = out.get(symbol, Decimal(0)) + value
    total = sum(out.values(), Decimal(0))
    if total > _COMPOSITION_LIMIT:
        raise ValueError(f"mass percents sum to {total}, more than 100")
    return out


def _first_bad(mask: pl.Series) -> int | None:
    return int(mask.arg_true()[0]) if mask.any() else None


def _node_codes(values: pl.Series, known: NodeCodes | None = None) -> NodeCodes:
    """A node column as numbers of its distinct values in order of first appearance: from the
    file's own numbers where it has them (`known`), else by a join of the texts."""
    if known is not None:
        order = pl.Series(known.codes).unique(maintain_order=True).to_numpy()
        renumber = np.zeros(len(known.values), dtype=np.int32)
        renumber[order] = np.arange(len(order), dtype=np.int32)
        return NodeCodes(renumber[known.codes], known.values.gather(order))
    # a categorical encoding of its own numbers the texts in order of first appearance (a
    # third of a join's CPU); a missing value is numbered where it first appears
    texts = pl.Categories.random()
    categorical = values.cast(pl.Categorical(texts))
    distinct = texts.to_series().cast(pl.String)  # while `categorical` holds them
    codes = categorical.to_physical().cast(pl.Int32)
    del categorical
    nulls = codes.is_null()
    if not nulls.any():
        return NodeCodes(codes.to_numpy(), distinct)
    first = int(nulls.arg_max() or 0)
    seen = codes.head(first).max()
    before = 0 if seen is None else cast(int, seen) + 1  # texts first seen before the null
    numbered = codes.to_numpy(writable=True)  # a copy: it has nulls
    later = numbered >= before
    numbered[later & ~nulls.to_numpy()] += 1
    numbered[nulls.to_numpy()] = before
    missing = pl.Series(distinct.name, [None], dtype=pl.String)
    distinct = pl.concat([distinct.head(before), missing, distinct.slice(before)])
    return NodeCodes(numbered.astype(np.int32), distinct)


def _codes(
    values: NodeCodes, column: str, rows: pl.Series, locate: Locate, decode: Callable[[str], object]
) -> list[object]:
    """Distinct values decoded once each; a decoding error names the first row using it."""
    decoded: list[object] = []
    for i, text in enumerate(values.values.to_list()):
        if text is None:
            decoded.append(None)
            continue
        try:
            decoded.append(decode(text))
        except ValueError as exc:
            row = int(rows[int(np.argmax(values.codes == i))])
            raise BomError(f"{column} {text!r}: {exc}", field=locate(row, column)) from None
    return decoded


def _form(text: str) -> int:
    try:
        return FORMS.index(next(f for f in FORMS if f.value == text))
    except StopIteration:
        raise ValueError(f"unknown form (one of {', '.join(f.value for f in FORMS)})") from None


def _technology(text: str) -> int:
    bits = 0
    for part in filter(None, (p.strip() for p in text.replace(",", ";").split(";"))):
        names = [a.value for a in ACTIVITIES]
        if part not in names:
            raise ValueError(f"unknown activity {part!r} (one of {', '.join(names)})")
        bits |= 1 << names.index(part)
    return bits


def _root_row(root: RootFacts) -> dict[str, str | None]:
    return {
        "child": root.id,
        "unit_value": decimal_text(root.value),
        "currency": root.currency,
        "origin": root.origin,
        "form": root.form.value,
        "composition": composition_text(root.composition),
        "technology_origin": ";".join(a.value for a in root.technology_origin) or None,
        "description": root.description,
    }


def _check_columns(df: pl.DataFrame, source: str) -> None:
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise BomError(
            f"missing column(s) {', '.join(missing)} (columns: {', '.join(COLUMNS)})",
            field=source,
        )
    unknown = [c for c in df.columns if c not in COLUMNS]
    if unknown:
        raise BomError(f"unknown column(s) {', '.join(unknown)}", field=source)


def _clean(df: pl.DataFrame, locate: Locate, source: str) -> pl.DataFrame:
    _check_columns(df, source)
    df = (
        stripped_frame(
            df.select(
                pl.col(c) if c in df.columns else pl.lit(None, dtype=pl.String).alias(c)
                for c in COLUMNS
            ),
            COLUMNS,
        )
        .with_row_index("row")
        .with_columns(pl.col("row").cast(pl.Int64))
    )
    bad = _first_bad(df["child"].is_null())
    if bad is not None:
        raise BomError("child is missing", field=locate(bad, "child"))
    return df


def build_bom(
    df: pl.DataFrame | Callable[[], pl.DataFrame],
    *,
    source: str,
    locate: Locate,
    where: Callable[[int], str],
    rates: Rates | None,
    root: RootFacts | None,
    file: ParquetBom | None = None,
) -> Bom:
    """Validate rows (`root`: the shipment line on top; None: the row with an empty parent).

    `df` may be a function reading the rows: with `file` (a Parquet file coded as it is read,
    `reec.bom.parquet`), it is called only when the file needs the text path."""
    if isinstance(df, pl.DataFrame):
        _check_columns(df, source)
    size = len(df) if isinstance(df, pl.DataFrame) else file.rows if file is not None else 0
    with kept_heap(size), Aside(size) as aside:
        early = _Early(aside)

        def lines_known(nodes: int, parent: Ints, child: Ints) -> None:
            # the graph's levels once the lines are, beside the node rows and their checks
            early.levels = aside.run(levels_or_cycle, nodes, parent, child, in_order=size >= LARGE)

        coded = (
            file.parts(
                None if root is None else _root_head(root),
                COLUMNS[1:],
                _NODE_FACTS,
                aside,
                lines_known,
            )
            if file is not None
            else None
        )
        known: Mapping[str, NodeCodes] = {}
        if coded is not None:
            parts, quantity, line_text, known = coded
            early.quantity = _done(quantity)
        else:
            early = _Early(aside)  # a refused file: nothing found early holds
            if not isinstance(df, pl.DataFrame):
                df = df()
                _check_columns(df, source)
            plain = _plain(df, root, early)
            if plain is None:
                early = _Early(aside)  # the text path: nothing found early holds
            parts = plain or _cleaned(df, locate, source, root)
            line_text = _text_of(parts[1])
        del df, coded
        nodes, lines, parent_s, child_s = parts
        del parts
        parent = np.asarray(parent_s.to_numpy(), dtype=np.int64)  # no copy when int64 already
        child = np.asarray(child_s.to_numpy(), dtype=np.int64)
        del parent_s, child_s
        # the graph's levels beside the node checks (not beside the plain path's own checks,
        # where both sets of temporaries would meet at the peak: 2.72 -> 2.85 GiB at 10M lines;
        # a Parquet file's own are fewer, and its levels start once its lines are known)
        if early.levels is None:
            early.levels = aside.run(
                levels_or_cycle, len(nodes), parent, child, in_order=size >= LARGE
            )
        return _assemble(
            nodes, lines, line_text, parent, child, source, locate, where, rates, early, known
        )


def _done(value: Scaled) -> Future[Scaled | None]:
    done: Future[Scaled | None] = Future()
    done.set_result(value)
    return done


def _text_of(lines: pl.DataFrame) -> LineText:
    def text(line: int, column: str) -> object:
        return lines[column][line]

    return text


@dataclass(slots=True)
class _Early:
    """Passes started beside the main line (`reec.bom.aside`): the lines' quantities once the
    plain path knows the top row, the graph's levels once every line's parent and child are."""

    aside: Aside
    quantity: Future[Scaled | None] | None = None
    levels: Future[Levels | Cycle] | None = None


def _root_head(root: RootFacts) -> pl.DataFrame:
    head = pl.DataFrame([_root_row(root)], schema=dict.fromkeys(COLUMNS[1:], pl.String))
    return head.with_columns(pl.lit(-1, dtype=pl.Int64).alias("row"))


def _plain(df: pl.DataFrame, root: RootFacts | None, early: _Early) -> Parts | None:
    """The parts through integer codes when no row needs cleaning (reec.bom.coded)."""
    if any(dtype != pl.String for dtype in df.dtypes):
        return None
    df = df.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in COLUMNS if c not in df)
    if root is not None:
        top, head = None, _root_head(root)
        quantity = df["quantity"]
    else:
        tops = df["parent"].is_null().arg_true()
        if len(tops) != 1:
            return None
        top = int(tops[0])
        head = df.slice(top, 1).with_columns(pl.lit(top, dtype=pl.Int64).alias("row"))
        quantity = pl.concat([df["quantity"].slice(0, top), df["quantity"].slice(top + 1)])
    early.quantity = early.aside.run(quick_scaled, quantity, repeated=True)
    return plain_parts(df, head, top, COLUMNS[1:], _NODE_FACTS, early.aside)


def _cleaned(df: pl.DataFrame, locate: Locate, source: str, root: RootFacts | None) -> Parts:
    """The parts from the cleaned texts: every check names the first offending row."""
    df = _clean(df, locate, source)
    tops = df.filter(pl.col("parent").is_null())
    if root is not None:
        if len(tops):
            raise BomError(
                f"row has no parent; the top item is shipment line {root.id!r}: name it as parent",
                field=locate(int(tops["row"][0]), "parent"),
            )
        head = _root_head(root)
    else:
        if len(tops) != 1:
            raise BomError(
                "no top item: give exactly one row with an empty parent (the item itself)"
                if not len(tops)
                else "more than one row has an empty parent (only the top item may)",
                field=locate(int(tops["row"][1]), "parent") if len(tops) > 1 else source,
            )
        head = tops.select("row", *COLUMNS[1:])
    lines = df.filter(pl.col("parent").is_not_null())
    del df  # a 10M-line BOM: keep one copy of the rows, not two
    nodes, parent, child = _by_hash(head, lines) or _by_text(head, lines)
    bad = _first_bad(parent.is_null())
    if bad is not None:
        row = int(lines["row"][bad])
        raise BomError(
            f"parent {lines['parent'][bad]!r} has no row of its own (give it a line with its "
            "value, or check the spelling)",
            field=locate(row, "parent"),
        )
    for column in _NODE_FACTS:
        mine, theirs = lines[column], nodes[column]
        if mine.null_count() == len(mine):
            continue
        differ = mine.is_not_null() & (
            theirs.is_null().gather(child)
            | (mine.hash(_SEEDS[0]) != theirs.hash(_SEEDS[0]).gather(child))
            | (mine.hash(_SEEDS[1]) != theirs.hash(_SEEDS[1]).gather(child))
        )
        bad = _first_bad(differ)
        if bad is not None:
            row, node = int(lines["row"][bad]), int(child[bad])
            first = int(nodes["row"][node])
            raise BomError(
                f"{lines['child'][bad]!r} is given {column} {mine[bad]!r} here but "
                f"{theirs[node]!r} at {locate(first, column) if first >= 0 else 'the shipment'}",
                field=locate(row, column),
            )
    return nodes, lines, parent, child


_SEEDS = SEEDS


def _by_hash(
    head: pl.DataFrame, lines: pl.DataFrame
) -> tuple[pl.DataFrame, pl.Series, pl.Series] | None:
    """Nodes (the top, then each child at its first line) and every line's parent and child
    node, through integer hashes of the ids; None if a hash clash makes them unsure."""
    top = head["child"][0]
    ids = lines["child"]
    h0 = ids.hash(_SEEDS[0])
    first = h0.is_first_distinct() & (ids != top)
    nodes = pl.concat(
        [head.select("row", *COLUMNS[1:]), lines.filter(first).select("row", *COLUMNS[1:])]
    )
    keys = nodes["child"].hash(_SEEDS[0])
    if keys.n_unique() != len(nodes):
        return None  # two ids with one hash (or the top's id clashing with a part's)
    index = pl.DataFrame({"h": keys, "i": pl.int_range(0, len(nodes), dtype=pl.Int64, eager=True)})
    found = (
        pl.DataFrame({"c": h0, "p": lines["parent"].hash(_SEEDS[0])})
        .join(index.rename({"h": "c", "i": "child"}), on="c", how="left", maintain_order="left")
        .join(index.rename({"h": "p", "i": "parent"}), on="p", how="left", maintain_order="left")
    )
    parent, child = found["parent"], found["child"]
    check = nodes["child"].hash(_SEEDS[1])
    same_child = ids.hash(_SEEDS[1]) == check.gather(child)
    same_parent = lines["parent"].hash(_SEEDS[1]) == check.gather(parent)
    if not (
        same_child.fill_null(False).all() and (same_parent | parent.is_null()).fill_null(True).all()
    ):
        return None
    return nodes, parent, child


def _by_text(head: pl.DataFrame, lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series, pl.Series]:
    """The same as `_by_hash` by joining the id texts (slower; exact)."""
    firsts = lines.select("row", *COLUMNS[1:]).unique("child", keep="first", maintain_order=True)
    nodes = pl.concat(
        [head.select(firsts.columns), firsts.filter(pl.col("child") != head["child"][0])]
    )
    index = nodes.select(pl.col("child").alias("id"), pl.arange(0, len(nodes)).alias("i"))

    def to_index(column: str) -> pl.Series:
        return lines.select(column).join(
            index, left_on=column, right_on="id", how="left", maintain_order="left"
        )["i"]

    return nodes, to_index("parent"), to_index("child")


def _assemble(
    nodes: pl.DataFrame,
    lines: pl.DataFrame,
    line_text: LineText,
    parent: Ints,
    child: Ints,
    source: str,
    locate: Locate,
    where: Callable[[int], str],
    rates: Rates | None,
    early: _Early,
    known: Mapping[str, NodeCodes],
) -> Bom:
    """The BOM from its parts, each node column checked (`known`: node columns the file gave
    as numbers of their distinct values, `reec.bom.parquet`)."""
    node_rows = nodes["row"].cast(pl.Int64)
    top_where = source

    def node_locate(i: int, column: str) -> str:
        row = int(node_rows[i])
        return locate(row, column) if row >= 0 else f"{top_where} ({column})"

    def line_locate(i: int, column: str) -> str:
        return locate(int(lines["row"][i]), column)

    value, value_scale = scaled_column(nodes["unit_value"], "unit_value", node_locate)
    quick = early.quantity.result() if early.quantity is not None else None
    quantity, quantity_scale = quick or scaled_column(
        lines["quantity"], "quantity", line_locate, repeated=True
    )
    base = rates.base if rates is not None else str(nodes["currency"][0])
    table = rates or Rates(base, {})
    currencies = _node_codes(
        nodes["currency"].fill_null(""),
        _filled(known["currency"]) if "currency" in known else None,
    )
    rate_of: dict[str, Decimal] = {}
    for i, cur in enumerate(currencies.values.to_list()):
        rate = table.rate(cur)
        if rate is None:
            first = int(np.argmax(currencies.codes == i))
            hint = "add it to currency_rates" if rates else "give currency_rates (or --rates)"
            raise BomError(
                f"unknown currency {cur!r} (rates are in {base}: {hint})",
                field=node_locate(first, "currency"),
            )
        rate_of[cur] = rate
    # a finite Decimal has an int exponent (typeshed also allows "n", "N", "F"); rates are finite
    rate_scale = max((max(-r.as_tuple().exponent, 0) for r in rate_of.values()), default=0)  # type: ignore[operator]  # see above
    rate_num = {c: int(r.scaleb(rate_scale)) for c, r in rate_of.items()}
    if int(value.max()) * max(rate_num.values()) >= 2**62:
        raise BomError("values times rates are too large to compute exactly", field=source)
    per_node = np.array([rate_num[c] for c in currencies.values.to_list()], dtype=np.int64)
    value = value * per_node[currencies.codes]
    # the line values beside the checks of forms and compositions below (on a thread of their
    # own: the worker thread is levelling the graph), the main line joining in once they are
    # done; told in order
    over = _Over(value, quantity, quantity_scale, parent, child)
    over_later = early.aside.beside(over.work)
    if over_later is None:
        over.work()  # no other thread: at once
    form = _node_codes(nodes["form"], known.get("form"))
    form_index = _codes(form, "form", node_rows, locate, _form)
    missing_form = _first_bad(nodes["form"].is_null())
    if missing_form is not None:
        raise BomError("form is missing", field=node_locate(missing_form, "form"))
    forms = np.array([-1 if f is None else f for f in form_index], dtype=np.int16)[form.codes]
    comp = _node_codes(nodes["composition"], known.get("composition"))
    comps = _codes(comp, "composition", node_rows, locate, parse_composition)
    tech = _node_codes(nodes["technology_origin"], known.get("technology_origin"))
    techs = _codes(tech, "technology_origin", node_rows, locate, _technology)
    tech_bits = np.array([t or 0 for t in techs], dtype=np.int64)[tech.codes]
    origin = nodes["origin"]
    origins = _node_codes(origin, known.get("origin"))
    given = origins.values.is_not_null()
    code_bad = (given & ~origins.values.str.contains(r"^[A-Z]{2}$")).to_numpy()
    bad = _first_bad(pl.Series(code_bad[origins.codes])) if code_bad.any() else None
    if bad is not None:
        raise BomError(
            f"origin {origin[bad]!r} is not a country code (ISO 3166-1 alpha-2, empty if unknown)",
            field=node_locate(bad, "origin"),
        )
    ids = nodes["child"]
    edge_row = lines["row"].cast(pl.Int64).to_numpy()
    over.work()  # the chunks left, instead of waiting (a line found is told after the levels)
    lv = levels(
        len(nodes),
        parent,
        child,
        lambda v: str(ids[v]),
        lambda e: locate(int(edge_row[e]), "parent"),
        early.levels.result() if early.levels is not None else None,
    )
    if over_later is not None:
        over_later.result()
    first_over = over.first()
    if first_over is not None:
        _line_over(first_over, lines, line_text, locate)
    labels = pl.DataFrame(
        {
            "id": ids,
            "description": nodes["description"].fill_null(""),
            "origin": origin,
            "currency": nodes["currency"],
            "amount": nodes["unit_value"],
            "row": node_rows,
        }
    )
    return Bom(
        source=source,
        currency=base,
        root=0,
        labels=labels,
        value=np.asarray(value, dtype=np.int64),
        value_scale=value_scale + rate_scale,
        parent=parent,
        child=child,
        quantity=quantity,
        quantity_scale=quantity_scale,
        edge_row=edge_row,
        form=forms,
        composition=comp.codes,
        compositions=tuple(c if isinstance(c, dict) else None for c in comps),
        origin_cn=(origins.values == CHINA).fill_null(False).to_numpy()[origins.codes],
        origin_unknown=origins.values.is_null().to_numpy()[origins.codes],
        technology=tech_bits,
        levels=lv,
        where=where,
    )


def _filled(known: NodeCodes) -> NodeCodes:
    """`known` with a missing value as the empty text (it is none of the cleaned values)."""
    return NodeCodes(known.codes, known.values.fill_null(""))


def _first_over(
    value: Ints, quantity: Ints, quantity_scale: int, parent: Ints, child: Ints
) -> int | None:
    """The first line worth more (quantity x unit value) than one unit of its parent, if any."""
    over = _Over(value, quantity, quantity_scale, parent, child)
    over.work()
    return over.first()


class _Over:
    """The first line worth more (quantity x unit value) than one unit of its parent, if any,
    looked for `_CHUNK` lines at a time by whichever thread takes the next chunk: one of its own
    starts on it beside the node checks, and the main line joins in once they are done instead
    of waiting for it (a chunk after one with such a line is not taken). The first line found is
    the first of all lines.

    Chunks, not whole columns: on a thread beside the main line, whose glibc arena (where
    `reec.bom.heap.one_arena` was not taken) maps each block over 64 MiB afresh and unmaps it
    when freed, whole-column temporaries (four of 80 MB at 10M lines) would each start on new
    pages; chunks reuse the arena's memory, and stay in the cache."""

    def __init__(
        self, value: Ints, quantity: Ints, quantity_scale: int, parent: Ints, child: Ints
    ) -> None:
        self._value, self._quantity, self._scale = value, quantity, 10**quantity_scale
        self._parent, self._child = parent, child
        top = int(value.max(initial=0))
        self._exact = top * max(int(quantity.max(initial=0)), self._scale) < 2**63
        """Every product fits int64: compared exactly, no float copies."""
        self._next = itertools.count()  # each chunk taken once (next() holds the GIL)
        self._found: list[int] = []

    def work(self) -> None:
        """Chunks in turn until none is left, or one after a line found."""
        while True:
            lo = next(self._next) * _CHUNK
            if lo >= len(self._child) or any(e < lo for e in self._found):
                return
            e = self._in(lo)
            if e is not None:
                self._found.append(e)

    def first(self) -> int | None:
        """The first line found, once every thread's `work` has returned."""
        return min(self._found, default=None)

    def _in(self, lo: int) -> int | None:
        part = slice(lo, lo + _CHUNK)
        q, c, p = self._quantity[part], self._child[part], self._parent[part]
        value, scale = self._value, self._scale
        if self._exact:
            over = np.flatnonzero(q * value[c] > value[p] * scale)
            return lo + int(over[0]) if over.size else None
        lhs = q.astype(np.float64) * value[c].astype(np.float64)
        rhs = value[p].astype(np.float64) * float(scale)
        for e in np.flatnonzero(lhs > rhs * (1 - 1e-12)).tolist():
            if int(q[e]) * int(value[c[e]]) > int(value[p[e]]) * scale:
                return lo + int(e)
        return None


_CHUNK = 1 << 20
"""Lines per chunk of `_first_over` (its temporaries: 8 MB each)."""


def _line_over(e: int, lines: pl.DataFrame, text: LineText, locate: Locate) -> NoReturn:
    raise BomError(
        f"{text(e, 'child')!r}: quantity x unit value is worth more than one unit of "
        f"its parent {text(e, 'parent')!r}",
        field=locate(int(lines["row"][e]), "unit_value"),
    )
