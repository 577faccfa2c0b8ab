from app.session.importers import evcc
from tests.session.importers.samples import DOWN, HEARTBEAT, HEARTBEAT_OK, UP, rows


def test_recv_and_send_lines_with_docker_compose_prefixes():
    log = (f"evcc-1  | [ocpp  ] TRACE 2024/07/29 22:03:40 recv CP1: {HEARTBEAT}\n"
           f"evcc-1  | [ocpp  ] TRACE 2024/07/29 22:03:40 send CP1: {HEARTBEAT_OK}\n"
           "evcc-1  | [lp-1  ] INFO 2024/07/29 22:03:41 charger status: A\n").encode()
    assert evcc.sniff(log)
    imported = evcc.read(log)
    assert rows(imported) == [("CP1", UP, "Heartbeat", 2), ("CP1", DOWN, "Heartbeat", 3)]
    assert imported.times_known and len(imported.notes) >= 1
