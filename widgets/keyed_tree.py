"""A tree model that a view rebuilds from data as often as it likes, without the user
noticing: rows are matched by key, so an update changes what changed, inserts and removes
the rest, and Qt keeps the selection, the expansion and the scroll position.

A view describes its whole tree as `TreeRow`s (cheap plain data) and hands it to
`KeyedTreeModel.sync`; siblings must come in a stable order (the order of their keys).
An index carries the number of the node holding its row, never a pointer to it, so an
index kept past a removal finds nothing instead of freed memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from widgets.table_model import column_header

Index = QModelIndex | QPersistentModelIndex
SEQ_ROLE = Qt.ItemDataRole.UserRole + 1      # the record a row came from, or None
KEY_ROLE = Qt.ItemDataRole.UserRole + 2      # the row's key
_IDENTS = itertools.count(1)


@dataclass(slots=True)
class TreeRow:
    """One row as a view wants it shown. `key` is unique among its siblings."""

    key: Hashable
    cells: tuple[str, ...]
    tooltip: str = ""
    seq: int | None = None
    foreground: QColor | None = None
    colour_columns: tuple[int, ...] = ()       # columns `foreground` applies to; () = all
    bold: bool = False
    children: list[TreeRow] = field(default_factory=list)

    def looks_like(self, other: TreeRow) -> bool:
        return (self.cells, self.tooltip, self.seq, self.bold, self.colour_columns) == (
            other.cells, other.tooltip, other.seq, other.bold, other.colour_columns) and (
            _rgba(self.foreground) == _rgba(other.foreground))


def _rgba(colour: QColor | None) -> int | None:
    return None if colour is None else colour.rgba()


class _Node:
    __slots__ = ("children", "ident", "parent", "row")

    def __init__(self, row: TreeRow | None, parent: _Node | None,
                 nodes: dict[int, _Node]) -> None:
        self.row = row
        self.parent = parent
        self.ident = next(_IDENTS)
        self.children: list[_Node] = []
        nodes[self.ident] = self


class KeyedTreeModel(QAbstractItemModel):
    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headers = tuple(headers)
        self._nodes: dict[int, _Node] = {}
        self._root = _Node(None, None, self._nodes)

    # --- updating ---------------------------------------------------------------------------

    def sync(self, rows: list[TreeRow]) -> None:
        """Make the tree show `rows`: changed rows are updated in place, new ones inserted,
        gone ones removed."""
        self._sync_children(self._root, QModelIndex(), rows)

    def _sync_children(self, node: _Node, parent: QModelIndex, rows: list[TreeRow]) -> None:
        wanted = {row.key for row in rows}
        if len(wanted) != len(rows):      # a view's bug; show the first of each key
            seen: set[Hashable] = set()
            rows = [row for row in rows if not (row.key in seen or seen.add(row.key))]
        # remove the gone ones, in runs from the bottom
        position = len(node.children) - 1
        while position >= 0:
            if node.children[position].row.key in wanted:   # type: ignore[union-attr]
                position -= 1
                continue
            last = position
            while position >= 0 and node.children[position].row.key not in wanted:  # type: ignore[union-attr]
                position -= 1
            self.beginRemoveRows(parent, position + 1, last)
            for gone in node.children[position + 1:last + 1]:
                self._forget(gone)
            del node.children[position + 1:last + 1]
            self.endRemoveRows()
        kept = [child.row.key for child in node.children]   # type: ignore[union-attr]
        staying = set(kept)
        if kept and kept != [row.key for row in rows if row.key in staying]:
            # the order changed: start this level afresh (rare; views keep a stable order)
            self.beginRemoveRows(parent, 0, len(node.children) - 1)
            for gone in node.children:
                self._forget(gone)
            node.children = []
            self.endRemoveRows()
        # insert the new ones in runs, update the kept ones
        position = 0
        while position < len(rows):
            existing = node.children[position] if position < len(node.children) else None
            if existing is not None and existing.row.key == rows[position].key:   # type: ignore[union-attr]
                self._update(existing, position, rows[position])
                position += 1
                continue
            following = existing.row.key if existing is not None else None   # type: ignore[union-attr]
            end = position
            while end < len(rows) and (existing is None or rows[end].key != following):
                end += 1
            self.beginInsertRows(parent, position, end - 1)
            fresh = [_Node(row, node, self._nodes) for row in rows[position:end]]
            node.children[position:position] = fresh
            self.endInsertRows()
            for offset, child in enumerate(fresh):
                index = self.createIndex(position + offset, 0, node.ident)
                self._sync_children(child, index, rows[position + offset].children)
            position = end

    def _update(self, node: _Node, position: int, row: TreeRow) -> None:
        old = node.row
        node.row = row
        container = node.parent.ident if node.parent is not None else self._root.ident
        if old is None or not old.looks_like(row):
            self.dataChanged.emit(self.createIndex(position, 0, container),
                                  self.createIndex(position, len(self.headers) - 1, container))
        if node.children or row.children:
            self._sync_children(node, self.createIndex(position, 0, container), row.children)

    def _forget(self, node: _Node) -> None:
        self._nodes.pop(node.ident, None)
        for child in node.children:
            self._forget(child)

    # --- reading ----------------------------------------------------------------------------

    def row_at(self, index: Index) -> TreeRow | None:
        """The row an index shows (None for the root or an index of a removed row)."""
        if not index.isValid():
            return None
        container = self._nodes.get(index.internalId())
        if container is None or index.row() >= len(container.children):
            return None
        return container.children[index.row()].row

    def index_of_key(self, path: Sequence[Hashable], column: int = 0) -> QModelIndex:
        """The index of the row reached by following `path`, one key a level."""
        node, index = self._root, QModelIndex()
        for key in path:
            found = next((n for n, child in enumerate(node.children)
                          if child.row is not None and child.row.key == key), None)
            if found is None:
                return QModelIndex()
            index = self.createIndex(found, 0, node.ident)
            node = node.children[found]
        return index.siblingAtColumn(column) if index.isValid() else index

    def _node(self, index: Index) -> _Node | None:
        if not index.isValid():
            return self._root
        container = self._nodes.get(index.internalId())
        if container is None or index.row() >= len(container.children):
            return None
        return container.children[index.row()]

    # --- Qt model API -----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        node = self._node(parent)
        if node is None:
            return QModelIndex()
        return self.createIndex(row, column, node.ident)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        container = self._nodes.get(index.internalId())
        if container is None or container.parent is None:
            return QModelIndex()
        return self.createIndex(container.parent.children.index(container), 0,
                                container.parent.ident)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent)
        return 0 if node is None else len(node.children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return column_header(self.headers, section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column] if column < len(row.cells) else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip or None
        if role == Qt.ItemDataRole.ForegroundRole and row.foreground is not None and (
                not row.colour_columns or column in row.colour_columns):
            return row.foreground
        if role == Qt.ItemDataRole.FontRole and row.bold:
            font = QFont()
            font.setBold(True)
            return font
        if role == SEQ_ROLE:
            return row.seq
        if role == KEY_ROLE:
            return row.key
        return None
