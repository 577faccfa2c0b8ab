"""The device model a station reported, as a searchable tree: component (instance, EVSE /
connector scope) > variable (instance) > its attributes and monitors; characteristics as
columns. Reports that lost parts on the way are marked rows at the top, because a hole in
the tree looks exactly like a variable the station does not have.

The tree is described afresh from the `DeviceModel` on every update and synced by key
(`KeyedTreeModel`), so what the user expanded, selected or scrolled to stays put.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTreeView, QVBoxLayout, QWidget

from app.state.model import DeviceModel, DeviceVariable, ReportProgress, VariableAttribute
from app.wording import count
from widgets.keyed_tree import KEY_ROLE, SEQ_ROLE, KeyedTreeModel, TreeRow
from widgets.station_title import incomplete_reports
from widgets.status_colours import FAULTED, NEUTRAL

COLUMNS = ("Component / variable", "Value", "Mutability", "Unit", "Data type",
           "Limits / values", "Flags")
NAME, VALUE, MUTABILITY, UNIT, DATA_TYPE, LIMITS, FLAGS = range(len(COLUMNS))
HOLE_KEY = "report"       # first part of a report row's key, apart from components'


def component_label(variable: DeviceVariable) -> str:
    """"EVSE [main] · EVSE 1, connector 2": a component with its instance and scope."""
    label = variable.component
    if variable.component_instance:
        label += f" [{variable.component_instance}]"
    if variable.evse_id is not None:
        label += f" · EVSE {variable.evse_id}"
        if variable.connector_id is not None:
            label += f", connector {variable.connector_id}"
    return label


def report_rows(model: DeviceModel) -> list[TreeRow]:
    """One marked row per report with missing parts, and a quiet one per report still
    arriving; complete reports need no row."""
    rows: list[TreeRow] = []
    for request_id in sorted(model.reports, key=_sortable):
        report = model.reports[request_id]
        missing = report.missing
        if missing:
            noun = "part" if len(missing) == 1 else "parts"
            text = (f"{report.action} requestId {request_id}: {noun} "
                    f"{', '.join(map(str, missing))} missing")
            tip = (f"Received parts (seqNo) {_listed(report)}. The variables of a lost part "
                   "are absent from this tree; ask for the report again to fill the hole. "
                   "Click to show the report's first frame.")
            rows.append(TreeRow((HOLE_KEY, request_id), (f"⚠ {text}",), tip,
                                seq=report.first_seq, foreground=FAULTED, bold=True))
        elif not report.complete:
            text = (f"{report.action} requestId {request_id}: "
                    f"{count(len(report.seq_nos), 'part')} so far, more to come")
            rows.append(TreeRow((HOLE_KEY, request_id), (text,),
                                "The last part (tbc false) has not arrived yet.",
                                seq=report.first_seq, foreground=NEUTRAL))
    return rows


def fingerprint(model: DeviceModel) -> tuple[Any, ...]:
    """What changes whenever the tree would: every value the tracker sets comes with the
    seq of the record that taught it, so a sum of seqs and counts tells an unchanged model
    at a fraction of the cost of describing its tree again."""
    seqs = attributes = monitors = traits = 0
    for variable in model.variables.values():
        for attribute in variable.attributes.values():
            seqs += attribute.seq if isinstance(attribute.seq, int) else 0
            attributes += 1
        monitors += sum(len(m) if isinstance(m, dict) else 1 for m in variable.monitors)
        traits += id(variable.characteristics)
    reports = tuple((r.request_id, len(r.seq_nos), r.complete, r.first_seq)
                    for r in model.reports.values())
    return (id(model), len(model.variables), seqs, attributes, monitors, traits, reports)


def device_rows(model: DeviceModel) -> list[TreeRow]:
    """The whole tree: report rows, then components in name order."""
    components: dict[tuple[Any, ...], list[DeviceVariable]] = {}
    for variable in model.variables.values():
        key = (variable.component, variable.component_instance, variable.evse_id,
               variable.connector_id)
        components.setdefault(key, []).append(variable)
    rows = report_rows(model)
    for key in sorted(components, key=_sortable):
        variables = sorted(components[key], key=lambda v: _sortable(
            (v.variable, v.variable_instance)))
        children = [_variable_row(v) for v in variables]
        label = component_label(variables[0])
        rows.append(TreeRow(key, (label, count(len(children), "variable")), label,
                            foreground=NEUTRAL, colour_columns=(VALUE,), children=children))
    return rows


def _variable_row(variable: DeviceVariable) -> TreeRow:
    name = variable.variable
    if variable.variable_instance:
        name += f" [{variable.variable_instance}]"
    attributes = [variable.attributes[t] for t in sorted(variable.attributes, key=_attr_order)]
    shown = next((a for a in attributes if a.type == "Actual"),
                 attributes[0] if attributes else None)
    traits = variable.characteristics if isinstance(variable.characteristics, dict) else {}
    cells = (name, _value(shown), _text(shown.mutability if shown else None),
             _text(traits.get("unit")), _text(traits.get("dataType")), _limits(traits),
             _flags(shown))
    children: list[TreeRow] = []
    if len(attributes) > 1:
        children += [TreeRow(("attribute", a.type),
                             (a.type, _value(a), _text(a.mutability), "", "", "", _flags(a)),
                             seq=a.seq or None) for a in attributes]
    for position, monitor in enumerate(variable.monitors):
        children.append(_monitor_row(position, monitor))
    tip_lines = [f"{variable.component} / {name}"]
    tip_lines += [f"{k}: {v}" for k, v in traits.items()]
    if shown is not None and shown.seq:
        tip_lines.append("Double-click to show the frame that reported it.")
    return TreeRow(("variable", variable.variable, variable.variable_instance), cells,
                   "\n".join(tip_lines), seq=(shown.seq or None) if shown else None,
                   children=children)


def _monitor_row(position: int, monitor: Any) -> TreeRow:
    if not isinstance(monitor, dict):
        return TreeRow(("monitor", position), ("Monitor", _text(monitor)))
    ident = monitor.get("id")
    kind, value = _text(monitor.get("type")), _text(monitor.get("value"))
    severity = monitor.get("severity")
    flags = f"severity {severity}" if severity is not None else ""
    if monitor.get("transaction"):
        flags = ", ".join(p for p in (flags, "during transactions") if p)
    return TreeRow(("monitor", ident if ident is not None else position),
                   (f"Monitor {_text(ident)}".strip(), f"{kind} {value}".strip(), "", "", "",
                    "", flags), ", ".join(f"{k}: {v}" for k, v in monitor.items()))


def _value(attribute: VariableAttribute | None) -> str:
    return "" if attribute is None else _text(attribute.value)


def _flags(attribute: VariableAttribute | None) -> str:
    if attribute is None:
        return ""
    flags = [name for name, on in (("persistent", attribute.persistent),
                                   ("constant", attribute.constant)) if on]
    return ", ".join(flags)


def _limits(traits: dict[str, Any]) -> str:
    values = traits.get("valuesList")
    if values:
        return _text(values).replace(",", ", ")
    low, high = traits.get("minLimit"), traits.get("maxLimit")
    if low is None and high is None:
        return ""
    if low is None:
        return f"≤ {_text(high)}"
    if high is None:
        return f"≥ {_text(low)}"
    return f"{_text(low)} – {_text(high)}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _listed(report: ReportProgress) -> str:
    return ", ".join(map(str, sorted(set(report.seq_nos)))) or "none"


def _attr_order(kind: str) -> tuple[int, str]:
    order = ("Actual", "Target", "MinSet", "MaxSet")
    return (order.index(kind) if kind in order else len(order), str(kind))


def _sortable(key: Any) -> tuple[Any, ...]:
    """A sort key for keys that mix None, numbers and text (peer data has all three)."""
    parts = key if isinstance(key, tuple) else (key,)
    return tuple((0, "") if p is None else (1, p) if isinstance(p, int | float)
                 else (2, str(p).lower()) for p in parts)


class DeviceModelView(QWidget):
    record_chosen = Signal(int)   # the seq of the frame behind a row the user picked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search component, variable or value…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search)
        self.summary = QLabel("")
        self.view = QTreeView()
        # the view owns its models, so they outlive what it keeps of them at teardown
        self.model = KeyedTreeModel(COLUMNS, self.view)
        self.proxy = QSortFilterProxyModel(self.view)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setAutoAcceptChildRows(True)   # a matching component shows all it has
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view.setModel(self.proxy)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((NAME, 260), (VALUE, 150), (MUTABILITY, 80), (UNIT, 50),
                              (DATA_TYPE, 80), (LIMITS, 130)):
            self.view.setColumnWidth(column, width)
        self.proxy.rowsInserted.connect(self._span_report_rows)
        self.proxy.modelReset.connect(self._span_report_rows)
        self.proxy.layoutChanged.connect(self._span_report_rows)
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.holes = 0
        self._fingerprint: tuple[Any, ...] = ()
        self.set_device_model(DeviceModel())

    def set_device_model(self, model: DeviceModel) -> None:
        """Show `model`, changing only the rows that changed."""
        seen = fingerprint(model)
        if seen == self._fingerprint:
            return
        self._fingerprint = seen
        self.model.sync(device_rows(model))
        self.holes = incomplete_reports(model)
        components = len({v.key[:4] for v in model.variables.values()})
        if not model.variables and not model.reports:
            text = ("No device model yet: it fills in as the station answers GetBaseReport "
                    "or GetReport with NotifyReport.")
        else:
            text = (f"{count(len(model.variables), 'variable')} in "
                    f"{count(components, 'component')}")
            if self.holes:
                text += f" · ⚠ {count(self.holes, 'report')} with missing parts"
        if self.summary.text() != text:
            self.summary.setText(text)

    def _span_report_rows(self, *_args: object) -> None:
        """A report row's sentence takes the whole width: it has no columns of its own."""
        for row in range(self.proxy.rowCount()):
            key = self.proxy.data(self.proxy.index(row, NAME), KEY_ROLE)
            spanned = isinstance(key, tuple) and key[:1] == (HOLE_KEY,)
            if self.view.isFirstColumnSpanned(row, QModelIndex()) != spanned:
                self.view.setFirstColumnSpanned(row, QModelIndex(), spanned)

    def _search(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if text.strip():
            self.view.expandAll()   # matches deep in the tree are what was asked for

    def _seq(self, index: QModelIndex) -> int | None:
        seq = self.proxy.data(index.siblingAtColumn(NAME), SEQ_ROLE)
        return seq if isinstance(seq, int) else None

    def _clicked(self, index: QModelIndex) -> None:
        """A report row shows its frame at one click: it has nothing else to offer."""
        key = self.proxy.data(index.siblingAtColumn(NAME), KEY_ROLE)
        seq = self._seq(index)
        if seq is not None and isinstance(key, tuple) and key[:1] == (HOLE_KEY,):
            self.record_chosen.emit(seq)

    def _activated(self, index: QModelIndex) -> None:
        seq = self._seq(index)
        if seq is not None:
            self.record_chosen.emit(seq)
