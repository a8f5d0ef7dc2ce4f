"""Showing data text safely: Streamlit renders Markdown in titles, captions and markdown calls, so text from
uploaded files (source and campaign names) is escaped before it goes into one."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: object) -> str:
    """Text that Markdown shows literally (no links, emphasis, HTML or LaTeX)."""
    return _MARKDOWN.sub(r"\\\1", "" if text is None else str(text))


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"
