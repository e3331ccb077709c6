"""Where a key sits in a TOML text: the line to name when pydantic refuses its value.

tomllib returns plain dicts with no positions, so the text is scanned once: each table
header (``[a.b]``, ``[[a.b]]``, counted per array of tables) and each ``key = value``
line records the path it defines. A validation error's location is then looked up, and
when it has no line of its own (a missing key, an item inside an inline array) the
nearest enclosing path that has one is named instead.
"""

from __future__ import annotations

import re
from collections import Counter

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_PART_RE = r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'"""
_KEY = re.compile(rf"^\s*((?:{_PART_RE})(?:\s*\.\s*(?:{_PART_RE}))*)\s*=")
_PART = re.compile(_PART_RE)


def _parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in _PART.findall(dotted)]


class KeyLines:
    """Maps TOML paths (array-of-tables items by index) to the 1-based line defining them."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path, int] = {}
        arrays: Counter[tuple[str, ...]] = Counter()
        table: Path = ()
        in_string = False
        for number, line in enumerate(text.splitlines(), 1):
            if line.count('"""') % 2 or line.count("'''") % 2:
                in_string = not in_string  # a multi-line string: nothing inside is a key
                if in_string:
                    self._key(table, line, number)
                continue
            if in_string:
                continue
            table = self._header(line, number, arrays, table)
            self._key(table, line, number)

    def _header(
        self, line: str, number: int, arrays: Counter[tuple[str, ...]], table: Path
    ) -> Path:
        found = _HEADER.match(line)
        if found is None:
            return table
        names = tuple(_parts(found.group(2)))
        if found.group(1) == "[[":
            path: Path = (*names, arrays[names])
            arrays[names] += 1
            self.lines.setdefault(names, number)
        else:
            path = names
        self.lines.setdefault(path, number)
        return path

    def _key(self, table: Path, line: str, number: int) -> None:
        if _HEADER.match(line):
            return
        found = _KEY.match(line)
        if found is not None:
            self.lines.setdefault((*table, *_parts(found.group(1))), number)

    def line_of(self, loc: Path) -> int | None:
        """The line of ``loc``, or of the nearest enclosing path found in the text."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None
