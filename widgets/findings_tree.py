"""The findings tree of Expert Info as a Qt model: severity, code, station and record rows
(grouped by code), or action (station), code and record rows, each with its count.

The grouping is the engine's `FindingsSummary`; this module only adapts it. The tree is
rebuilt only when a new heading or kind appears (the view then restores what was expanded);
otherwise counts change in place and new records are appended under their node, so a busy
capture costs one small update per refresh.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor

from app.ocpp.findings import Severity
from app.session.capture import Capture
from app.session.findings_summary import (
    CodeGroup,
    FindingsSummary,
    Grouping,
    Heading,
    KindFindings,
    StationFindings,
    record_line,
)
from widgets.table_model import column_header

COLUMNS = ("Finding", "Count", "Example")
FINDING, COUNT, EXAMPLE = range(len(COLUMNS))
TITLES = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Notes"}
UNNAMED = {Grouping.ACTION: "(no action)", Grouping.STATION: "(no station)"}
COLOURS = {Severity.ERROR: QColor(200, 40, 40), Severity.WARNING: QColor(190, 120, 0),
           Severity.INFO: QColor(60, 110, 200)}

Index = QModelIndex | QPersistentModelIndex
_IDENTS = itertools.count(1)


class _Node:
    """A row that has rows under it: a severity, a code, or a station within a code; or an
    action (a station) and a code under it. Record rows have no node: their index names the
    node that lists them (`leaf`, `records`).

    An index carries the number (`ident`) of the node that contains its row, not a pointer
    to it: an index Qt keeps past a rebuild then finds no node, instead of freed memory."""

    __slots__ = ("children", "group", "heading", "ident", "key", "kind", "parent", "place",
                 "records", "row", "severity")

    def __init__(self, parent: _Node | None, row: int, key: tuple[str, ...],
                 nodes: dict[int, _Node]) -> None:
        self.parent, self.row, self.key = parent, row, key
        self.ident = next(_IDENTS)
        nodes[self.ident] = self
        self.children: list[_Node] = []
        self.severity: Severity | None = None
        self.group: CodeGroup | None = None
        self.place: StationFindings | None = None
        self.heading: Heading | None = None
        self.kind: KindFindings | None = None
        self.records = 0        # record rows the view was told of (`leaf` nodes)

    @property
    def leaf(self) -> StationFindings | KindFindings | None:
        """What lists this node's records, for a node whose rows are records."""
        return self.place if self.place is not None else self.kind

    @property
    def code(self) -> str:
        """The finding code of the records under this node."""
        if self.group is not None:
            return self.group.code
        return self.kind.code if self.kind is not None else ""


_NOWHERE = _Node(None, 0, (), {})


class FindingsModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.capture = Capture()
        self.summary = FindingsSummary()
        self._nodes: dict[int, _Node] = {}
        self._root = _Node(None, 0, (), self._nodes)
        self._structure: object = ()
        self._revision = -1
        self.grouping = Grouping.CODE

    def set_grouping(self, grouping: Grouping) -> None:
        """Group by `grouping` from now on (the tree is rebuilt at once)."""
        if grouping is not self.grouping:
            self.grouping = grouping
            self._revision = -1
            self._structure = None
            self.refresh()

    def show(self, capture: Capture, summary: FindingsSummary) -> None:
        self.capture, self.summary = capture, summary
        self._revision = -1
        self._structure = None
        self.refresh()

    def refresh(self) -> bool:
        """Catch up with the summary; True when the tree was rebuilt (the view then
        restores what was expanded)."""
        if self.summary.revision == self._revision:
            return False
        self._revision = self.summary.revision
        structure = self.summary.structure_of(self.grouping)
        if structure != self._structure:
            self._structure = structure
            self.beginResetModel()
            self._root = self._build()
            self.endResetModel()
            return True
        self._grow(self._root)
        return False

    def _build(self) -> _Node:
        nodes = self._nodes = {}
        root = _Node(None, 0, (), nodes)
        if self.grouping is not Grouping.CODE:
            return self._build_headings(root, nodes)
        for s_row, severity in enumerate(self.summary.severities()):
            s_node = _Node(root, s_row, (severity.value,), nodes)
            s_node.severity = severity
            root.children.append(s_node)
            for c_row, group in enumerate(self.summary.groups(severity)):
                c_node = _Node(s_node, c_row, (*s_node.key, group.code), nodes)
                c_node.severity, c_node.group = severity, group
                s_node.children.append(c_node)
                for p_row, place in enumerate(group.by_station()):
                    p_node = _Node(c_node, p_row, (*c_node.key, place.station), nodes)
                    p_node.severity, p_node.group, p_node.place = severity, group, place
                    p_node.records = len(place.seqs)
                    c_node.children.append(p_node)
        return root

    def _build_headings(self, root: _Node, nodes: dict[int, _Node]) -> _Node:
        """Actions (or stations), each with its codes, worst first, each with its records."""
        for h_row, heading in enumerate(self.summary.headings(self.grouping)):
            h_node = _Node(root, h_row, (heading.name,), nodes)
            h_node.heading, h_node.severity = heading, heading.worst
            root.children.append(h_node)
            for k_row, kind in enumerate(heading.by_kind()):
                k_node = _Node(h_node, k_row, (heading.name, f"{kind.severity} {kind.code}"),
                               nodes)
                k_node.kind, k_node.severity = kind, kind.severity
                k_node.records = len(kind.seqs)
                h_node.children.append(k_node)
        return root

    def _grow(self, node: _Node) -> None:
        """Counts changed and records were appended: say so, without a reset."""
        if node.children:
            first, last = node.children[0], node.children[-1]
            self.dataChanged.emit(self._index(first.row, COUNT, node),
                                  self._index(last.row, EXAMPLE, node))
            for child in node.children:
                self._grow(child)
        elif node.leaf is not None and len(node.leaf.seqs) > node.records:
            parent = self._index(node.row, 0, node.parent)
            self.beginInsertRows(parent, node.records, len(node.leaf.seqs) - 1)
            node.records = len(node.leaf.seqs)
            self.endInsertRows()

    # --- what a row is ---------------------------------------------------------------------

    def _index(self, row: int, column: int, container: _Node | None) -> QModelIndex:
        return self.createIndex(row, column, (container or self._root).ident)

    def _container(self, index: Index) -> _Node | None:
        """The node holding the row of a valid index (None for an index of an old tree)."""
        return self._nodes.get(index.internalId())

    def node_of(self, index: Index) -> _Node:
        """The node a valid index is (not for record rows), or the root."""
        if not index.isValid():
            return self._root
        container = self._container(index)
        if container is None or index.row() >= len(container.children):
            return _NOWHERE   # an index of an old tree: a row with nothing in or under it
        return container.children[index.row()]

    def seq_at(self, index: Index) -> int | None:
        """The record a row stands for, if it is a record row."""
        container = self._container(index) if index.isValid() else None
        leaf = container.leaf if container is not None else None
        if leaf is None or container.children or index.row() >= container.records:
            return None
        return leaf.seqs[index.row()]

    def key_of(self, index: Index) -> tuple[Any, ...]:
        seq = self.seq_at(index)
        if seq is not None:
            return (*self._nodes[index.internalId()].key, seq)
        return self.node_of(index).key

    def index_of_key(self, key: tuple[Any, ...]) -> QModelIndex:
        node, parent = self._root, QModelIndex()
        for part in key:
            if node.leaf is not None and not node.children:   # a record under its node
                try:
                    row = list(node.leaf.seqs[:node.records]).index(part)
                except ValueError:
                    return QModelIndex()
                return self.index(row, 0, parent)
            match = next((c for c in node.children if c.key[-1] == part), None)
            if match is None:
                return QModelIndex()
            node, parent = match, self._index(match.row, 0, node)
        return parent

    # --- Qt model API ----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self._index(row, column, self.node_of(parent))

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        container = self._container(index) if index.isValid() else None
        if container is None or container is self._root or container.parent is None:
            return QModelIndex()
        return self._index(container.row, 0, container.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        if self.seq_at(parent) is not None:
            return 0
        node = self.node_of(parent)
        return len(node.children) if node.children or node.leaf is None else node.records

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return column_header(COLUMNS, section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        seq = self.seq_at(index)
        if seq is not None:
            return self._record_data(index, seq, role)
        node = self.node_of(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(node, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and node.group is None and \
                node.severity is not None and index.column() == FINDING:
            return COLOURS[node.severity]
        if role == Qt.ItemDataRole.ToolTipRole and (node.group or node.kind) is not None:
            sample = node.group.sample if node.group is not None else node.kind.sample
            return f"{node.code}: {sample}"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == COUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, node: _Node, column: int) -> str:
        if node.kind is not None:
            return {FINDING: node.kind.code, COUNT: f"{node.kind.count:,}",
                    EXAMPLE: node.kind.sample}[column]
        if node.heading is not None:
            codes = len(node.children)
            return {FINDING: node.heading.name or UNNAMED[self.grouping],
                    COUNT: f"{node.heading.count:,}",
                    EXAMPLE: f"{codes} kind{'s' if codes != 1 else ''}"}[column]
        if node.place is not None:
            name = node.place.station or "(no station)"
            return {FINDING: name, COUNT: f"{node.place.count:,}"}.get(column, "")
        if node.group is not None:
            return {FINDING: node.group.code, COUNT: f"{node.group.count:,}",
                    EXAMPLE: node.group.sample}[column]
        if node.severity is not None:
            codes = len(node.children)
            return {FINDING: TITLES[node.severity],
                    COUNT: f"{self.summary.count(node.severity):,}",
                    EXAMPLE: f"{codes} kind{'s' if codes != 1 else ''}"}[column]
        return ""

    def _record_data(self, index: Index, seq: int, role: int) -> Any:
        container = self._nodes[index.internalId()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == FINDING:
                return f"#{seq}"
            if index.column() == EXAMPLE:
                return record_line(self.capture, seq, container.code).split(" · ", 1)[-1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "click to select it in the timeline"
        return None
