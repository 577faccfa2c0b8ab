"""The filter language's parser: what it accepts, and where it says an expression went wrong."""

from __future__ import annotations

import pytest

from app.query.syntax import (
    MAX_NESTING,
    All,
    Both,
    Compare,
    Either,
    Not,
    Path,
    Present,
    QueryError,
    TextSearch,
    parse,
    tokenize,
)


def test_words_and_symbols_are_the_same_operators() -> None:
    node = parse('action == "A" and not valid or size > 3')
    assert isinstance(node, Either) and isinstance(node.operands[0], Both)
    assert isinstance(node.operands[0].operands[1], Not)


def test_and_binds_tighter_than_or() -> None:
    node = parse("size == 1 || rtt == 2 && evse == 3")
    assert isinstance(node, Either)
    assert isinstance(node.operands[1], Both)


def test_parentheses_group() -> None:
    node = parse('(size == 1 || rtt == 2) && evse == 3')
    assert isinstance(node, Both)
    assert isinstance(node.operands[0], Either)


def test_payload_path_with_index_and_star() -> None:
    node = parse('payload.meterValue[0].sampledValue[*].measurand == "Voltage"')
    assert node == Compare(Path("payload", ("meterValue", 0, "sampledValue", None,
                                            "measurand"), 1), "==", "Voltage", 52)


def test_error_code_is_one_field() -> None:
    node = parse('error.code == "NotImplemented"')
    assert isinstance(node, Compare) and node.path.name == "error.code"


def test_membership_set_of_literals() -> None:
    node = parse("action in {'Heartbeat', \"StatusNotification\"}")
    assert isinstance(node, Compare)
    assert node.value == ("Heartbeat", "StatusNotification")


def test_bare_field_is_an_existence_test_and_bare_string_a_text_search() -> None:
    assert parse("payload.idToken") == Present(Path("payload", ("idToken",), 1))
    assert parse('"abc"') == TextSearch("abc")


def test_all_wraps_an_expression_and_not_negates() -> None:
    assert isinstance(parse('all(payload.a[*] == 1)'), All)
    assert isinstance(parse('!valid'), Not)


def test_literals_numbers_booleans_and_escapes() -> None:
    values = [t.value for t in tokenize(r'-1.5 42 "a\"b" true')]
    assert values[:3] == [-1.5, 42, 'a"b']


@pytest.mark.parametrize(("text", "column", "words"), [
    ("action = 1", 8, "'=='"),
    ("action ==", 10, "a value after '=='"),
    ('(action == "a"', 15, "')' to close the '(' of column 1"),
    ('action == "a', 11, "no closing"),
    ('action == Heartbeat', 11, '"Heartbeat"'),
    ('"Heartbeat" == action', 1, "field on the left"),
    ('action == "a" size > 1', 15, "'&&' or '||'"),
    ("payload.a[x] == 1", 11, "index or '*'"),
    ("action in {1, 2", 16, "close the '{'"),
    ("size > 1 $", 10, "'$' has no meaning"),
    ("", 1, "empty"),
    ("&& size", 1, "expected a field"),
])
def test_errors_point_at_the_column(text: str, column: int, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert caught.value.column == column
    assert words in caught.value.message


def test_error_pointer_puts_a_caret_under_the_column() -> None:
    with pytest.raises(QueryError) as caught:
        parse("size >")
    assert caught.value.pointer() == "size >\n      ^"


def test_nesting_up_to_the_limit_parses_and_beyond_it_is_refused_where_it_goes_too_deep(
) -> None:
    deep = "(" * MAX_NESTING + "valid" + ")" * MAX_NESTING
    assert parse(deep) == Present(Path("valid", (), MAX_NESTING + 1))
    with pytest.raises(QueryError) as too_deep:
        parse("(" * 5000 + "valid" + ")" * 5000)
    assert too_deep.value.column == MAX_NESTING + 1
    assert too_deep.value.message == (f"nested more than {MAX_NESTING} levels deep; "
                                      "write it flatter")
    with pytest.raises(QueryError, match="nested more than"):
        parse("!" * 5000 + "valid")
