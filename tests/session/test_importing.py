"""The registry: formats recognised from content, importers not installed passed over, and
unusable input refused in one sentence."""

import io
import sys

import pytest

from app.errors import InputError
from app.session import importing
from app.session.importing import import_bytes, import_path


def test_the_format_is_recognised_from_the_content_not_the_name(tmp_path):
    path = tmp_path / "capture.pcap"  # a misleading name
    path.write_text('[ocpp  ] TRACE 2024/07/29 22:03:40 recv CP1: [2,"1","Heartbeat",{}]\n')
    assert import_path(path).format == "evcc OCPP traces"


def test_a_listed_importer_that_is_not_installed_is_passed_over(monkeypatch):
    monkeypatch.setattr(importing, "IMPORTERS", ("not_written_yet", "frames"))
    assert [m.__name__.rsplit(".", 1)[-1] for m in importing.importers()] == ["frames"]
    assert import_bytes(b'[2,"1","Heartbeat",{}]\n').messages[0].action == "Heartbeat"


@pytest.mark.parametrize(("data", "words"), [
    (b"", "the file is empty"),
    (b"  \n", "the file is empty"),
    (b"\x00\x01\x02\x03garbage", "binary data"),
    (b"\xfd\xfe\xff not text", "not UTF-8"),
    (b"a shopping list\nmilk\n", "no OCPP frames in this file"),
])
def test_unusable_content_is_refused_in_one_sentence(data, words):
    with pytest.raises(InputError, match=words) as caught:
        import_bytes(data, "input.log")
    assert "\n" not in str(caught.value) and str(caught.value).startswith("input.log: ")


def test_an_unknown_format_names_the_formats_understood():
    with pytest.raises(InputError) as caught:
        import_bytes(b"hello", "x")
    for name in ("SteVe", "EVerest", "CitrineOS", "HAR", "OCPP.Core", "MicroOcpp", "evcc"):
        assert name in str(caught.value)


def test_a_missing_path_is_refused(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_path(tmp_path / "absent.log")


def test_a_dash_reads_standard_input(monkeypatch):
    piped = io.TextIOWrapper(io.BytesIO(b'[2,"1","Heartbeat",{}]\n[3,"1",{}]\n'))
    monkeypatch.setattr(sys, "stdin", piped)
    imported = import_path("-")
    assert [m.action for m in imported.messages] == ["Heartbeat", "Heartbeat"]


def test_an_empty_standard_input_is_refused_in_one_sentence(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\n")))
    with pytest.raises(InputError, match=r"^-: standard input is empty$"):
        import_path("-")


def test_utf16_text_as_windows_powershell_writes_it_is_read():
    text = '[2,"1","Heartbeat",{}]\r\n[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]\r\n'
    for encoding in ("utf-16", "utf-16-be"):
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        imported = import_bytes(data, "frames.txt")
        assert [m.action for m in imported.messages] == ["Heartbeat", "Heartbeat"], encoding


def test_utf16_that_does_not_decode_is_refused_in_one_sentence():
    with pytest.raises(InputError, match=r"frames\.txt: UTF-16 text that does not decode"):
        import_bytes(b"\xff\xfe\x00\xd8", "frames.txt")


def test_a_capture_in_which_no_ocpp_was_found_is_unusable_input_saying_why():
    from tests.session import pcaps

    with pytest.raises(InputError) as refused:
        import_bytes(pcaps.pcap_file([]), "site.pcap")
    assert str(refused.value) == ("site.pcap: no OCPP WebSocket traffic was found in its "
                                  "0 packets")


def test_a_session_with_no_records_yet_is_still_a_session():
    header = b'{"format":"ocppscope-session","version":1,"mode":"proxy"}\n'
    assert import_bytes(header, "-").messages == []


def test_a_closed_standard_input_is_refused_in_one_sentence(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)  # what Python gives a process started with <&-
    with pytest.raises(InputError, match=r"^-: standard input is closed$"):
        import_path("-")
