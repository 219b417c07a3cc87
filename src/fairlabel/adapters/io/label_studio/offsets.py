"""Text offsets as Label Studio counts them: in UTF-16 code units (JavaScript string indices).

The platform counts spans in Unicode code points (Python string indices). The two agree on
text without characters beyond the Basic Multilingual Plane (emoji, some CJK and historic
scripts), each of which is one code point but two UTF-16 code units.
"""

from __future__ import annotations

from itertools import accumulate


def _astral(char: str) -> bool:
    return ord(char) > 0xFFFF


def utf16_offset(text: str, index: int) -> int:
    """The UTF-16 offset of code point ``index`` of ``text``."""
    return index + sum(1 for char in text[:index] if _astral(char))


def code_point_offset(text: str, offset: int) -> int | None:
    """The code point at UTF-16 offset ``offset`` of ``text``; None when the offset falls
    inside a character (between the two halves of a surrogate pair) or past the end."""
    if offset < 0:
        return None
    if not any(_astral(char) for char in text):
        return offset if offset <= len(text) else None
    ends = [0, *accumulate(2 if _astral(char) else 1 for char in text)]
    low, high = 0, len(ends) - 1
    while low <= high:
        middle = (low + high) // 2
        if ends[middle] == offset:
            return middle
        if ends[middle] < offset:
            low = middle + 1
        else:
            high = middle - 1
    return None
