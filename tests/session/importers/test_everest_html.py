from app.session.importers import everest_html
from tests.session.importers.samples import DOWN, UP, rows


def test_rows_of_the_html_log_are_read():
    page = (b"<html><head><style>td{}</style></head><body><table>"
            b"<tr><th>Time</th><th>Direction</th><th>Message</th><th>Payload</th></tr>"
            b"<tr class='ChargePoint'><td>2023-12-07T04:03:32.455Z</td>"
            b"<td>ChargePoint&gt;CentralSystem</td><td><b>Heartbeat</b></td>"
            b"<td><pre lang='json'>[\n  2,\n  &quot;7&quot;,\n  &quot;Heartbeat&quot;,\n  {}\n]"
            b"</pre></td></tr></table></body></html>")
    assert everest_html.sniff(page)
    imported = everest_html.read(page)
    assert rows(imported) == [("", UP, "Heartbeat", 2)]
    assert imported.times_known and imported.places == ["row 2"]


def test_the_page_libocpp_writes_is_read_with_both_directions():
    """The shape libocpp's message logging writes: a row per message with its class, time,
    origin>target, the type in the sender's column, and the frame indented by two with only
    < and > encoded (quotes stay as they are)."""
    def row(origin: str, target: str, when: str, types: tuple[str, str], frame: str) -> str:
        return (f'<tr class="{origin}"> <td>{when}</td> <td>{origin}&gt;{target}</td> '
                f'<td><b>{types[0]}</b></td><td><b>{types[1]}</b></td> '
                f'<td><pre lang="json">{frame}</pre></td> </tr>\n')

    page = ('<html><head><title>EVerest OCPP log session</title>\n<style>td{}</style>'
            '</head><body><table class="log">\n'
            + row("ChargePoint", "CentralSystem", "2023-12-07T04:03:32.455Z",
                  ("Heartbeat", ""), '[\n  2,\n  "7",\n  "Heartbeat",\n  {}\n]')
            + row("CentralSystem", "ChargePoint", "2023-12-07T04:03:32.500Z",
                  ("", "HeartbeatResponse"),
                  '[\n  3,\n  "7",\n  {\n    "currentTime": "2023-12-07T04:03:32.500Z"\n  }\n]')
            + "</table></body></html>\n").encode()
    assert everest_html.sniff(page)
    imported = everest_html.read(page)
    assert rows(imported) == [("", UP, "Heartbeat", 2), ("", DOWN, "Heartbeat", 3)]
