"""What the endpoints share about a connection: here, reading Authorization headers."""

from websockets.datastructures import Headers

from app.net import links


def test_a_request_with_two_authorizations_is_read_by_its_first():
    headers = Headers([("Authorization", "Basic Q1AtMTpwdw=="), ("Authorization", "Bearer x")])
    assert links.first_authorization(headers) == "Basic Q1AtMTpwdw=="
    assert links.basic_auth(headers) == ("CP-1", "pw")
    assert links.auth_summary(headers, record_secrets=False) == {"scheme": "Basic",
                                                                 "user": "CP-1"}
    assert links.first_authorization(Headers()) is None
