"""The composer's choice of action: the 64 actions under the side that sends them, and a
search by any part of a name, so "stop" finds RequestStopTransaction without the user
knowing which of eleven categories it is filed under."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QFont, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from app.ocpp import catalog

# the order a user thinks of them in: what the station says, what the CSMS asks, the rest
GROUPS = (catalog.Sender.STATION, catalog.Sender.CSMS, catalog.Sender.BOTH)


class _AnyPart(QCompleter):
    """Completes by any part of a name, ignoring spaces ("stop trans")."""

    def splitPath(self, path: str) -> list[str]:
        return [path.replace(" ", "")]


class ActionPicker(QComboBox):
    """Editable, so that typing filters; only the 64 actions can be chosen. Group headers
    are items that cannot be selected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(28)
        self.setMinimumContentsLength(26)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        model = self.model()
        assert isinstance(model, QStandardItemModel)
        bold = QFont(self.font())
        bold.setBold(True)
        for sender in GROUPS:
            self.addItem(sender.label)
            header = model.item(self.count() - 1)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            header.setFont(bold)
            for entry in sorted((a for a in catalog.ACTIONS.values() if a.sender is sender),
                                key=lambda a: a.name):
                self.addItem(entry.name, entry.name)
                self.setItemData(self.count() - 1, f"{entry.category} · {sender.label}",
                                 Qt.ItemDataRole.ToolTipRole)
        self.names = list(catalog.ACTIONS)
        completer = _AnyPart(QStringListModel(sorted(self.names), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(16)
        self.setCompleter(completer)
        completer.activated[str].connect(self.choose)
        line = self.lineEdit()
        line.setPlaceholderText("type to search")
        line.editingFinished.connect(self._typed)
        self.choose("BootNotification")

    @property
    def current_action(self) -> str:
        return str(self.currentData() or "")

    def matches(self, text: str) -> list[str]:
        """The actions a search finds, as the completer lists them."""
        needle = text.replace(" ", "").casefold()
        return [name for name in sorted(self.names) if needle in name.casefold()]

    def choose(self, action: str) -> None:
        index = self.findData(action)
        if index >= 0:
            self.setCurrentIndex(index)
            self.setEditText(action)

    def _typed(self) -> None:
        """Enter or leaving the box: the one action the text names is chosen; otherwise
        the box shows the current action again, never a name that is not one."""
        text = self.lineEdit().text()
        found = self.matches(text)
        exact = [name for name in found if name.casefold() == text.replace(" ", "").casefold()]
        if exact or len(found) == 1:
            pick = (exact or found)[0]
            if pick != self.current_action:
                self.choose(pick)
                return
        self.setEditText(self.current_action)
