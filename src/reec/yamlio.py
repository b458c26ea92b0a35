"""Strict YAML reading shared by rule data, shipment files and list files.

PyYAML silently keeps the last of two duplicate keys; for legal data that hides mistakes, so
this loader refuses them and reports the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

__all__ = ["YamlSyntaxError", "load_yaml_text", "pydantic_error_path"]


class YamlSyntaxError(ValueError):
    """Malformed YAML or a duplicate key; the message carries the line."""


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml_text(text: str, source: str | Path) -> Any:
    """Parse YAML text strictly; errors name `source` and the line."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}, line {mark.line + 1}" if mark is not None else str(source)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(f"{where}: {problem}") from exc


def pydantic_error_path(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as ``items[0].contents[1].form``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
