"""Strict YAML reading shared by rule data, shipment files and list files.

PyYAML silently keeps the last of two duplicate keys; for legal data that hides mistakes, so
this loader refuses them and reports the line. It also refuses aliases (`*name`: a few hundred
bytes of anchors can expand to millions of items) and documents nested more than
`reec.input_limits.MAX_DEPTH` levels deep (docs/security.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from reec.errors import InputError
from reec.input_limits import MAX_DEPTH, check_depth

__all__ = ["YamlSyntaxError", "load_yaml_text", "pydantic_error_path"]


class YamlSyntaxError(ValueError):
    """Malformed YAML or a duplicate key; the message carries the line."""


# libyaml's parser when PyYAML was built with it (about 10x faster on the rule data, which
# every command reads); the constructors below run on either.
if TYPE_CHECKING:
    _SafeBase = yaml.SafeLoader
else:
    _SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeBase):
    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """A collection met a second time is an alias (`*name`): refused, since a few hundred
        bytes of anchors can stand for millions of items."""
        if not isinstance(node, ScalarNode) and node in self.constructed_objects:
            raise ConstructorError(
                None,
                None,
                "YAML aliases (*name) are not accepted: write the value out",
                node.start_mark,
            )
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        """An impossible date (2025-02-30) is a syntax error with its line, not a crash."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise ConstructorError(
                None, None, f"not a valid date: {node.value!r} ({exc})", node.start_mark
            ) from exc


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


class _DatesAsTextLoader(_StrictLoader):
    """The strict loader without the timestamp resolver: dates stay text, so the pydantic
    model that validates them names the field of an impossible date (2025-02-30)."""


_DatesAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _StrictLoader.yaml_implicit_resolvers.items()
}


def load_yaml_text(text: str, source: str | Path, *, dates_as_text: bool = False) -> Any:
    """Parse YAML text strictly; errors name `source` and the line."""
    loader = _DatesAsTextLoader if dates_as_text else _StrictLoader
    too_deep = f"{source}: nested more than {MAX_DEPTH} levels deep"
    try:
        doc = yaml.load(text, Loader=loader)
    except RecursionError:  # the pure-Python parser, without libyaml's own nesting limit
        raise YamlSyntaxError(too_deep) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}, line {mark.line + 1}" if mark is not None else str(source)
        problem = getattr(exc, "problem", None) or str(exc)
        if "maximum nesting depth" in problem:  # libyaml's limit (1,000), below ours
            raise YamlSyntaxError(too_deep) from None
        raise YamlSyntaxError(f"{where}: {problem}") from exc
    try:
        check_depth(doc, str(source))
    except InputError:
        raise YamlSyntaxError(too_deep) from None
    return doc


def pydantic_error_path(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as ``items[0].contents[1].form``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
