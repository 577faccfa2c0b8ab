"""The Rules and Held frames panels: rules enabled live and loaded from files; a held frame
edited in the composer's form (or as text) beside its original and forwarded, forwarded
unchanged, dropped, or released with all the others."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from PySide6.QtCore import Qt
from websockets.asyncio.client import connect

from app.net.intercept import Hop, Interceptor
from app.net.intercept_rules import rule_from_json
from app.net.proxy import ProxyConfig
from app.ocpp.conversation import Direction
from tests.net.peers import OcppCsmsServer, OcppStation, Tap
from tests.net.test_intercept import TransactionCsms, ended_event
from tests.widgets.conftest import run_until
from widgets.intercept_panel import InterceptPanel

ENDED = ('[2,"t9","TransactionEvent",{"eventType":"Ended","seqNo":3,"timestamp":'
         '"2024-05-01T10:00:00Z","triggerReason":"EVDeparted","transactionInfo":'
         '{"transactionId":"tx"},"meterValue":[{"timestamp":"2024-05-01T10:00:00Z",'
         '"sampledValue":[{"value":0}]}]}]')


class FakeHop:
    """Where a held frame goes: the texts sent and the records made."""

    def __init__(self, station: str = "CP-1") -> None:
        self.sent: list[str] = []
        self.records: list[tuple[str, dict[str, Any]]] = []

        async def send(text: str) -> bool:
            self.sent.append(text)
            return True

        async def close(code: int, reason: str) -> None:
            return None

        self.hop = Hop("c1", station, Direction.STATION_TO_CSMS, send, send, close,
                       lambda way, text, meta: self.records.append((text, meta)))


def hold_rule() -> Interceptor:
    return Interceptor([rule_from_json({"name": "break", "action": "hold",
                                        "when": 'payload.eventType == "Ended"'})])


def test_a_held_frame_is_edited_in_the_form_and_forwarded(qtbot, loop):
    interceptor = hold_rule()
    panel = InterceptPanel(interceptor)
    qtbot.addWidget(panel)
    fake = FakeHop()
    assert loop.run_until_complete(interceptor.divert(fake.hop, ENDED.encode()))
    qtbot.waitUntil(lambda: panel.held.table.rowCount() == 1)
    assert panel.held.table.item(0, 2).text() == "CALL TransactionEvent"
    assert panel.held.table.item(0, 4).text().endswith(" s")
    editor = panel.held.editor
    qtbot.waitUntil(lambda: editor.form is not None)
    assert not editor.as_text.isChecked()
    assert json.loads(editor.original.toPlainText()) == json.loads(ENDED)
    editor.form.editor_at("meterValue[0].sampledValue[0].value").set_value(12.5)
    panel.held.forward.click()
    run_until(loop, lambda: fake.sent)
    sent = json.loads(fake.sent[0])
    assert sent[:3] == [2, "t9", "TransactionEvent"]
    assert sent[3]["meterValue"][0]["sampledValue"][0]["value"] == 12.5
    assert sent[3]["transactionInfo"] == {"transactionId": "tx"}
    assert fake.records[0][1]["intercept"]["original"] == ENDED


def test_a_held_frame_forwarded_from_an_untouched_form_goes_byte_for_byte(qtbot, loop):
    interceptor = hold_rule()
    panel = InterceptPanel(interceptor)
    qtbot.addWidget(panel)
    fake = FakeHop()
    loop.run_until_complete(interceptor.divert(fake.hop, ENDED.encode()))
    qtbot.waitUntil(lambda: panel.held.editor.form is not None)
    panel.held.forward.click()
    run_until(loop, lambda: fake.sent)
    assert fake.sent == [ENDED]
    assert fake.records[0][1]["intercept"]["released"] == "unchanged"


def test_a_held_frame_is_edited_as_text_and_forwarded(qtbot, loop):
    interceptor = hold_rule()
    panel = InterceptPanel(interceptor)
    qtbot.addWidget(panel)
    fake = FakeHop()
    assert loop.run_until_complete(interceptor.divert(fake.hop, ENDED.encode()))
    editor = panel.held.editor
    qtbot.waitUntil(lambda: editor.form is not None)
    editor.form.editor_at("triggerReason").set_value("StopAuthorized")
    editor.as_text.setChecked(True)        # the form's edit is carried into the text
    edited = json.loads(editor.text.toPlainText())
    assert edited[3]["triggerReason"] == "StopAuthorized"
    edited[3]["meterValue"][0]["sampledValue"][0]["value"] = 12.5
    editor.text.setPlainText(json.dumps(edited))
    panel.held.forward.click()
    run_until(loop, lambda: fake.sent)
    assert json.loads(fake.sent[0])[3]["meterValue"][0]["sampledValue"][0]["value"] == 12.5
    _text, meta = fake.records[0]
    assert meta["intercept"]["original"] == ENDED and meta["intercept"]["released"] == "edited"
    qtbot.waitUntil(lambda: panel.held.table.rowCount() == 0)


def test_text_that_is_not_json_is_refused_with_a_sentence(qtbot, loop):
    interceptor = hold_rule()
    panel = InterceptPanel(interceptor)
    qtbot.addWidget(panel)
    fake = FakeHop()
    loop.run_until_complete(interceptor.divert(fake.hop, ENDED.encode()))
    qtbot.waitUntil(lambda: panel.held.table.rowCount() == 1)
    panel.held.editor.as_text.setChecked(True)
    panel.held.editor.text.setPlainText('[2, "t9", ')
    panel.held.forward.click()
    assert "not JSON" in panel.held.problem.text()
    assert interceptor.held
    panel.held.dropping.click()
    run_until(loop, lambda: fake.records)
    assert fake.sent == [] and fake.records[0][1]["delivered"] is False


def test_text_the_form_cannot_show_stays_text_with_a_sentence(qtbot, loop):
    interceptor = hold_rule()
    panel = InterceptPanel(interceptor)
    qtbot.addWidget(panel)
    loop.run_until_complete(interceptor.divert(FakeHop().hop, ENDED.encode()))
    editor = panel.held.editor
    qtbot.waitUntil(lambda: editor.form is not None)
    editor.as_text.setChecked(True)
    frame = json.loads(editor.text.toPlainText())
    frame[3]["madeUp"] = 1
    editor.text.setPlainText(json.dumps(frame))
    editor.as_text.setChecked(False)
    assert editor.as_text.isChecked() and "madeUp" in editor.notice.text()


def test_a_frame_no_form_shows_is_edited_as_text(qtbot, loop):
    interceptor = Interceptor([rule_from_json({"name": "all", "action": "hold",
                                               "when": "type == ERROR"})])
    panel = InterceptPanel(interceptor)
    qtbot.addWidget(panel)
    loop.run_until_complete(interceptor.divert(
        FakeHop().hop, b'[4,"t9","InternalError","boom",{}]'))
    editor = panel.held.editor
    qtbot.waitUntil(lambda: editor.held is not None)
    assert editor.form is None and editor.as_text.isChecked()
    assert not editor.as_text.isEnabled() and "JSON text" in editor.notice.text()


def test_release_all_forwards_every_held_frame_unchanged(qtbot, loop):
    interceptor = hold_rule()
    panel = InterceptPanel(interceptor)
    qtbot.addWidget(panel)
    hops = [FakeHop("CP-1"), FakeHop("CP-2")]
    for fake in hops:
        loop.run_until_complete(interceptor.divert(fake.hop, ENDED.encode()))
    qtbot.waitUntil(lambda: panel.held.table.rowCount() == 2)
    panel.held.release_all.click()
    run_until(loop, lambda: all(fake.sent for fake in hops))
    assert [fake.sent for fake in hops] == [[ENDED], [ENDED]]


def test_a_rule_is_disabled_live_and_rules_load_from_a_file(qtbot, loop, tmp_path):
    interceptor = hold_rule()
    panel = InterceptPanel(interceptor)
    qtbot.addWidget(panel)
    panel.rules.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert not interceptor.armed
    assert not loop.run_until_complete(interceptor.divert(FakeHop().hop, ENDED.encode()))
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert not panel.rules.load(str(bad))
    assert "not a valid rules file" in panel.rules.status.text()
    good = tmp_path / "rules.json"
    good.write_text('{"rules": [{"name": "slow", "when": "dir == \\"down\\"", '
                    '"action": "delay", "ms": 5}]}')
    assert panel.rules.load(str(good))
    assert panel.rules.table.item(0, 2).text() == "delay 5 ms" and interceptor.armed
    saved = tmp_path / "saved.json"
    assert panel.rules.save(str(saved))
    assert json.loads(saved.read_text())["rules"][0]["ms"] == 5




BREAK_AT_ENDED = 'action == "TransactionEvent" && payload.eventType == "Ended"'


def test_a_breakpoint_edited_in_the_window_reaches_the_csms_and_shows_in_the_timeline(
        window, loop, qtbot):
    """A live terminating proxy between the `ocpp` package's station and CSMS: the frame a
    hold rule stops is edited in the form, forwarded, received edited by the CSMS, and
    recorded with its original; the same expression filters the timeline to it."""
    server = OcppCsmsServer(TransactionCsms)
    loop.run_until_complete(server.__aenter__())
    try:
        window.intercept.interceptor.set_rules([rule_from_json(
            {"name": "break at Ended", "action": "hold", "when": BREAK_AT_ENDED})])
        window.intercept.rules.refresh()
        window.runner.start_proxy(window._fresh_capture(), ProxyConfig(upstream=server.url))
        run_until(loop, lambda: window.runner.running is not None)
        proxy_url = window.runner.running.component.url

        async def connect_station() -> tuple[Any, OcppStation, asyncio.Task[None]]:
            ws = await connect(f"{proxy_url}/ocpp/CP-A", subprotocols=["ocpp2.0.1"])
            station = OcppStation("CP-A", Tap(ws))
            return ws, station, asyncio.ensure_future(station.start())

        ws, station, reader = loop.run_until_complete(connect_station())
        sending = asyncio.ensure_future(station.call(ended_event(0.0)), loop=loop)
        held_panel = window.intercept.held
        run_until(loop, lambda: held_panel.table.rowCount() == 1
                  and held_panel.editor.form is not None)
        assert held_panel.table.item(0, 0).text() == "CP-A"
        held_panel.editor.form.editor_at("meterValue[0].sampledValue[0].value").set_value(
            4200.5)
        held_panel.forward.click()
        run_until(loop, sending.done)

        [ended] = [json.loads(t) for t in server.stations["CP-A"][1].received
                   if '"TransactionEvent"' in t]
        assert ended[3]["meterValue"][0]["sampledValue"][0]["value"] == 4200.5

        def recorded() -> list[int]:
            return [row for row in range(window.model.rowCount())
                    if (window.model.message_at(row).meta or {}).get("intercept")]

        run_until(loop, lambda: bool(recorded()))
        [row] = recorded()
        record = window.model.message_at(row)
        intercept = record.meta["intercept"]
        assert intercept["released"] == "edited"
        assert json.loads(intercept["original"])[3]["meterValue"][0]["sampledValue"][0][
            "value"] == 0.0
        window.select_row(row)
        assert "4200.5" in window.detail.intercepted.toPlainText()
        assert window.detail.tabs.isTabVisible(2)

        with qtbot.waitSignal(window.filtered, timeout=10000) as shown:
            window.filter_bar.expression.setText(BREAK_AT_ENDED)
        assert shown.args == [1]
        assert window.model.message_at(0).seq == record.seq
        reader.cancel()
        loop.run_until_complete(ws.close())
    finally:
        loop.run_until_complete(window.runner.stop())
        loop.run_until_complete(server.__aexit__(None, None, None))


def test_rules_loaded_while_a_proxy_runs_without_them_say_they_wait_for_its_next_start(
        window, loop, tmp_path):
    """A proxy takes its rules when it starts (the wire-transparent one, the default, takes
    none): rules loaded later are not applied to it, and the panel says so."""
    server = OcppCsmsServer()
    loop.run_until_complete(server.__aenter__())
    try:
        window.runner.start_proxy(window._fresh_capture(),
                                  ProxyConfig(upstream=server.url, transparent=True))
        run_until(loop, lambda: window.runner.running is not None)
        rules = tmp_path / "rules.json"
        rules.write_text('{"rules": [{"name": "break", "action": "hold", '
                         '"when": "action == \\"Heartbeat\\""}]}')
        assert window.intercept.rules.load(str(rules))
        assert "next start" in window.intercept.rules.status.text()
    finally:
        loop.run_until_complete(window.runner.stop())
        loop.run_until_complete(server.__aexit__(None, None, None))
    # no proxy runs: the next one started takes them, nothing to add
    assert window.intercept.rules.load(str(rules))
    assert "next start" not in window.intercept.rules.status.text()


def test_rules_loaded_while_the_demo_runs_say_the_demo_applies_none(window, loop, tmp_path):
    """The demo's proxy takes no intercept rules at any start: promising them for its next
    start would be wrong."""
    rules = tmp_path / "rules.json"
    rules.write_text('{"rules": [{"name": "hold boots", "action": "hold", '
                     '"when": "action == \\"BootNotification\\""}]}')
    try:
        window.start_demo()
        run_until(loop, lambda: window.runner.running is not None)
        assert window.intercept.rules.load(str(rules))
        status = window.intercept.rules.status.text()
        assert status.endswith("; the demo applies no intercept rules")
        assert "next start" not in status
        assert window.runner.running.component.proxy.interceptor is None
    finally:
        loop.run_until_complete(window.runner.stop())
