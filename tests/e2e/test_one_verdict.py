"""One verdict per frame: judged live, judged after loading the recording, and judged by
`ocppscope validate` on that recording, every frame gets the same findings."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

from app import cli
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.loader import SessionLoader
from app.session.message import RecordKind
from app.session.sessionfile import SessionWriter, make_header

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION

# (direction, data, text_frame): bytes with text_frame=False are a binary frame
ODD_FRAMES: list[tuple[Direction, str | bytes, bool]] = [
    (UP, '[2,"b1","BootNotification",{"reason":"PowerUp","chargingStation":'
         '{"model":"M","vendorName":"V"}}]', False),
    (DOWN, '[3,"b1",{"currentTime":"2026-11-30T10:00:00Z","interval":300,'
           '"status":"accepted"}]', False),
    (UP, b"", False),                                   # an empty binary frame
    (UP, b'[2,"h1","Heartbeat",{}]', False),            # a binary frame holding a CALL
    (DOWN, '[3,"h1",{"currentTime":"2026-11-30T10:00:01.1234567Z"}]', False),
    (UP, b"\xff\xfe[2]", True),                         # a text frame that is not UTF-8
    (UP, '[2,"\\ud800","Heartbeat",{}]', False),        # a lone surrogate, escaped
    (DOWN, '[3,"\\ud800",{"currentTime":"2026-11-30T10:00:02Z"}]', False),
    (DOWN, '[2,"r1","Reset",{"type":{}}]', False),
    (UP, '[4,"r1","Handler not implemented","",null]', False),
    (UP, '[2,"x1","../../somewhere/x",{}]', False),
    (UP, '[2,"d1","DataTransfer",{"vendorId":"v","data":' + "[" * 3000 + "]" * 3000 + "}]",
     False),
    (UP, '[3,"nobody",{}]', False),
    (UP, '{"transactionId":,}', False),
    (UP, '[2,"s1","StatusNotification",{"timestamp":"2026-11-30T10:00:03",'
         '"connectorStatus":"Available","evseId":1,"connectorId":1}]', False),
    (DOWN, '[3,"s1",{}]', False),
]


def codes_by_seq(capture: Capture) -> dict[int, list[str]]:
    return {m.seq: [f.code for f in capture.annotation(m.seq).findings]
            for m in capture.messages if m.kind in (RecordKind.FRAME, RecordKind.BINARY)}


def test_live_loaded_and_validate_verdicts_agree(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    live = Capture()
    with SessionWriter(path, make_header("proxy")) as writer:
        live.subscribe(lambda message, _annotation: writer.write(message))
        for direction, data, text_frame in ODD_FRAMES:
            live.frame("c1", "CP-1", direction, data, text_frame=text_frame)
    live_codes = codes_by_seq(live)

    loaded = Capture()
    loaded.adopt(SessionLoader.open(path, freeze_gc=False).load_all())
    while loaded.annotate(1.0):
        pass
    assert codes_by_seq(loaded) == live_codes

    out = io.StringIO()
    with redirect_stdout(out):
        cli.main(["validate", "--json", str(path)])
    validated = {}
    for line in out.getvalue().splitlines():
        value = json.loads(line)  # messages; notes and the summary say other things
        if value["kind"] == "message" and value["position"].startswith("seq "):
            validated[int(value["position"][4:])] = [f["code"] for f in value["findings"]]
    assert validated == live_codes
    # the cases that once differed are really there
    assert live_codes[3] == ["frame.binary", "frame.not-json"]
    assert "frame.not-utf8" in live_codes[6]
