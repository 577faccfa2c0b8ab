"""The counts and header every flat table of the window shares: no rows under a row, no
title for a section outside the columns, a title a table may change while it lives, and
column tips."""

from PySide6.QtCore import Qt

from widgets.table_model import ColumnsTableModel, column_header

DISPLAY, TIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
ACROSS, DOWN = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
TIPS = {1: "where the letter stands in the word"}


class Letters(ColumnsTableModel):
    columns = ("Letter", "Position")
    header_tips = TIPS

    def __init__(self, word: str) -> None:
        super().__init__()
        self.word = word
        self.upper = False

    def row_count(self) -> int:
        return len(self.word)

    def column_title(self, section: int) -> str:
        title = super().column_title(section)
        return title.upper() if self.upper else title

    def data(self, index, role=DISPLAY):
        if not index.isValid() or role != DISPLAY:
            return None
        return (self.word[index.row()], str(index.row()))[index.column()]


def test_a_flat_table_passes_qt_model_checks_and_has_no_rows_under_a_row(qtmodeltester):
    model = Letters("ocpp")
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (4, 2)
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(model.index(0, 0)) == 0


def test_titles_and_tips_come_from_the_columns_and_a_table_may_retitle_them():
    model = Letters("ocpp")
    assert [model.headerData(s, ACROSS) for s in range(2)] == ["Letter", "Position"]
    assert model.headerData(1, ACROSS, TIP) == "where the letter stands in the word"
    assert model.headerData(0, ACROSS, TIP) is None
    model.upper = True
    assert model.headerData(0, ACROSS) == "LETTER"


def test_no_title_for_a_vertical_header_or_a_section_outside_the_columns():
    model = Letters("ocpp")
    assert model.headerData(0, DOWN) is None
    assert model.headerData(2, ACROSS) is None and model.headerData(-1, ACROSS, TIP) is None
    assert column_header(("A",), 1, ACROSS, DISPLAY) is None
    assert column_header(("A",), 0, ACROSS, TIP) is None
