"""The message reference: all 64 actions by category or by search, each with who sends it,
what it is for, its fields as a tree, examples and the mistakes real devices make."""

from __future__ import annotations

import html
import json

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ocpp import catalog, reference
from app.ocpp.schema_tree import FieldSpec, describe_type, field_tree
from app.ocpp.schemas import PayloadKind
from widgets.detail import highlighted_json


def _code(value: object) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return f"<pre style='margin:4px 0 10px 12px'>{highlighted_json(text)}</pre>"


def _fields(spec: FieldSpec, depth: int = 0) -> str:
    rows = []
    for child in spec.children if spec.kind == "object" else ():
        rows.append(_field_row(child, depth))
    return "".join(rows)


def _field_row(spec: FieldSpec, depth: int) -> str:
    name = html.escape(spec.name)
    name = f"<b>{name}</b>" if spec.required else name
    marker = " <span style='color:#c03030'>required</span>" if spec.required else ""
    enum = ""
    if spec.enum:
        enum = "<br><small>" + html.escape(", ".join(spec.enum)) + "</small>"
    description = (f"<br><small style='color:gray'>{html.escape(spec.description)}</small>"
                   if spec.description else "")
    row = (f"<tr><td style='padding-left:{12 + depth * 18}px'>{name}{marker}</td>"
           f"<td>{html.escape(describe_type(spec))}{enum}{description}</td></tr>")
    target = spec.items if spec.kind == "array" and spec.items else spec
    if target.kind == "object":
        row += _fields(target, depth + 1)
    return row


def page_html(action: str) -> str:
    page = reference.page(action)
    entry = page.action
    parts = [f"<h2>{action}</h2>",
             f"<p><b>{html.escape(entry.category)}</b> · sent by "
             f"{html.escape(entry.sender.label)}</p>",
             f"<p><i>{html.escape(page.summary)}</i></p>",
             f"<p>{html.escape(page.description)}</p>"]
    for kind in (PayloadKind.REQUEST, PayloadKind.RESPONSE):
        required = ", ".join(page.required(kind)) or "none"
        parts.append(f"<h3>{kind.suffix}</h3><p>Required: <code>{html.escape(required)}"
                     "</code></p>")
        parts.append("<table cellspacing='0' cellpadding='3' width='100%'>"
                     f"{_fields(field_tree(action, kind))}</table>")
        for example in page.examples_of(kind):
            parts.append(f"<p><b>Example:</b> {html.escape(example.title)}</p>")
            parts.append(_code(example.payload))
    parts.append("<h3>Common errors</h3>")
    for error in page.common_errors:
        where = f" at <code>{html.escape(error.path)}</code>" if error.path else ""
        parts.append(f"<p><b>{html.escape(error.title)}</b> ({error.kind.value}; "
                     f"<code>{error.code}</code>{where})<br>{html.escape(error.explanation)}"
                     "</p>")
        parts.append(_code(error.payload))
    return "".join(parts)


class ReferenceView(QWidget):
    open_in_composer = Signal(str)    # action
    validate_payload = Signal(str)    # action

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the 64 messages (name, words of the summary)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)  # ↓ and ↑ go on into the list
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        for category in catalog.CATEGORIES:
            group = QTreeWidgetItem([category])
            group.setFlags(group.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            for entry in catalog.actions_in(category):
                item = QTreeWidgetItem([entry.name])
                item.setData(0, Qt.ItemDataRole.UserRole, entry.name)
                item.setToolTip(0, reference.page(entry.name).summary)
                group.addChild(item)
            self.tree.addTopLevelItem(group)
        self.tree.expandAll()
        self.tree.currentItemChanged.connect(self._chosen)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.tree)
        self.page = QTextBrowser()
        self.compose = QPushButton("Open in composer")
        self.validate = QPushButton("Validate a payload")
        self.compose.clicked.connect(lambda: self.open_in_composer.emit(self.action))
        self.validate.clicked.connect(lambda: self.validate_payload.emit(self.action))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.compose)
        buttons.addWidget(self.validate)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.page)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([260, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.action = ""
        self.show_action("BootNotification")

    def show_action(self, action: str) -> None:
        self.action = action
        self.page.setHtml(page_html(action))
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            for child in range(group.childCount()):
                item = group.child(child)
                if item.data(0, Qt.ItemDataRole.UserRole) == action:
                    self.tree.blockSignals(True)
                    self.tree.setCurrentItem(item)
                    self.tree.blockSignals(False)

    def _chosen(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        if item is not None and item.data(0, Qt.ItemDataRole.UserRole):
            self.show_action(item.data(0, Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down or Up in the search box moves into the list, at the match shown, so the
        matches can be walked without reaching for the mouse."""
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)):
            if self.tree.currentItem() is None or self.tree.currentItem().isHidden():
                first = self._matches()
                if first:
                    self.show_action(first[0])
            self.tree.setFocus()
            return True
        return super().eventFilter(watched, event)

    def _matches(self) -> list[str]:
        """The actions the list shows, top to bottom."""
        return [group.child(row).data(0, Qt.ItemDataRole.UserRole)
                for index in range(self.tree.topLevelItemCount())
                if not (group := self.tree.topLevelItem(index)).isHidden()
                for row in range(group.childCount()) if not group.child(row).isHidden()]

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            visible = 0
            for child in range(group.childCount()):
                item = group.child(child)
                action = item.data(0, Qt.ItemDataRole.UserRole)
                page = reference.page(action)
                hit = not needle or needle in action.casefold() or needle in (
                    page.summary + " " + page.description).casefold()
                item.setHidden(not hit)
                visible += hit
            group.setHidden(visible == 0)
        matches = self._matches()
        if needle and matches:
            self.show_action(matches[0])  # the page follows the search
