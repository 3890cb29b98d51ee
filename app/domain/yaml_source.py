"""Read YAML while remembering the line each value came from, so errors can point at it."""

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass
class YamlDocument:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[Path, int]] = field(default_factory=list)

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that the file has."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


class YamlRefused(ValueError):
    """Valid YAML that a catalogue may not use (an anchor or alias), with its line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


ALIAS_REFUSED = (
    "YAML-ankre og -aliaser (&navn, *navn) er ikke tilladt i en katalogfil; skriv teksten ud hvert sted, den bruges"
)


def read_yaml(text: str) -> YamlDocument:
    """Parse ``text`` safely. Raises ``yaml.YAMLError`` (with a mark) on a syntax error, and
    ``YamlRefused`` on an anchor or alias: each alias is a copy of what it names, so a few lines
    of them can expand to billions of values (an "alias bomb"). The event stream checked first
    holds each alias once, so the check costs no more than the file's length."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlRefused(event.start_mark.line + 1 if event.start_mark else 1, ALIAS_REFUSED)
    data = yaml.safe_load(text)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    document = YamlDocument(data=data)
    if node is not None:
        _record_lines(node, (), document)
    return document


def _record_lines(node: yaml.Node, path: Path, document: YamlDocument) -> None:
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                document.duplicate_keys.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            document.lines[child] = key_node.start_mark.line + 1
            _record_lines(value_node, child, document)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), document)
