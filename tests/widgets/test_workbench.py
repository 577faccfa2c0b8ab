"""The tool tabs are built when first shown or used, in their place, with what the window
told them before."""

TOOLS = ("composer", "responder", "reference", "validator")
TITLES = ["Timeline", "Station", "Transactions", "Charging schedule", "Connections",
          "Composer", "Responder", "Reference", "Validator"]


def titles(workbench):
    return [workbench.tabText(i) for i in range(workbench.count())][:len(TITLES)]


def test_a_new_window_builds_no_tool_tab_yet_but_lists_them_all(window):
    workbench = window.workbench
    assert not any(workbench.built(name) for name in TOOLS)
    assert titles(workbench) == TITLES


def test_showing_a_tool_tab_builds_it_in_its_place(window, qtbot):
    workbench = window.workbench
    window.show_tab(workbench.reference_tab)
    qtbot.waitUntil(lambda: workbench.built("reference"))
    assert workbench.currentWidget() is workbench.reference
    assert workbench.indexOf(workbench.reference) == workbench.reference_tab
    assert titles(workbench) == TITLES
    assert not workbench.built("composer")


def test_using_a_tool_builds_it_without_changing_the_shown_tab(window):
    workbench = window.workbench
    shown = workbench.currentIndex()
    assert not workbench.validator.isVisible()
    assert workbench.built("validator") and workbench.currentIndex() == shown
    assert workbench.indexOf(workbench.validator) == workbench.validator_tab


def test_targets_told_before_the_composer_exists_reach_it(window):
    workbench = window.workbench
    workbench.update_targets("csms", ["CP-1", "CP-2"])
    assert not workbench.built("composer")
    assert workbench.composer.mode == "csms"


def test_the_reference_opens_an_action_in_a_composer_built_on_demand(window):
    workbench = window.workbench
    workbench.reference.open_in_composer.emit("Heartbeat")
    assert workbench.built("composer")
    assert workbench.currentWidget() is workbench.composer
    assert workbench.composer.current_action == "Heartbeat"
