"""Output lines that never raise for a peer's string, and JSON lines written in batches."""

import io
import json

import pytest

from app.commands.json_lines import JsonLines, json_text, json_value, write_json, write_line


def strict_stream(encoding="utf-8"):
    raw = io.BytesIO()
    return raw, io.TextIOWrapper(raw, encoding=encoding, errors="strict")


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_a_line_with_a_lone_surrogate_is_written_escaped(encoding):
    raw, stream = strict_stream(encoding)
    write_line(stream, "id=\ud800 ok é")
    write_line(stream, "next")
    stream.flush()
    lines = raw.getvalue().decode(encoding).splitlines()
    assert lines[0].startswith("id=\\ud800 ok") and lines[1] == "next"


def test_plain_lines_are_written_as_they_are():
    raw, stream = strict_stream()
    write_line(stream, "é → ok")
    stream.flush()
    assert raw.getvalue().decode("utf-8") == "é → ok\n"


def test_json_with_a_lone_surrogate_falls_back_to_ascii_escapes_for_that_line_only():
    raw, stream = strict_stream()
    write_json(stream, {"id": "\ud800", "text": "é"})
    write_json(stream, {"text": "é"})
    stream.flush()
    first, second = raw.getvalue().decode("utf-8").splitlines()
    assert json.loads(first) == {"id": "\ud800", "text": "é"} and "\\u00e9" in first
    assert second == '{"text": "é"}'


@pytest.mark.parametrize("value", ["plain", 'quote " and \\ back', "new\nline\ttab\x00",
                                   "é → ✓", "", "\u2028", None, True, False, 7, [], {"a": 1}])
def test_one_value_is_encoded_as_the_encoder_encodes_it(value):
    assert json_value(value) == json_text(value)


def test_json_lines_are_written_in_batches_and_all_by_flush():
    stream = io.StringIO()
    lines = JsonLines(stream, batch=2)
    lines.value({"n": 1})
    assert stream.getvalue() == ""
    lines.value({"n": 2})
    lines.value({"n": 3})
    assert stream.getvalue() == '{"n": 1}\n{"n": 2}\n'
    lines.flush()
    assert stream.getvalue().splitlines()[-1] == '{"n": 3}' and lines.written == 3


def test_a_batch_the_stream_cannot_encode_is_written_line_by_line_escaped_where_needed():
    raw, stream = strict_stream()
    lines = JsonLines(stream)
    lines.value({"text": "é"})
    lines.value({"id": "\ud800", "text": "é"})
    lines.add(json_text({"a": 1}) + "\n" + json_text({"b": "\udfff"}) + "\n")
    lines.flush()
    stream.flush()
    written = raw.getvalue().decode("utf-8").splitlines()
    assert written[0] == '{"text": "é"}' and written[2] == '{"a": 1}'
    assert written[1] == json.dumps({"id": "\ud800", "text": "é"})
    assert written[3] == json.dumps({"b": "\udfff"})


def test_lines_an_earlier_attempt_wrote_are_skipped():
    stream = io.StringIO()
    lines = JsonLines(stream, skip=2)
    for n in range(4):
        lines.value({"n": n})
    lines.flush()
    assert stream.getvalue() == '{"n": 2}\n{"n": 3}\n'


def test_a_piece_of_several_lines_the_earlier_attempt_partly_wrote_loses_only_those():
    stream = io.StringIO()
    lines = JsonLines(stream, skip=2)
    lines.add("1\n")
    lines.add("2\n3\n")  # its first line was written, its second was not
    lines.add("4\n")
    lines.flush()
    assert stream.getvalue() == "3\n4\n"


def test_take_keeps_the_lines_from_the_stream():
    stream = io.StringIO()
    lines = JsonLines(stream)
    lines.value(1)
    lines.value(2)
    assert lines.take() == "1\n2\n" and stream.getvalue() == ""
