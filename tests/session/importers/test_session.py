import json

from app.session.importers import session
from app.session.message import frame_message
from app.session.sessionfile import make_header, record_to_json
from tests.session.importers.samples import HEARTBEAT


def test_a_session_given_as_bytes_keeps_its_records_and_notes_damage():
    lines = [json.dumps(make_header("proxy")),
             json.dumps(record_to_json(frame_message(1, HEARTBEAT, station="CP1"))),
             "not a record"]
    data = ("\n".join(lines) + "\n").encode()
    assert session.sniff(data)
    imported = session.read(data)
    assert [(m.seq, m.station) for m in imported.messages] == [(1, "CP1")]
    assert [n.where for n in imported.notes] == ["line 3"]
