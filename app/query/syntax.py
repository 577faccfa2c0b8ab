"""The filter language's text: tokens, the syntax tree, and a parser that says where it stopped.

Hand-written (a tokenizer and a recursive-descent parser) rather than built on a parsing
library: the grammar is a dozen rules, the program gains no dependency, and every error can
name the column and what was expected there in the user's words ("a value after '=='"), which
generated parsers make hard to word well.

Grammar, loosest binding first:

    expression := term (('||' | 'or') term)*
    term       := factor (('&&' | 'and') factor)*
    factor     := ('!' | 'not') factor | '(' expression ')' | 'all' '(' expression ')'
                  | STRING                       a text search over the whole frame
                  | path [operator]
    operator   := ('==' | '!=' | '<' | '<=' | '>' | '>=') value
                  | ('contains' | 'matches' | '~') value | 'in' '{' value (',' value)* '}'
    path       := NAME ('.' NAME | '[' (NUMBER | '*') ']')*
    value      := STRING | NUMBER | 'true' | 'false' | 'null' | CALL | RESULT | ERROR
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import QueryError

# --- tokens ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Token:
    kind: str        # NAME, STRING, NUMBER, OP, PUNCT, END
    text: str        # as typed (for NAME and OP: the word or symbol)
    value: Any       # a STRING's text, a NUMBER's number
    column: int      # 1-based


_WORD_OPERATORS = {"and": "&&", "or": "||", "not": "!", "contains": "contains",
                   "matches": "~", "in": "in"}
_SYMBOLS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "~", "=")
_PUNCT = "()[]{},.*"
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index, end = 0, len(text)
    while index < end:
        char = text[index]
        column = index + 1
        if char.isspace():
            index += 1
        elif char in "\"'":
            value, index = _read_string(text, index)
            tokens.append(Token("STRING", text[column - 1:index], value, column))
        elif char.isdigit() or (char in "-." and _NUMBER.match(text, index)):
            match = _NUMBER.match(text, index)
            assert match is not None
            literal = match.group(0)
            number = float(literal) if any(c in literal for c in ".eE") else int(literal)
            tokens.append(Token("NUMBER", literal, number, column))
            index = match.end()
        elif char.isalpha() or char == "_":
            match = _NAME.match(text, index)
            assert match is not None
            word = match.group(0)
            operator = _WORD_OPERATORS.get(word.lower())
            if operator is not None:
                tokens.append(Token("OP", operator, word, column))
            else:
                tokens.append(Token("NAME", word, word, column))
            index = match.end()
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, index)), None)
            if symbol == "=":
                raise QueryError("write '==' to compare ('=' alone is not an operator)",
                                 column, text)
            if symbol is not None:
                tokens.append(Token("OP", symbol, symbol, column))
                index += len(symbol)
            elif char in _PUNCT:
                tokens.append(Token("PUNCT", char, char, column))
                index += 1
            else:
                raise QueryError(f"'{char}' has no meaning here", column, text)
    tokens.append(Token("END", "", None, end + 1))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    parts: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == quote:
            return "".join(parts), index + 1
        if char == "\\" and index + 1 < len(text):
            parts.append(_ESCAPES.get(text[index + 1], "\\" + text[index + 1]))
            index += 2
            continue
        parts.append(char)
        index += 1
    raise QueryError(f"this text has no closing {quote}", start + 1, text)


# --- syntax tree ----------------------------------------------------------------------------

Step = str | int | None   # a key, an array index, or None for [*] (every element)


@dataclass(frozen=True, slots=True)
class Path:
    name: str                 # the field: "action", "error.code", "payload"...
    steps: tuple[Step, ...]   # inside the payload: ("meterValue", 0, "sampledValue", None)
    column: int


@dataclass(frozen=True, slots=True)
class Compare:
    path: Path
    operator: str             # == != < <= > >= contains ~ in
    value: Any                # a literal, or a tuple of literals for `in`
    column: int               # of the value, for errors about it


@dataclass(frozen=True, slots=True)
class Present:
    path: Path                # true when the field is present (and not false)


@dataclass(frozen=True, slots=True)
class TextSearch:
    needle: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class All:
    operand: Node             # arrays inside must match in every element


@dataclass(frozen=True, slots=True)
class Both:
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Either:
    operands: tuple[Node, ...]


Node = Compare | Present | TextSearch | Not | All | Both | Either

CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None,
                             "CALL": "CALL", "RESULT": "RESULT", "ERROR": "ERROR",
                             "CALLRESULT": "RESULT", "CALLERROR": "ERROR"}
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "contains", "~", "in")


# --- parser ---------------------------------------------------------------------------------

# How deep parentheses and negations may nest: the parser, the compiler and the compiled
# test each take a few Python frames a level, and Python's stack is not deep (a thousand)
MAX_NESTING = 50


def parse(text: str) -> Node:
    """The syntax tree of `text`; raises QueryError with the column where it went wrong."""
    if not text.strip():
        raise QueryError("the expression is empty", 1, text)
    parser = _Parser(text)
    _check_nesting(parser.tokens, text)
    return parser.parse()


def _check_nesting(tokens: list[Token], text: str) -> None:
    """Refuse, at the token that goes too deep, an expression nested past `MAX_NESTING`
    (open parentheses, and negations in a row), before recursion runs out on it."""
    depth = negations = 0
    for token in tokens:
        if token.kind == "PUNCT" and token.text in "()":
            depth += 1 if token.text == "(" else -1
        negations = negations + 1 if token.kind == "OP" and token.text == "!" else 0
        if depth + negations > MAX_NESTING:
            raise QueryError(f"nested more than {MAX_NESTING} levels deep; write it flatter",
                             token.column, text)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str, token: Token | None = None) -> QueryError:
        return QueryError(message, (token or self.token).column, self.text)

    def is_op(self, *symbols: str) -> bool:
        return self.token.kind == "OP" and self.token.text in symbols

    def is_punct(self, char: str) -> bool:
        return self.token.kind == "PUNCT" and self.token.text == char

    def expect_punct(self, char: str, what: str) -> Token:
        if not self.is_punct(char):
            raise self.fail(f"expected {what}, found {self.describe()}")
        return self.advance()

    def describe(self, token: Token | None = None) -> str:
        token = token or self.token
        return "the end of the expression" if token.kind == "END" else f"'{token.text}'"

    def parse(self) -> Node:
        node = self.expression()
        if self.token.kind != "END":
            if self.token.kind in ("NAME", "STRING", "NUMBER") or self.is_punct("("):
                raise self.fail(f"expected '&&' or '||' before {self.describe()}")
            raise self.fail(f"{self.describe()} was not expected here")
        return node

    def expression(self) -> Node:
        return self.chain("||", self.term, Either)

    def term(self) -> Node:
        return self.chain("&&", self.factor, Both)

    def chain(self, operator: str, operand: Callable[[], Node],
              joined: Callable[[tuple[Node, ...]], Node]) -> Node:
        """Operands read by `operand` and separated by `operator`, joined into one node;
        a lone operand stays itself. `||` and `&&` differ only in what binds tighter."""
        operands = [operand()]
        while self.is_op(operator):
            self.advance()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else joined(tuple(operands))

    def factor(self) -> Node:
        token = self.token
        if self.is_op("!"):
            self.advance()
            return Not(self.factor())
        if self.is_punct("("):
            self.advance()
            node = self.expression()
            self.expect_punct(")", f"')' to close the '(' of column {token.column}")
            return node
        if token.kind == "NAME" and token.text == "all" \
                and self.tokens[self.index + 1].text == "(":
            self.advance()
            opening = self.advance()
            node = self.expression()
            self.expect_punct(")", f"')' to close the '(' of column {opening.column}")
            return All(node)
        if token.kind == "STRING":
            self.advance()
            if self.token.kind == "OP" and self.token.text in COMPARISONS:
                raise self.fail("put the field on the left of the comparison "
                                f"(e.g. action == {token.text})", token)
            return TextSearch(token.value)
        if token.kind == "NAME":
            path = self.path()
            if self.token.kind == "OP" and self.token.text in COMPARISONS:
                return self.comparison(path)
            return Present(path)
        if token.kind == "END":
            raise self.fail("the expression ends where a field or '(' was expected")
        raise self.fail(f"expected a field (like action or payload.status), "
                        f"found {self.describe()}")

    def path(self) -> Path:
        first = self.advance()
        name, steps = first.text, []
        if name == "error" and self.is_punct("."):
            self.advance()
            part = self.name("a part of error (code, description)")
            name = f"error.{part.text}"
        while True:
            if self.is_punct("."):
                self.advance()
                steps.append(self.name("a field name after '.'").text)
            elif self.is_punct("["):
                self.advance()
                if self.is_punct("*"):
                    self.advance()
                    steps.append(None)
                elif self.token.kind == "NUMBER" and isinstance(self.token.value, int) \
                        and self.token.value >= 0:
                    steps.append(self.advance().value)
                else:
                    raise self.fail(f"expected an index or '*' inside '[ ]', "
                                    f"found {self.describe()}")
                self.expect_punct("]", "']'")
            else:
                return Path(name, tuple(steps), first.column)

    def name(self, what: str) -> Token:
        if self.token.kind != "NAME":
            raise self.fail(f"expected {what}, found {self.describe()}")
        return self.advance()

    def comparison(self, path: Path) -> Compare:
        operator = self.advance().text
        if operator == "in":
            opening = self.expect_punct("{", "'{' to start a set, as in action in {\"A\", \"B\"}")
            values = [self.value()]
            while self.is_punct(","):
                self.advance()
                values.append(self.value())
            self.expect_punct("}", f"',' or '}}' to close the '{{' of column {opening.column}")
            return Compare(path, "in", tuple(values), opening.column)
        column = self.token.column
        return Compare(path, operator, self.value(f"a value after '{operator}'"), column)

    def value(self, what: str = "a value") -> Any:
        token = self.token
        if token.kind in ("STRING", "NUMBER"):
            self.advance()
            return token.value
        if token.kind == "NAME" and token.text in CONSTANTS:
            self.advance()
            return CONSTANTS[token.text]
        if token.kind == "NAME":
            raise self.fail(f"expected {what}; write text in quotes: \"{token.text}\"")
        raise self.fail(f"expected {what}, found {self.describe()}")
