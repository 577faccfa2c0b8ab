"""An editable JSON text with pygments colours and marks for findings, used by the composer
and the validator. Colouring goes line by line (JSON strings never span lines), so typing in
a large payload stays quick."""

from __future__ import annotations

from collections.abc import Sequence

from pygments.lexers import JsonLexer
from pygments.styles import get_style_by_name
from pygments.token import Token, _TokenType
from PySide6.QtGui import (
    QColor,
    QFont,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from app.ocpp.jsontext import PrettyText, locate
from widgets.detail import FINDING_MARK, SELECTED_MARK, WARNING_MARK, dark_palette, monospace


class JsonHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.lexer = JsonLexer(stripnl=False, ensurenl=False)
        style = get_style_by_name("monokai" if dark_palette() else "default")
        self.formats: dict[_TokenType, QTextCharFormat] = {}
        for token, spec in style:
            fmt = QTextCharFormat()
            if spec["color"]:
                fmt.setForeground(QColor(f"#{spec['color']}"))
            if spec["bold"]:
                fmt.setFontWeight(QFont.Weight.Bold)
            self.formats[token] = fmt

    def _format(self, token: _TokenType) -> QTextCharFormat | None:
        while token is not Token:
            if token in self.formats and self.formats[token].foreground().style():
                return self.formats[token]
            token = token.parent
        return None

    def highlightBlock(self, text: str) -> None:
        position = 0
        for token, value in self.lexer.get_tokens(text):
            fmt = self._format(token)
            if fmt is not None:
                self.setFormat(position, len(value), fmt)
            position += len(value)


class JsonEditor(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None, read_only: bool = False) -> None:
        super().__init__(parent)
        self.setFont(monospace())
        self.setReadOnly(read_only)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self.highlighter = JsonHighlighter(self.document())
        self._marks: list[QTextEdit.ExtraSelection] = []

    def set_text_quietly(self, text: str) -> None:
        """Replace the text without emitting textChanged (for form -> JSON sync)."""
        self.blockSignals(True)
        cursor_position = self.textCursor().position()
        self.setPlainText(text)
        cursor = self.textCursor()
        cursor.setPosition(min(cursor_position, len(text)))
        self.setTextCursor(cursor)
        self.blockSignals(False)

    def mark_spans(self, spans: list[tuple[int, int]],
                   warning_spans: Sequence[tuple[int, int]] = ()) -> None:
        """Tint errors' spans red and warnings' amber (errors drawn last, on top)."""
        self._marks = [*(self._selection(span, WARNING_MARK) for span in warning_spans),
                       *(self._selection(span, FINDING_MARK) for span in spans)]
        self.setExtraSelections(self._marks)

    def select_span(self, span: tuple[int, int]) -> None:
        cursor = self.textCursor()
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        self.setExtraSelections([*self._marks, self._selection(span, SELECTED_MARK)])

    def mark_paths(self, spans_text: PrettyText, paths: list[str],
                   warning_paths: Sequence[str] = ()) -> None:
        def found(paths: Sequence[str]) -> list[tuple[int, int]]:
            return [span for span in (locate(spans_text, path) for path in paths) if span]

        self.mark_spans(found(paths), found(warning_paths))

    def _selection(self, span: tuple[int, int], colour: QColor) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = self.textCursor()
        cursor.setPosition(min(span[0], len(self.toPlainText())))
        cursor.setPosition(min(span[1], len(self.toPlainText())),
                           QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(colour)
        selection.format = fmt
        return selection
