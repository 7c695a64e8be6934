"""Text that people type (names, notes) and that ends up in exports, spreadsheets and pages.

Control characters have no place in a name: a CR or LF splits a CSV row in a spreadsheet (and
can smuggle a formula into the next one), a NUL truncates it in C code, bidi overrides show a
name other than the one stored, and a name of zero-width characters is invisible. Each refusal
is a sentence saying why.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# Bidi embeddings, overrides and isolates: they reorder how the text is shown.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that print as nothing (zero-width spaces, joiners, word joiner, BOM).
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
NOTES_ALLOWED_CONTROLS = frozenset("\n\t")


def _refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError("text", message)


def _check(value: str, what: str, allowed_controls: frozenset[str] = frozenset()) -> str:
    for char in value:
        if char in BIDI_CONTROLS:
            raise _refuse(
                f"the {what} holds a text-direction control character (U+{ord(char):04X}), "
                "which would show it as something else than what is stored"
            )
        if unicodedata.category(char) == "Cc" and char not in allowed_controls:
            raise _refuse(
                f"the {what} holds a control character (U+{ord(char):04X}, such as a line "
                "break or tab), which would break exports and pages: type it on one line"
            )
    return value


def _name(value: str) -> str:
    stripped = _check(value, "name").strip()
    if not stripped.strip("".join(INVISIBLE)).strip():
        raise _refuse("the name is empty: type at least one letter or digit")
    return stripped


def _session_name(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = _check(value, "session name").strip()
    return stripped if stripped.strip("".join(INVISIBLE)).strip() else None


def _notes(value: str | None) -> str | None:
    return None if value is None else _check(value, "notes", NOTES_ALLOWED_CONTROLS)


PersonName = Annotated[str, Field(max_length=100), AfterValidator(_name)]
SessionName = Annotated[str | None, Field(max_length=100), AfterValidator(_session_name)]
Notes = Annotated[str | None, Field(max_length=5000), AfterValidator(_notes)]
