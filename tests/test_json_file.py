"""A JSON file the user names: its value, or one sentence naming the file and the reason,
raised as the error class the caller's kind of file uses."""

import pytest

from app.errors import InputError, PolicyError
from app.json_file import read_json_file


def test_the_value_of_a_json_file_is_returned(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('{"Heartbeat": {"mode": "ignore"}}', encoding="utf-8")
    assert read_json_file(path) == {"Heartbeat": {"mode": "ignore"}}


@pytest.mark.parametrize(("content", "reason"), [
    (None, "no such file"),
    (b"\xff\xfe{}", "not UTF-8 text"),
    (b'{"a": ', "not JSON"),
])
def test_a_missing_unreadable_or_broken_file_is_one_sentence_naming_it(tmp_path, content,
                                                                         reason):
    path = tmp_path / "rules.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        read_json_file(path)
    assert str(raised.value).startswith(f"{path}: {reason}")


def test_the_caller_chooses_the_error_class(tmp_path):
    with pytest.raises(PolicyError):
        read_json_file(tmp_path / "absent.json", PolicyError)


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "rules.json"
    path.write_bytes(b'\xef\xbb\xbf{"Heartbeat": "ignore"}')   # Notepad's "UTF-8"
    assert read_json_file(path) == {"Heartbeat": "ignore"}


def test_text_that_is_not_utf8_says_so_and_where(tmp_path):
    path = tmp_path / "rules.json"
    path.write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(InputError) as raised:
        read_json_file(path)
    assert str(raised.value) == f"{path}: not UTF-8 text (byte 7)"
