"""Columns that record an opposition, so that no mapping — built-in or saved — can drop one (SPEC §4: whatever a
platform file says about an opposition reaches opted_out_at or an unsubscribe event).

A file of people (contacts, the opposition list) or of their events may carry an opposition in a column the
mapping does not read: Mailchimp's UNSUB_TIME, Brevo's EMAIL_BLACKLISTED, Klaviyo's Email Suppressions, a CRM's
"Statut: désinscrit". Such a column is recognised by its name, and on every row where it says the person
objected, the row as mapped must be an opposition too: a contact with an opposition date or consent
`objected`, an `unsubscribe` or `complaint` event, an opposition record. Otherwise the file is refused with the
column, the rows and the fix — also when invalid rows are to be set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analytics.i18n import _
from analytics.ingest.files import CsvFile
from analytics.text import normalise

# Names (normalised: lower case, accents dropped, words joined by _) of columns that record an opposition.
# A value there — a date, a campaign, a reason, "yes" — says the person objected.
OPPOSITION_NAMES = re.compile(
    r"unsub|opt_?out|opted_?out|black_?list|block_?list|desinscri|desabonn|do_?not_?(contact|e?mail)"
    r"|(^|_)dnc($|_)|opposi|objected|(^|_)stop_?(e?mail|marketing)"
)
# Columns whose values name a status or a reason, some of which are oppositions ('UNSUBSCRIBED', 'désinscrit',
# Klaviyo's suppression 'SPAM_COMPLAINT' — but not 'HARD_BOUNCE').
STATUS_NAMES = re.compile(
    r"(^|_)(status|statut|etat|state|consent|consentement|subscription|abonnement)($|_)|suppress"
)
# Not about a person's email opposition: aggregates (a rate, a count of a campaign report), links in a
# message, other channels.
NOT_A_PERSONS_OPPOSITION = re.compile(
    r"(^|_)(rate|taux|pct|percent|ratio|count|nombre|total|url|link|lien|token|header|sms|phone|tel|mobile"
    r"|whatsapp|push|notification|postal|courrier|print)($|_|s$)"
)
# Values that say "no" in a flag column, or that name a bounce rather than an objection.
NOT_AN_OPPOSITION_VALUE = (
    r"^(false|f|0|no|n|non|faux|none|null|n/?a|-)$|bounce|invalid|cleaned|never_subscribed|^subscribed$"
)
OPPOSITION_VALUE = (
    r"unsubscri|opted.?out|opt.?out|d[ée]sinscri|d[ée]sabonn|black.?list|block.?list|objected|oppos"
)
OPPOSITION_VALUE += r"|do.?not.?contact|spam|complain|plainte|suppressed"

# The tables a person's opposition can reach; campaign reports, orders, campaigns and the registry hold none.
PERSON_TABLES = ("contacts", "events", "oppositions")


@dataclass(frozen=True)
class Signal:
    """A column that records oppositions, and the SQL condition (over the column's text `x`) of a row where
    it says the person objected."""

    index: int
    header: str
    kind: str  # 'named' (its name says opposition) or 'status' (one of its values may)

    def says_opposition(self, x: str) -> str:
        text = f"lower(trim({x}))"
        if self.kind == "named":
            return f"(oc_blank({x}) is not null and not regexp_matches({text}, '{NOT_AN_OPPOSITION_VALUE}'))"
        return f"regexp_matches({text}, '{OPPOSITION_VALUE}') and not regexp_matches({text}, 'never')"


def signals(file: CsvFile, table: str) -> list[Signal]:
    """The columns of a file of people or events that record oppositions."""
    if table not in PERSON_TABLES:
        return []
    found = []
    for index, name in enumerate(file.columns):
        if NOT_A_PERSONS_OPPOSITION.search(name):
            continue
        if OPPOSITION_NAMES.search(name):
            found.append(Signal(index, file.header[index], "named"))
        elif STATUS_NAMES.search(name):
            found.append(Signal(index, file.header[index], "status"))
    return found


def kept_as_opposition(table: str) -> str:
    """The SQL condition, over a converted row of the table, that it holds an opposition."""
    if table == "contacts":
        return "(opted_out_at is not null or consent = 'objected')"
    if table == "events":
        return "(event_type in ('unsubscribe', 'complaint'))"
    return "true"


def most_telling(found: tuple[Signal, ...]) -> list[Signal]:
    """The columns, the one holding a date first (the one to map onto opted_out_at), in file order otherwise."""
    dated = re.compile(r"(^|_)(time|date|at|on|le)($|_)")
    return sorted(found, key=lambda s: (not dated.search(normalise(s.header)), s.index))


def fix(column: Signal, table: str, preset: str | None) -> str:
    """What the user does when rows where such columns say 'objected' would not be oppositions as mapped."""
    if table == "contacts":
        how = _(
            "map the column that holds the date of the opposition ({column} if it is a date) onto "
            "opted_out_at, or translate the status to consent objected"
        ).format(column=repr(column.header))
    elif table == "events":
        how = _("translate these rows' event type to unsubscribe (complaint for a spam report)")
    else:
        how = _("map the date of the opposition onto opposed_at")
    other = _("; or choose the preset that reads this export as a whole") if preset else ""
    return _(
        "{how}{other}. An opposition is never dropped: the file cannot load while one would be lost"
    ).format(how=how, other=other)
