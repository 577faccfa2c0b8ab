"""Reference, validator, responder and library, as a user meets them."""

import asyncio
from html import escape as html_escape

from app.ocpp import catalog, reference
from app.ocpp.schemas import PayloadKind
from tests.widgets.conftest import answer_to, choose_answer, csms_in_window, run_until
from widgets.reference_view import ReferenceView, page_html
from widgets.validator_view import FRAME, ValidatorView


def test_reference_has_all_64_with_examples_and_common_errors(qtbot):
    view = ReferenceView()
    qtbot.addWidget(view)
    for action in catalog.ACTIONS:
        html = page_html(action)
        page = reference.page(action)
        assert page.action.sender.label in html or "either side" in html
        assert "Example:" in html and "Common errors" in html
        for error in page.common_errors:
            assert html_escape(error.title) in html
    view.search.setText("charging profile")
    visible = [view.tree.topLevelItem(i).child(j).text(0)
               for i in range(view.tree.topLevelItemCount())
               for j in range(view.tree.topLevelItem(i).childCount())
               if not view.tree.topLevelItem(i).child(j).isHidden()]
    assert "SetChargingProfile" in visible and "Heartbeat" not in visible


def test_reference_buttons_open_composer_and_validator(window):
    window.show_reference()
    window.workbench.reference.show_action("ReserveNow")
    window.workbench.reference.compose.click()
    assert window.workbench.composer.current_action == "ReserveNow"
    window.workbench.reference.validate.click()
    assert window.workbench.validator.checking == ("ReserveNow", PayloadKind.REQUEST)


def test_validator_finds_and_highlights_in_pasted_text(qtbot):
    view = ValidatorView()
    qtbot.addWidget(view)
    assert view.what.currentText() == FRAME
    text = '[2, "19", "Authorize", {"idToken": {"idToken": "04A2", "type": "iso14443"}}]'
    view.input.setPlainText(text)
    findings = view.validate()
    assert [(f.code, f.path) for f in findings] == [("schema.enum", "idToken.type")]
    view._clicked(view.findings.item(0))
    assert view.input.textCursor().selectedText() == '"type": "iso14443"'
    view.check_as("Heartbeat", PayloadKind.RESPONSE)
    view.input.setPlainText('{"currentTime": "2024-01-01 10:00:00Z"}')
    assert [f.code for f in view.validate()] == ["schema.date-time"]
    view.input.setPlainText("{not json")
    assert view.validate() == [] and "not JSON" in view.summary.text()


def test_responder_rules_apply_to_the_running_csms(window, loop):
    url = csms_in_window(window, loop)
    panel = window.workbench.responder
    _, detail, _ = choose_answer(panel, "Authorize", "error")
    code = panel.codes["Authorize"]
    assert code.isVisibleTo(panel) and code.count() == len(catalog.ERROR_CODES)
    code.setCurrentText("SecurityError")
    detail.setText("blocked here")
    detail.editingFinished.emit()

    answer = loop.run_until_complete(answer_to(
        f"{url}/CP-1", '[2,"a","Authorize",{"idToken":{"idToken":"X","type":"Local"}}]', 5))
    assert answer == '[4,"a","SecurityError","blocked here",{}]'


def test_ask_me_holds_the_request_until_the_answer_is_sent(window, loop):
    url = csms_in_window(window, loop, BootNotification="ask")
    composer = window.workbench.composer
    task = asyncio.ensure_future(answer_to(
        f"{url}/CP-2", '[2,"b","BootNotification",{"reason":"PowerUp","chargingStation":'
                       '{"model":"m","vendorName":"v"}}]'), loop=loop)
    run_until(loop, lambda: composer.asking)
    assert composer.current_action == "BootNotification"
    assert composer.current_kind is PayloadKind.RESPONSE
    composer.editor.setPlainText('{"currentTime": "2026-01-01T00:00:00Z", "interval": 60, '
                                 '"status": "Pending"}')
    composer._json_edited()
    composer.send()
    answer = loop.run_until_complete(task)
    assert '"status":"Pending"' in answer and '"interval":60' in answer


def test_library_saves_and_offers_messages(window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    composer = window.workbench.composer
    window.workbench.compose("Reset", PayloadKind.REQUEST, {"type": "Immediate"})
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("hard reset", True))
    composer._save()
    actions = [a.text() for a in composer.saved_button.menu().actions()]
    assert actions == ["hard reset"]
    window.workbench.compose("Reset", PayloadKind.REQUEST, {"type": "OnIdle"})
    composer.saved_button.menu().actions()[0].trigger()
    assert composer.payload() == {"type": "Immediate"}


def test_a_composed_response_becomes_the_automatic_answer(window):
    window.workbench.compose("Reset", PayloadKind.RESPONSE, {"status": "Scheduled"})
    composer = window.workbench.composer
    assert composer.send_button.text() == "Use as automatic answer"
    composer.send()
    rule = window.workbench.responder.policy.rules["Reset"]
    assert rule.mode == "payload" and rule.payload == {"status": "Scheduled"}


def test_library_export_and_import(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window.workbench.compose("Reset", PayloadKind.REQUEST, {"type": "Immediate"})
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("hard", True))
    window.workbench.composer._save()
    out = tmp_path / "export.json"
    assert "exported 1" in window.workbench.export_saved(str(out))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "ocppscope-library", "version": 1, "messages": ['
                   '{"name": "x", "action": "StopTransaction", "kind": "request", '
                   '"payload": {}, "saved": ""}]}')
    assert "skipped" in window.workbench.import_saved(str(bad))
    assert "imported 1" in window.workbench.import_saved(str(out))


def test_file_menu_exports_saved_messages(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    out = tmp_path / "out.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    window.export_saved()
    assert out.exists() and "exported 0" in window.statusBar().currentMessage()


def test_the_responder_keeps_its_rules_when_a_mode_starts(window, loop, monkeypatch):
    from widgets import dialogs

    panel = window.workbench.responder
    choose_answer(panel, "Authorize", "reject")
    monkeypatch.setattr(dialogs.ModeDialog, "exec", lambda self: (
        self.editors["listen"].setText("127.0.0.1:0"), True)[1])
    window.start_csms()
    run_until(loop, lambda: window.runner.running is not None)
    assert panel.policy is window.policy
    assert window.policy.rule("Authorize").mode == "reject"
    assert panel._widgets("Authorize")[0].currentData() == "reject"
    assert "as the CSMS" in panel.note.text()


def test_the_responder_says_when_the_running_mode_does_not_use_its_rules(window, loop):
    panel = window.workbench.responder
    assert "when such a mode starts" in panel.note.text()
    window.start_demo()
    run_until(loop, lambda: window.runner.running is not None)
    assert "does not answer" in panel.note.text() and "not used" in panel.note.text()
    loop.run_until_complete(window.runner.stop())
    run_until(loop, lambda: "does not answer" not in panel.note.text())
