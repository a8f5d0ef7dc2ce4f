"""Text from the data as the product compares, quotes and shows it.

A header name is compared normalised (`normalise`); a message quotes at most a short piece of a file (`clip`);
no output (CSV, HTML, terminal, the dashboard) carries a raw control character: `visible` writes each as an
escape one can read (ESC as \\x1b, a right-to-left override as \\u202e). Ingest refuses them, but a database
loaded before that may still hold some.
"""

from __future__ import annotations

import re
import unicodedata

SHOWN_CHARS = 60  # the longest piece of an uploaded file a message may quote

# Control characters (C0, DEL, C1), the bidirectional controls (marks, embeddings, overrides, isolates) and the
# line and paragraph separators: what a terminal runs (ESC sequences) or what reorders or breaks the text shown.
# The same class as the SQL macro oc_visible (analytics/sql/macros/00_parse.sql).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, keep: str = "") -> str:
    """The text with every control character written as a visible escape (\\x1b, \\u202e); keep: characters
    left as they are (a line feed between the lines of a whole output)."""
    if keep:
        return CONTROL.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)
    return CONTROL.sub(_escape, text)


def normalise(name: str) -> str:
    """A header name as the product compares it: 'Email Address' → email_address, 'DOUBLE_OPT-IN' →
    double_opt_in, "Date d'envoi" → date_d_envoi, 'Délivrés' → delivres (accents do not count: French
    spreadsheets write them or not)."""
    cleaned = name.replace("\ufeff", "").strip().strip('"').lower()
    cleaned = "".join(c for c in unicodedata.normalize("NFKD", cleaned) if not unicodedata.combining(c))
    out, last = [], "_"
    for char in cleaned:
        if char.isalnum():
            out.append(char)
            last = char
        elif last != "_":
            out.append("_")
            last = "_"
    return "".join(out).strip("_")


def clip(value: str, limit: int = SHOWN_CHARS) -> str:
    """A piece of an uploaded file as a message may quote it: at most `limit` characters, '…' when cut."""
    return value if len(value) <= limit else value[: limit - 1] + "…"
