"""A widget under its title: no margins of their own, and the height to the widget when
asked."""

from PySide6.QtWidgets import QLabel, QTableView

from widgets.panes import titled


def test_a_titled_pane_has_the_title_above_the_widget_and_no_margins(qtbot):
    title, table = QLabel("Rejected profiles"), QTableView()
    box = titled(title, table, stretch=1)
    qtbot.addWidget(box)
    layout = box.layout()
    assert [layout.itemAt(i).widget() for i in range(layout.count())] == [title, table]
    margins = layout.contentsMargins()
    assert (margins.left(), margins.top(), margins.right(), margins.bottom()) == (0, 0, 0, 0)
    assert (layout.stretch(0), layout.stretch(1)) == (0, 1)
    assert titled(QLabel("x"), QTableView()).layout().stretch(1) == 0
