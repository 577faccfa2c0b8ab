"""The Differences view: the replay's outcome, one row per exchange, and for the chosen one
the recorded and the live payloads side by side with the fields that differ highlighted in
both.

Everything shown is the engine's (`app.replay.compare`, `app.replay.report`): the model only
words each `Outcome`, and the export writes the report with the command line's
`write_report`. Which payload a row compares follows the engine's rule: for the CALLs the
replay sent, the peer's answers; for the peer's own CALLs, its requests.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import OcppScopeError
from app.replay.compare import Exchange, Outcome, Verdict
from app.replay.report import ReplayReport, write_report
from widgets.detail import JsonView
from widgets.panes import titled
from widgets.table_model import ColumnsTableModel

COLUMNS = ("#", "Verdict", "", "Action", "n", "Differences")
NUMBER, VERDICT, DIRECTION, ACTION, ORDINAL, SUMMARY = range(len(COLUMNS))
VERDICT_TINTS = {Verdict.DIFFERENT: QColor(255, 140, 0, 70),
                 Verdict.MISSING: QColor(220, 50, 47, 70),
                 Verdict.EXTRA: QColor(220, 50, 47, 45)}
Index = QModelIndex | QPersistentModelIndex


def summary(outcome: Outcome) -> str:
    """The differences of one exchange on one line, as the HTML report's table has them."""
    parts = [str(d) for d in outcome.differences]
    parts += [f"{f.path or '(payload)'}: {f.code}" for f in outcome.findings]
    if outcome.note:
        parts.insert(0, outcome.note)
    return "; ".join(parts)


def compares_requests(outcome: Outcome, role: str) -> bool:
    """True when the peer sent this CALL, so its request is what was compared."""
    return not outcome.direction.value.startswith(role)


def compared_value(exchange: Exchange | None, requests: bool) -> Any:
    """The payload compared for one side of an exchange, or a short text saying why none."""
    if exchange is None:
        return "(not in this run)" if requests else "(no such exchange)"
    if requests:
        return exchange.request
    reply = exchange.reply
    return reply.payload if reply.kind == "result" else reply.describe()


class DifferencesModel(ColumnsTableModel):
    """The report's outcomes as rows; `outcome(row)` gives the engine's record of each."""

    columns = COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.report: ReplayReport | None = None

    def set_report(self, report: ReplayReport | None) -> None:
        self.beginResetModel()
        self.report = report
        self.endResetModel()

    @property
    def outcomes(self) -> list[Outcome]:
        return self.report.outcomes if self.report is not None else []

    def outcome(self, row: int) -> Outcome:
        return self.outcomes[row]

    def row_count(self) -> int:
        return len(self.outcomes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        outcome = self.outcomes[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(index.row() + 1), outcome.verdict.value, outcome.direction.arrow,
                    outcome.action, str(outcome.ordinal), summary(outcome))[column]
        if role == Qt.ItemDataRole.BackgroundRole:
            return VERDICT_TINTS.get(outcome.verdict)
        if role == Qt.ItemDataRole.ToolTipRole and column == SUMMARY:
            return "\n".join(filter(None, summary(outcome).split("; "))) or None
        return None


class OnlyDifferences(QSortFilterProxyModel):
    """Hides the exchanges that matched, when `only` is on."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.only = False

    def set_only(self, on: bool) -> None:
        self.beginFilterChange()
        self.only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, _parent: Index) -> bool:
        model = self.sourceModel()
        if not self.only or not isinstance(model, DifferencesModel):
            return True
        return not model.outcome(source_row).matched


class DifferencesView(QWidget):
    # the chosen exchange's CALL records: recorded seq, live seq (0 where there is none)
    exchange_chosen = Signal(int, int)
    exported = Signal(str)   # what the export did, in one sentence

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DifferencesModel(self)
        self.proxy = OnlyDifferences(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.table.selectionModel().currentRowChanged.connect(self._chosen)
        self.table.doubleClicked.connect(lambda _index: self.show_in_timelines())
        self.only = QCheckBox("Only differences")
        self.only.setToolTip("hide the exchanges the live peer answered as recorded")
        self.only.toggled.connect(self.proxy.set_only)
        self.counts = QLabel("")
        self.go_button = QPushButton("Show in timelines")
        self.go_button.setToolTip("select this exchange in the recorded and the live "
                                  "timelines (or double-click the row)")
        self.go_button.clicked.connect(self.show_in_timelines)
        self.export_button = QPushButton("Export report…")
        self.export_button.setToolTip("write the comparison as JSON or HTML, as "
                                      "`ocppscope replay --report` does")
        self.export_button.clicked.connect(self.export_dialog)
        bar = QHBoxLayout()
        for widget in (self.only, self.counts):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.go_button)
        bar.addWidget(self.export_button)

        self.what = QLabel("")
        self.recorded_view = JsonView()
        self.live_view = JsonView()
        self.recorded_title = QLabel("Recorded")
        self.live_title = QLabel("Live")
        self.difference_list = QListWidget()
        self.difference_list.setMaximumHeight(self.fontMetrics().height() * 7)
        self.ignored = QLabel("")
        self.ignored.setWordWrap(True)
        pair = QSplitter(Qt.Orientation.Horizontal)
        pair.addWidget(titled(self.recorded_title, self.recorded_view))
        pair.addWidget(titled(self.live_title, self.live_view))
        details = QWidget()
        lower = QVBoxLayout(details)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.addWidget(self.what)
        lower.addWidget(pair, 3)
        lower.addWidget(self.difference_list, 1)
        lower.addWidget(self.ignored)
        split = QSplitter(Qt.Orientation.Vertical)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(bar)
        upper_layout.addWidget(self.table)
        split.addWidget(upper)
        split.addWidget(details)
        split.setSizes([200, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.set_report(None)

    # --- showing --------------------------------------------------------------------------

    def set_report(self, report: ReplayReport | None) -> None:
        self.model.set_report(report)
        for column in range(SUMMARY):
            self.table.resizeColumnToContents(column)
        self.export_button.setEnabled(report is not None and bool(report.outcomes))
        self.go_button.setEnabled(False)
        self._show(None)
        if report is None:
            self.counts.setText("")
            self.ignored.setText("")
            return
        c = report.counts
        self.counts.setText(f"{c.same} same · {c.different} different · {c.missing} missing"
                            f" · {c.extra} extra")
        self.ignored.setText("Not compared: " + ", ".join(report.ignored))
        problem = next((row for row, o in enumerate(report.outcomes) if not o.matched), None)
        if report.outcomes:  # the first difference is what the user came for
            self.select_outcome(problem or 0)

    def select_outcome(self, source_row: int) -> None:
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if index.isValid():
            self.table.setCurrentIndex(index)

    def current_outcome(self) -> Outcome | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.outcome(self.proxy.mapToSource(index).row())

    def _chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show(self.current_outcome() if current.isValid() else None)

    def _show(self, outcome: Outcome | None) -> None:
        self.difference_list.clear()
        report = self.model.report
        if outcome is None or report is None:
            self.what.setText("Choose an exchange to compare its payloads.")
            self.recorded_view.show_text("")
            self.live_view.show_text("")
            self.go_button.setEnabled(False)
            return
        requests = compares_requests(outcome, report.role)
        what = "request" if requests else "answer"
        self.what.setText(f"{outcome.verdict.value}: {outcome.direction.arrow} "
                          f"{outcome.action} #{outcome.ordinal}, the peer's {what} compared")
        self.recorded_title.setText(f"Recorded {what}")
        self.live_title.setText(f"Live {what}")
        paths = [d.path for d in outcome.differences if not d.path.startswith("(")]
        paths += [f.path for f in outcome.findings if f.path]
        for view, exchange in ((self.recorded_view, outcome.recorded),
                               (self.live_view, outcome.live)):
            value = compared_value(exchange, requests)
            if exchange is None or (not requests and exchange.reply.kind != "result"):
                view.show_text(value)  # a sentence: no payload on this side
            else:
                view.show_value(value, marked_paths=paths)
        lines = [str(d) for d in outcome.differences]
        lines += [f"{f.path or '(payload)'}: {f.code} {f.message}" for f in outcome.findings]
        if outcome.note:
            lines.insert(0, outcome.note)
        self.difference_list.addItems(lines or ["no differences"])
        self.go_button.setEnabled(True)

    def show_in_timelines(self) -> None:
        outcome = self.current_outcome()
        if outcome is None:
            return
        self.exchange_chosen.emit(outcome.recorded.seq if outcome.recorded else 0,
                                  outcome.live.seq if outcome.live else 0)

    # --- exporting ------------------------------------------------------------------------

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the replay report",
                                              "replay-report.html",
                                              "HTML (*.html);;JSON (*.json)")
        if path:
            self.export(path)

    def export(self, path: str) -> str:
        """Write the report to `path` (.json or .html); the sentence saying what happened,
        shown under the list too."""
        report = self.model.report
        if report is None:
            return "there is no report yet"
        try:
            write_report(report, path)
        except OcppScopeError as exc:
            text = str(exc).removeprefix("--report ")
        else:
            text = f"report written to {path}"
        self.counts.setToolTip(text)
        self.exported.emit(text)
        return text
