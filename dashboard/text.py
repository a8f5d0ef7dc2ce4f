"""Showing data text safely: Streamlit renders Markdown in titles, captions and markdown calls, so text from
uploaded files (source and campaign names) is escaped before it goes into one. Figures are written by
analytics/vocabulary.py (`percent` below is its function)."""

from __future__ import annotations

import re
from functools import partial

from analytics import vocabulary
from analytics.text import visible

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# What Streamlit's Markdown (react-markdown with remark-gfm) turns into a link even when escaped: GFM's
# autolink literals run on the text after the escapes are read — a URL scheme (http:, https:, and mailto:,
# xmpp: in GFM's extended form), www. and an email address. A word joiner (U+2060, invisible, removed again by
# ingest if the text is pasted back into a file) inside each keeps the text as it is shown and the link out.
_AUTOLINK = re.compile(
    r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=mailto)(?=:)|(?<=xmpp)(?=:)|(?<=www)(?=\.)|(?=@)"
)
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """Text that Markdown shows literally (no links, emphasis, HTML or LaTeX), without a raw control
    character (written as an escape, \\x1b)."""
    plain = visible("" if text is None else str(text))
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, plain))


def md_lines(text: object) -> str:
    """A message of several lines (a refusal listing its problems) as md() shows each, one under the other: a
    line feed becomes a Markdown hard break instead of a literal \\x0a."""
    return "  \n".join(md(line) for line in ("" if text is None else str(text)).split("\n"))


# The one percent() of analytics/vocabulary.py, re-exported for the pages; on screen a null reads as the
# vocabulary's mark "—" (the Guide says so), in the reports as "no data".
percent = partial(vocabulary.percent, missing=vocabulary.NO_DATA_MARK)
