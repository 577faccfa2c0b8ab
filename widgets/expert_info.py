"""Expert Info: every finding of the capture as a tree — severity, code, station, record —
with counts; a click on a record selects it in the timeline.

The grouping is the engine's `FindingsSummary`; this module only adapts it. Live records
are added as their batches come, and the tree catches up on a timer (`REFRESH_MS`), so a
busy proxy costs one update a second, not one per frame. A loaded session is summarised
once judged, in slices. The tree is rebuilt only when a new severity, code or station
appears (keeping what was expanded and selected); otherwise counts change in place and new
records are appended under their station.
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
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeView, QVBoxLayout, QWidget

from app.ocpp.findings import Severity
from app.session.capture import Annotation, Capture
from app.session.findings_summary import (
    CodeGroup,
    FindingsSummary,
    StationFindings,
    SummaryBuild,
    record_line,
)
from app.session.message import Message
from widgets.session_io import SliceJob

REFRESH_MS = 1000
COLUMNS = ("Finding", "Count", "Example")
FINDING, COUNT, EXAMPLE = range(len(COLUMNS))
TITLES = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Notes"}
COLOURS = {Severity.ERROR: QColor(200, 40, 40), Severity.WARNING: QColor(190, 120, 0),
           Severity.INFO: QColor(60, 110, 200)}

Index = QModelIndex | QPersistentModelIndex
_IDENTS = itertools.count(1)


class _Node:
    """A row that has rows under it: a severity, a code, or a station within a code.
    Record rows have no node: their index names their station's node (`records`).

    An index carries the number (`ident`) of the node that contains its row, not a pointer
    to it: an index Qt keeps past a rebuild then finds no node, instead of freed memory."""

    __slots__ = ("children", "group", "ident", "key", "parent", "place", "records", "row",
                 "severity")

    def __init__(self, parent: _Node | None, row: int, key: tuple[str, ...],
                 nodes: dict[int, _Node]) -> None:
        self.parent, self.row, self.key = parent, row, key
        self.ident = next(_IDENTS)
        nodes[self.ident] = self
        self.children: list[_Node] = []
        self.severity: Severity | None = None
        self.group: CodeGroup | None = None
        self.place: StationFindings | None = None
        self.records = 0        # record rows the view was told of (station nodes)


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
        structure = self.summary.structure
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

    def _grow(self, node: _Node) -> None:
        """Counts changed and records were appended: say so, without a reset."""
        if node.children:
            first, last = node.children[0], node.children[-1]
            self.dataChanged.emit(self._index(first.row, COUNT, node),
                                  self._index(last.row, EXAMPLE, node))
            for child in node.children:
                self._grow(child)
        elif node.place is not None and len(node.place.seqs) > node.records:
            parent = self._index(node.row, 0, node.parent)
            self.beginInsertRows(parent, node.records, len(node.place.seqs) - 1)
            node.records = len(node.place.seqs)
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
        if container is None or container.place is None or container.children \
                or index.row() >= container.records:
            return None
        return container.place.seqs[index.row()]

    def key_of(self, index: Index) -> tuple[Any, ...]:
        seq = self.seq_at(index)
        if seq is not None:
            return (*self._nodes[index.internalId()].key, seq)
        return self.node_of(index).key

    def index_of_key(self, key: tuple[Any, ...]) -> QModelIndex:
        node, parent = self._root, QModelIndex()
        for part in key:
            if node.place is not None and not node.children:   # a record under a station
                try:
                    row = list(node.place.seqs[:node.records]).index(part)
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
        return len(node.children) if node.children or node.place is None else node.records

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

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
        if role == Qt.ItemDataRole.ToolTipRole and node.group is not None:
            return f"{node.group.code}: {node.group.sample}"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == COUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, node: _Node, column: int) -> str:
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
                code = container.group.code if container.group else ""
                return record_line(self.capture, seq, code).split(" · ", 1)[-1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "click to select it in the timeline"
        return None


class ExpertInfo(QWidget):
    record_chosen = Signal(int)   # the seq of the record clicked
    title_changed = Signal(str)   # "Expert info (12)": for the tab, so findings show at once

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capture = Capture()
        self.summary = FindingsSummary()
        self.live = True
        self._build: SliceJob | None = None
        self._title = ""
        self.view = QTreeView()
        # the view owns its model, so the model outlives everything the view holds of it
        self.model = FindingsModel(self.view)
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(FINDING, QHeaderView.ResizeMode.Interactive)
        self.view.setColumnWidth(FINDING, 260)
        self.view.setColumnWidth(COUNT, 70)
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)
        self.status = QLabel("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.show_capture(self.capture, live=True)

    def show_capture(self, capture: Capture, live: bool) -> None:
        """Summarise `capture` from now on: a live one as its batches come, a loaded one
        when `summarise_judged` is called."""
        if self._build is not None and self._build.running:
            self._build.cancel()
        self.capture, self.live = capture, live
        self.summary = FindingsSummary()
        self.model.show(capture, self.summary)
        self._update_status()

    def add_batch(self, batch: list[tuple[Message, Annotation]]) -> None:
        """Count the findings of live records (the tree catches up on the timer)."""
        add = self.summary.add
        for message, annotation in batch:
            if annotation.findings:
                add(message.seq, message.station, annotation.findings)

    def summarise_judged(self) -> None:
        """Summarise every record of a loaded capture, now that each has its verdict."""
        if self._build is not None and self._build.running:
            self._build.cancel()
        capture = self.capture
        summary = self.summary = FindingsSummary()   # afresh: never count a record twice
        self.model.show(capture, summary)
        build = SummaryBuild(capture, summary)
        job = SliceJob(build.step, lambda: build.progress, self)
        job.finished.connect(lambda _complete: self.refresh())
        self._build = job
        job.start()

    @property
    def building(self) -> bool:
        return self._build is not None and self._build.running

    def refresh(self) -> None:
        if self.live:
            self.summary.follow_notes(self.capture)
        if self.building:
            return
        expanded = self._expanded_keys()
        current = self.view.currentIndex()
        current_key = self.model.key_of(current) if current.isValid() else None
        if self.model.refresh():
            for key in expanded:
                self.view.setExpanded(self.model.index_of_key(key), True)
            if current_key is not None:
                self.view.setCurrentIndex(self.model.index_of_key(current_key))
        self._update_status()

    def _expanded_keys(self) -> list[tuple[Any, ...]]:
        keys: list[tuple[Any, ...]] = []

        def visit(parent: QModelIndex) -> None:
            model = self.model
            for row in range(model.rowCount(parent) if model.seq_at(parent) is None else 0):
                index = model.index(row, 0, parent)
                if model.seq_at(index) is None and self.view.isExpanded(index):
                    keys.append(model.key_of(index))
                    visit(index)

        visit(QModelIndex())
        return keys

    def _update_status(self) -> None:
        summary = self.summary
        count = summary.count()
        title = f"Expert info ({count:,})" if count and not self.building else "Expert info"
        if title != self._title:
            self._title = title
            self.title_changed.emit(title)
        if self.building:
            self.status.setText("Summarising the findings…")
            return
        if not summary.count():
            unjudged = not self.live and not self.capture.judged
            self.status.setText("Checking the records…" if unjudged else "No findings.")
            return
        parts = [_counted(summary.count(s), s) for s in summary.severities()]
        self.status.setText(" · ".join(parts) + " — click a record to select it in the "
                            "timeline (F8 / Shift+F8: next / previous invalid frame)")

    def _clicked(self, index: QModelIndex) -> None:
        seq = self.model.seq_at(index)
        if seq is not None:
            self.record_chosen.emit(seq)


def _counted(count: int, severity: Severity) -> str:
    noun = TITLES[severity].lower()
    return f"{count:,} {noun if count != 1 else noun[:-1]}"
