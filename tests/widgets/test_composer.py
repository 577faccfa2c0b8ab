"""The composer: forms for all 128 payloads, form and JSON in step, sending in each mode."""

import asyncio
import json

import pytest
from PySide6.QtWidgets import QMessageBox
from websockets.asyncio.client import connect

from app.net.policy import ResponsePolicy
from app.net.proxy import ProxyConfig
from app.net.station import StationConfig
from app.ocpp import catalog, reference
from app.ocpp.schema_tree import field_tree
from app.ocpp.schemas import PayloadKind
from tests.net.peers import OcppCsmsServer, OcppStation, Tap, boot_request
from tests.widgets.conftest import answer_to, csms_in_window, run_until
from widgets.composer import Composer
from widgets.payload_form import EnumEditor, PayloadForm

CASES = [(a, k) for a in catalog.ACTIONS for k in PayloadKind]


@pytest.mark.parametrize(("action", "kind"), CASES, ids=[f"{a}-{k.value}" for a, k in CASES])
def test_every_form_builds_and_round_trips_its_examples(qtbot, action, kind):
    form = PayloadForm(field_tree(action, kind))
    qtbot.addWidget(form)
    examples = reference.page(action).examples_of(kind)
    assert examples
    for example in examples:
        form.set_value(example.payload)
        assert json.dumps(form.value(), ensure_ascii=False) == json.dumps(
            example.payload, ensure_ascii=False), example.title


def test_minimal_messages_are_valid_for_all_128(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    for action, kind in CASES:
        composer.load(action, kind, None)
        composer.load_minimal()
        assert composer.valid, (action, kind, composer.findings_now)
        assert composer.form.isEnabled()


def test_editing_the_form_updates_the_json_and_the_other_way(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.load("Authorize", PayloadKind.REQUEST,
                  {"idToken": {"idToken": "04A2", "type": "ISO14443"}})
    type_editor = composer.form.editor_at("idToken.type")
    assert isinstance(type_editor, EnumEditor)
    type_editor.combo.setCurrentText("Local")
    assert json.loads(composer.editor.toPlainText())["idToken"]["type"] == "Local"
    # the other way: a JSON edit reaches the form
    composer.editor.setPlainText('{"idToken": {"idToken": "CARD-7", "type": "KeyCode"}}')
    composer._json_edited()
    assert composer.form.value() == {"idToken": {"idToken": "CARD-7", "type": "KeyCode"}}
    assert composer.valid


def test_findings_are_shown_and_pinned_to_the_field(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.load("Authorize", PayloadKind.REQUEST,
                  {"idToken": {"idToken": "04A2", "type": "iso14443"}})
    assert not composer.valid
    assert [(f.code, f.path) for f in composer.findings_now] == [("schema.enum",
                                                                 "idToken.type")]
    editor = composer.form.editor_at("idToken.type")
    assert "case-sensitive" in editor.focus_widget().toolTip()
    assert "not allowed" in editor.combo.currentText()  # the wrong value is kept, visibly


def test_json_the_form_cannot_show_keeps_the_text(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.load("Heartbeat", PayloadKind.REQUEST, {})
    composer.editor.setPlainText('{"connectorId": 1}')
    composer._json_edited()
    assert not composer.form.isEnabled()
    assert "connectorId" in composer.notice.text()
    assert composer.editor.toPlainText() == '{"connectorId": 1}'


def test_a_report_too_long_for_the_form_is_shown_as_json_at_once(qtbot):
    """A NotifyReport of 300 variables would take thousands of field widgets (minutes of a
    frozen window): the JSON shows it, the form says why it stands aside."""
    composer = Composer()
    qtbot.addWidget(composer)
    composer.show()
    item = {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"},
            "variableAttribute": [{"type": "Actual", "value": "11000"}]}
    payload = {"requestId": 1, "generatedAt": "2024-01-01T00:00:00Z", "seqNo": 0,
               "reportData": [item] * 300}
    composer.load("NotifyReport", PayloadKind.REQUEST, payload)
    assert json.loads(composer.editor.toPlainText()) == payload
    assert not composer.form.isEnabled()
    assert "more than a form shows" in composer.notice.text()
    assert len(composer.form.editor_at("reportData").items) < 300
    assert composer.valid   # judged and sendable all the same


async def booted_station(url):
    """An `ocpp`-package station connected at `url` that has booted; (socket, reader task)."""
    ws = await connect(url, subprotocols=["ocpp2.0.1"])
    cp = OcppStation(url.rsplit("/", 1)[-1], Tap(ws))
    task = asyncio.ensure_future(cp.start())
    await cp.call(boot_request())
    return ws, task


def _send_and_wait(loop, composer, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: QMessageBox.StandardButton.Yes)
    composer.send()
    run_until(loop, lambda: composer.status.text() not in ("", "sending…"), timeout=15)
    return composer.status.text()


def test_send_in_csms_mode_to_an_ocpp_station(window, loop, monkeypatch):
    url = csms_in_window(window, loop)

    ws, task = loop.run_until_complete(booted_station(f"{url}/CP-77"))
    run_until(loop, lambda: window.workbench.composer.target.count() > 0)
    composer = window.workbench.composer
    window.workbench.compose("GetVariables", PayloadKind.REQUEST)
    assert composer.target.currentText() == "CP-77"
    assert _send_and_wait(loop, composer, monkeypatch) == "answered"
    assert "Accepted" in composer.answer.toPlainText()
    task.cancel()
    loop.run_until_complete(ws.close())


def test_send_in_station_mode_to_an_ocpp_csms(window, loop, monkeypatch):
    server = OcppCsmsServer()
    loop.run_until_complete(server.__aenter__())
    try:
        window.policy = ResponsePolicy()
        window.runner.start_station(window._fresh_capture(), StationConfig(
            csms_url=server.url, station_id="OS-9"), window.policy)
        run_until(loop, lambda: window.runner.running is not None and
                  window.runner.running.component.booted.is_set())
        window._update_targets()
        composer = window.workbench.composer
        window.workbench.compose("Heartbeat", PayloadKind.REQUEST, {})
        assert _send_and_wait(loop, composer, monkeypatch) == "answered"
        assert "currentTime" in composer.answer.toPlainText()
    finally:
        loop.run_until_complete(window.runner.stop())
        loop.run_until_complete(server.__aexit__(None, None, None))


def test_inject_in_proxy_mode_to_an_ocpp_station(window, loop, monkeypatch):
    server = OcppCsmsServer()
    loop.run_until_complete(server.__aenter__())
    try:
        window.runner.start_proxy(window._fresh_capture(), ProxyConfig(upstream=server.url))
        run_until(loop, lambda: window.runner.running is not None)
        proxy_url = window.runner.running.component.url

        ws, task = loop.run_until_complete(booted_station(f"{proxy_url}/CP-5"))
        run_until(loop, lambda: window.workbench.composer.target.count() > 0)
        composer = window.workbench.composer
        window.workbench.compose("Reset", PayloadKind.REQUEST, {"type": "OnIdle"})
        composer.direction.setCurrentIndex(composer.direction.findData("csms_to_station"))
        assert _send_and_wait(loop, composer, monkeypatch) == "answered"
        assert '"Accepted"' in composer.answer.toPlainText()
        # the CSMS never saw the station's answer to our injected Reset
        assert not any('"Reset"' in t or "ocppscope-" in t
                       for t in server.stations["CP-5"][1].received)
        task.cancel()
        loop.run_until_complete(ws.close())
    finally:
        loop.run_until_complete(window.runner.stop())
        loop.run_until_complete(server.__aexit__(None, None, None))


def test_sending_an_invalid_message_needs_confirmation(window, loop, monkeypatch):
    window.start_demo()
    run_until(loop, lambda: window.workbench.composer.target.count() > 0, timeout=15)
    composer = window.workbench.composer
    window.workbench.compose("Reset", PayloadKind.REQUEST, {"type": "now"})
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.No)
    composer.send()
    assert asked and "has 1 error" in asked[0]
    assert composer.status.text() == ""  # declined: nothing was sent


def test_edit_as_new_from_the_timeline(window, loop):
    window.start_demo()
    run_until(loop, lambda: any(window.model.message_at(r).action == "Authorize"
                                for r in range(window.model.rowCount())), timeout=30)
    row = next(r for r in range(window.model.rowCount())
               if window.model.message_at(r).action == "Authorize")
    window.select_row(row)
    window.edit_as_new()
    composer = window.workbench.composer
    assert window.workbench.currentWidget() is composer
    assert composer.current_action == "Authorize"
    assert composer.payload()["idToken"]["type"] == "ISO14443"


def _composer(qtbot, mode, stations=("CP-1",)):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.set_targets(mode, list(stations))
    return composer


def test_the_direction_follows_the_side_that_sends_the_action(qtbot):
    composer = _composer(qtbot, "proxy")
    assert composer.direction.isVisibleTo(composer)
    composer.load("BootNotification", PayloadKind.REQUEST, None)
    assert composer.direction.currentData() == "station_to_csms"
    composer.load("Reset", PayloadKind.REQUEST, None)
    assert composer.direction.currentData() == "csms_to_station"
    composer.load("DataTransfer", PayloadKind.REQUEST, None)  # either side: kept
    assert composer.direction.currentData() == "csms_to_station"
    composer.load("Heartbeat", PayloadKind.REQUEST, None)
    assert composer.direction.currentData() == "station_to_csms"


@pytest.mark.parametrize(("mode", "action", "wrong"), [
    ("csms", "BootNotification", True), ("csms", "Reset", False),
    ("station", "Reset", True), ("station", "Heartbeat", False),
    ("csms", "DataTransfer", False), ("station", "DataTransfer", False)])
def test_sending_from_the_wrong_side_asks_first(qtbot, monkeypatch, mode, action, wrong):
    composer = _composer(qtbot, mode)
    composer.load(action, PayloadKind.REQUEST, None)
    assert composer.valid
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: asked.append(a[1:]) or QMessageBox.StandardButton.No)
    sent = []
    composer.send_requested.connect(lambda *args: sent.append(args))
    composer.send()
    if wrong:
        title, text = asked[0]
        assert title == "Send from the wrong side?" and "in OCPP 2.0.1" in text
        assert sent == []  # declined
        monkeypatch.setattr(QMessageBox, "question",
                            lambda *a: QMessageBox.StandardButton.Yes)
        composer.send()
    else:
        assert asked == []
    assert len(sent) == 1 and sent[0][0] == action


def test_a_proxy_injection_against_the_action_s_direction_asks_first(qtbot, monkeypatch):
    composer = _composer(qtbot, "demo")
    composer.load("Reset", PayloadKind.REQUEST, None)
    composer.direction.setCurrentIndex(composer.direction.findData("station_to_csms"))
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.No)
    composer.send()
    assert "sent by the CSMS" in asked[0] and "as the Charging Station" in asked[0]


def test_an_invalid_message_from_the_wrong_side_is_asked_about_once(qtbot, monkeypatch):
    composer = _composer(qtbot, "csms")
    composer.load("BootNotification", PayloadKind.REQUEST, {"reason": "PowerUp"})
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.No)
    composer.send()
    assert len(asked) == 1 and "1 error and is sent by the Charging Station" in asked[0]


def test_an_answer_is_shown_only_under_the_action_and_station_it_belongs_to(qtbot):
    composer = _composer(qtbot, "csms", ["CP-1", "CP-2"])
    composer.load("GetVariables", PayloadKind.REQUEST, None)
    with qtbot.waitSignal(composer.send_requested) as sending:
        composer.send()
    sent = tuple(sending.args[:1] + sending.args[2:])
    assert sent == ("GetVariables", "CP-1", "")
    answer = {"getVariableResult": [{"attributeStatus": "Accepted", "component": {"name": "C"},
                                     "variable": {"name": "V"}}]}
    composer.show_outcome("answered", answer, sent=sent)
    assert composer.answer.isVisibleTo(composer) and composer.status.text() == "answered"
    composer.target.setCurrentIndex(composer.target.findText("CP-2"))
    assert not composer.answer.isVisibleTo(composer) and composer.status.text() == ""
    composer.show_outcome("answered", answer, sent=sent)  # late: for what is not shown
    assert not composer.answer.isVisibleTo(composer) and composer.status.text() == ""

    composer.send()
    composer.load("Reset", PayloadKind.REQUEST, None)  # another action
    assert composer.status.text() == "" and not composer.answer.isVisibleTo(composer)

    composer.load("GetVariables", PayloadKind.REQUEST, None)
    composer.target.setCurrentIndex(composer.target.findText("CP-1"))
    composer.send()
    composer.show_outcome("answered", answer, sent=sent)
    assert composer.answer.isVisibleTo(composer)
    composer.set_targets("csms", ["CP-2"])  # CP-1's connection closed
    assert not composer.answer.isVisibleTo(composer) and composer.status.text() == ""


def test_the_waiting_banner_shows_only_with_the_action_that_waits(qtbot):
    composer = _composer(qtbot, "csms")
    assert not composer.bar.banner.isVisibleTo(composer)
    composer.load("BootNotification", PayloadKind.RESPONSE, None)
    composer.set_asking("BootNotification")
    assert composer.asking and composer.bar.banner.isVisibleTo(composer)
    assert "BootNotification waits for your answer" in composer.bar.banner.text()
    assert composer.send_button.text() == "Send answer"
    composer.load("Heartbeat", PayloadKind.REQUEST, None)
    assert not composer.asking and not composer.bar.banner.isVisibleTo(composer)
    assert composer.send_button.text() == "Send"
    composer.load("BootNotification", PayloadKind.RESPONSE, None)  # back: it still waits
    assert composer.bar.banner.isVisibleTo(composer)
    composer.set_asking(None)
    assert not composer.bar.banner.isVisibleTo(composer)


def test_a_callerror_answer_takes_its_code_from_the_specification(qtbot):
    composer = _composer(qtbot, "csms")
    composer.load("Authorize", PayloadKind.RESPONSE, None)
    bar = composer.bar
    assert not bar.error_code.isVisibleTo(composer)
    bar.reply.setCurrentIndex(bar.reply.findData("error"))
    assert bar.error_code.isVisibleTo(composer) and not bar.error_code.isEditable()
    assert [bar.error_code.itemText(i) for i in range(bar.error_code.count())] == list(
        catalog.ERROR_CODES)
    bar.error_code.setCurrentText("SecurityError")
    bar.error_text.setText("not here")
    with qtbot.waitSignal(composer.use_error_as_answer) as chosen:
        composer.send()
    assert chosen.args == ["Authorize", "SecurityError", "not here"]
    composer.load("Authorize", PayloadKind.REQUEST, None)
    assert not bar.error_code.isVisibleTo(composer)  # a request is never a CALLERROR


def test_a_waiting_request_can_be_refused_with_a_callerror(window, loop):
    url = csms_in_window(window, loop, Authorize="ask")
    composer = window.workbench.composer
    task = asyncio.ensure_future(answer_to(
        f"{url}/CP-3", '[2,"q","Authorize",{"idToken":{"idToken":"X","type":"Local"}}]'),
        loop=loop)
    run_until(loop, lambda: composer.asking)
    composer.bar.reply.setCurrentIndex(composer.bar.reply.findData("error"))
    composer.bar.error_code.setCurrentText("NotSupported")
    composer.send()
    assert not composer.asking and "answer to Authorize sent" in composer.status.text()
    assert loop.run_until_complete(task) == '[4,"q","NotSupported","",{}]'


def test_the_waiting_banner_goes_when_the_asking_connection_closes(window, loop):
    url = csms_in_window(window, loop, Heartbeat="ask")
    composer = window.workbench.composer

    async def station():
        async with connect(f"{url}/CP-4", subprotocols=["ocpp2.0.1"]) as ws:
            await ws.send('[2,"h","Heartbeat",{}]')
            while not composer.asking:
                await asyncio.sleep(0.02)

    loop.run_until_complete(station())  # leaves without waiting for the answer
    run_until(loop, lambda: not composer.asking)
    assert not composer.bar.banner.isVisibleTo(composer)
    assert "connection closed" in composer.status.text()


def test_a_warning_is_tinted_in_the_warning_colour_everywhere_in_the_composer(qtbot):
    from widgets.detail import FINDING_MARK, WARNING_MARK, WARNING_TEXT
    from widgets.field_editors import ERROR_STYLE, WARNING_STYLE

    composer = Composer()
    qtbot.addWidget(composer)
    composer.load("Heartbeat", PayloadKind.RESPONSE, {"currentTime": "1970-01-01T00:00:00Z"})
    assert composer.valid and [f.severity.value for f in composer.findings_now] == ["warning"]
    assert composer.findings.item(0).foreground().color() == WARNING_TEXT
    tints = [s.format.background().color() for s in composer.editor.extraSelections()]
    assert tints == [WARNING_MARK]
    field = composer.form.editor_at("currentTime").focus_widget()
    assert field.styleSheet() == WARNING_STYLE
    composer.load("Heartbeat", PayloadKind.RESPONSE, {"currentTime": "yesterday"})
    assert field is not composer.form.editor_at("currentTime").focus_widget()
    assert composer.form.editor_at("currentTime").focus_widget().styleSheet() == ERROR_STYLE
    tints = [s.format.background().color() for s in composer.editor.extraSelections()]
    assert tints == [FINDING_MARK]
