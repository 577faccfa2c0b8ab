"""Our CSMS and credentials: a station's token in its URL and its Basic auth password stay
out of the records unless the user asks for them."""

import base64
import json

from websockets.asyncio.client import connect

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.session.capture import Capture
from app.session.message import RecordKind
from app.session.sessionfile import record_to_json
from tests.net.peers import run

AUTH = {"Authorization": "Basic " + base64.b64encode(b"CP-1:secret").decode()}


def _opened_by_a_station_with_a_token(record_secrets):
    async def main():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(record_secrets=record_secrets), capture)
        await csms.start()
        try:
            async with connect(f"{csms.url}/CP-1?token=secret", subprotocols=["ocpp2.0.1"],
                               additional_headers=AUTH):
                await csms.wait_for_station("CP-1")
        finally:
            await csms.stop()
        return next(m for m in capture.messages if m.kind is RecordKind.OPENED)

    return run(main())


def test_the_token_and_password_of_a_station_are_not_recorded():
    opened = _opened_by_a_station_with_a_token(record_secrets=False)
    assert opened.meta["path"] == "/ocpp/CP-1?token=***"
    assert opened.meta["auth"] == {"scheme": "Basic", "user": "CP-1"}
    assert "secret" not in json.dumps(record_to_json(opened))


def test_record_secrets_keeps_them():
    opened = _opened_by_a_station_with_a_token(record_secrets=True)
    assert opened.meta["path"] == "/ocpp/CP-1?token=secret"
    assert opened.meta["auth"]["password"] == "secret"
