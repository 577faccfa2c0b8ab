from app.session.importers import everest_html
from tests.session.importers.samples import UP, rows


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
