"""The parsers' working tree: a provision while it is being built (:class:`Node`), frozen into
the shared :class:`~lexstream.shared.legal.structure.Provision`; pages of offsets; unique ids.
The models themselves, and the look-ups over them, are in :mod:`lexstream.shared.legal.structure`
(the gateway serves them). See lexstream.index.extraction.structure for the ids."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from lexstream.shared.legal.structure import Provision


@dataclass
class Node:
    """A provision while it is being built (mutable), turned into a Provision by freeze()."""

    id: str
    kind: str
    number: str | None = None
    label: str | None = None
    heading: str | None = None
    start: int | None = None
    end: int | None = None
    source_id: str | None = None
    container: bool = False
    lines: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def add_text(self, text: str, end: int | None = None) -> None:
        if text.strip():
            self.lines.append(text.strip())
        if end is not None:
            self.end = end if self.end is None else max(self.end, end)

    def freeze(self, page_starts: Sequence[int] | None = None) -> Provision:
        children = [child.freeze(page_starts) for child in self.children]
        end = self.end
        for child in children:
            if child.end is not None:
                end = child.end if end is None else max(end, child.end)
        return Provision(
            id=self.id,
            kind=self.kind,
            number=self.number,
            label=self.label,
            heading=self.heading or None,
            text=" ".join(" ".join(self.lines).split()),
            start=self.start,
            end=end,
            page=page_at(page_starts, self.start),
            source_id=self.source_id,
            children=children,
        )


def page_at(page_starts: Sequence[int] | None, offset: int | None) -> int | None:
    """The 1-based page holding ``offset`` given each page's start offset; 1 for a single
    text; None where the offset is unknown."""
    if offset is None:
        return None
    if not page_starts:
        return 1
    return max(1, bisect_right(page_starts, offset))


def unique_ids(nodes: list[Node]) -> None:
    """Make every id unique: a repeated one (a law that numbers again in an annex, a second
    'Article 1' in a schedule) is qualified by its container's id, then by a counter."""
    seen: set[str] = set()

    def visit(node: Node, container: str | None) -> None:
        if node.id in seen:
            # A § or article again in an annex is qualified by its container; a container's
            # id is its path already, and a repeated subdivision (a list numbered again
            # inside one Absatz) is told apart by a counter.
            top_level = not node.container and "/" not in node.id
            qualified = f"{container}/{node.id}" if container and top_level else node.id
            candidate, counter = qualified, 2
            while candidate in seen:
                candidate = f"{qualified}~{counter}"
                counter += 1
            _rename(node, node.id, candidate)
        seen.add(node.id)
        for child in node.children:
            visit(child, node.id if node.container else container)

    for node in nodes:
        visit(node, None)


def _rename(node: Node, old: str, new: str) -> None:
    node.id = new + node.id[len(old) :]
    for child in node.children:
        _rename(child, old, new)
