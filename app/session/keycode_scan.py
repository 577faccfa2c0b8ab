"""Where the KeyCode PINs are in a frame that is not JSON, for a redacting export.

A frame a peer sent may be broken JSON (a trailing comma, a cut-off end) and still hold an
idToken of type KeyCode, a PIN the specification forbids showing. It cannot be parsed, so
it is scanned: objects are followed by their braces (nested ones such as `additionalInfo`
included, and objects the text never closes), strings by their quotes and escapes, and an
object whose "type" is KeyCode (in any case) gives up its "idToken" string.

The scan jumps from one structural character to the next with a regular expression and
looks at nothing else, so its time grows with the length of the text, whatever a peer put
in it: a frame of megabytes made to slow a pattern down costs what any other frame costs.
"""

from __future__ import annotations

import re

_STRUCTURE = re.compile(r'[{}":,\\]')

Span = tuple[int, int]  # [start, end) of a string's content in the text


def keycode_spans(text: str) -> list[Span]:
    """The spans of the KeyCode idTokens' values in `text`, in order."""
    if "keycode" not in text.lower():
        return []
    found: list[Span] = []
    objects: list[tuple[list[bool], list[Span]]] = []  # open objects: (KeyCode?, idTokens)
    in_string, start, skip = False, 0, -1
    last_string: Span | None = None   # a string that may be a key, if a ':' follows
    key: str | None = None            # the key whose value comes next
    for match in _STRUCTURE.finditer(text):
        at = match.start()
        if at < skip:                 # the character after a backslash
            continue
        char = text[at]
        if in_string:
            if char == "\\":
                skip = at + 2
            elif char == '"':
                in_string = False
                if key is None:
                    last_string = (start, at)
                else:
                    _value(objects, key, text, (start, at))
                    key, last_string = None, None
            continue
        if char == '"':
            in_string, start = True, at + 1
        elif char == ":":
            key = None if last_string is None else text[last_string[0]:last_string[1]]
            last_string = None
        else:
            key, last_string = None, None
            if char == "{":
                objects.append(([False], []))
            elif char == "}" and objects:
                keycode, tokens = objects.pop()
                if keycode[0]:
                    found.extend(tokens)
    for keycode, tokens in objects:   # objects the text never closed
        if keycode[0]:
            found.extend(tokens)
    return sorted(found)


def _value(objects: list[tuple[list[bool], list[Span]]], key: str, text: str,
           span: Span) -> None:
    if not objects:
        return
    keycode, tokens = objects[-1]
    if key == "idToken":
        tokens.append(span)
    elif key == "type" and text[span[0]:span[1]].lower() == "keycode":
        keycode[0] = True
