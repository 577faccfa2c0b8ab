"""Counts in words that read right: "1 record", "2 records", "1,234 records"."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`number` and `noun`, the noun in the plural unless the number is one; `plural` for
    nouns that do not just take an s ("1 entry", "3 entries")."""
    word = noun if number == 1 else (plural or f"{noun}s")
    return f"{number:,} {word}"


def were(number: int, noun: str, plural: str | None = None) -> str:
    """"1 record was", "3 records were": a count as the subject of a sentence."""
    return f"{count(number, noun, plural)} {'was' if number == 1 else 'were'}"
