"""What a preset is: a declarative reading of one platform's export, or a mapping a user saved on the Data page.

A preset says which canonical table, which header columns identify the export, which source column feeds each
canonical field (the first non-empty of a few spellings), how source values translate to the canonical
vocabulary, which constants it sets, and which fields the export lacks so the user must supply them. The
built-in ones are in ingest/platforms.py; ingest/mapping.py resolves a file with one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from analytics.tables import EVENT_TYPES, TABLES
from analytics.text import clip, normalise

DATE_ORDERS = ("dmy", "mdy")
DEFAULT = "*"  # in a value map: what every value not listed becomes
SKIP = "__skip__"  # a value map target: rows with this value are not loaded (e.g. 'deferred' events)
ALSO = (
    "+"  # in a value map target, 'sent+bounce': the row is several events (a message refused before sending)
)
# The keys a saved mapping's JSON may hold (Preset.as_json writes most; when and events are read too).
_SAVED_KEYS = {
    "name",
    "title",
    "table",
    "signature",
    "columns",
    "values",
    "constants",
    "needs",
    "orders_from",
    "date_order",
    "source",
    "when",
    "events",
}


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    table: str
    # Normalised header names that identify the export, all present; an item 'a|b' is met by either spelling
    # (an agency report in English or in French).
    signature: tuple[str, ...]
    columns: MappingType[str, tuple[str, ...]]  # canonical field -> source columns, first non-empty wins
    values: MappingType[str, MappingType[str, str]] = field(
        default_factory=dict
    )  # field -> {value: canonical}
    constants: MappingType[str, str] = field(default_factory=dict)
    needs: MappingType[str, str] = field(default_factory=dict)  # field -> why the user must supply it
    orders_from: str | None = None  # a source column whose date is a purchase (contacts exports)
    date_order: str | None = None
    source: str = ""  # where its header and vocabulary come from
    # field -> (flag column, values of the flag that mean yes, column holding the value): e.g. opted_out_at is
    # the modification time only when the contact is blocklisted.
    when: MappingType[str, tuple[str, tuple[str, ...], str]] = field(default_factory=dict)
    # event_type -> (timestamp column, flag column or None): one source row becomes several events, e.g. a
    # Mautic email-stats row is a `sent` at date_sent and an `open` at date_read when is_read is 1.
    events: MappingType[str, tuple[str, str | None]] = field(default_factory=dict)
    # Regular expressions on the file's name: they tell apart exports whose headers are the same.
    file_names: tuple[str, ...] = ()
    # platform -> the column holding the platform's own id of the person (kept to resolve files that name people
    # only by that id, e.g. Mautic's do-not-contact list).
    aliases: MappingType[str, str] = field(default_factory=dict)
    # (platform, column): contact_id is this platform id, resolved through the aliases loaded before or with it.
    contact_alias: tuple[str, str] | None = None
    # (column, values): only the rows whose column holds one of these values (lower case) are the export's
    # rows for the product, e.g. the email entries of a do-not-contact list that also holds SMS ones.
    rows_where: tuple[str, tuple[str, ...]] | None = None

    def as_json(self) -> str:
        return json.dumps(
            {
                "name": self.name,
                "title": self.title,
                "table": self.table,
                "signature": list(self.signature),
                "columns": {k: list(v) for k, v in self.columns.items()},
                "values": {k: dict(v) for k, v in self.values.items()},
                "constants": dict(self.constants),
                "needs": dict(self.needs),
                "orders_from": self.orders_from,
                "date_order": self.date_order,
                "source": self.source,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Preset:
        """A saved mapping read back from the database, every field checked (ValueError naming the first one
        wrong): what is stored is data that a hand edit or a crafted backup may have written, and ingest builds
        SQL from a mapping."""
        try:
            raw = json.loads(text)
        except (TypeError, ValueError):
            raise ValueError("it is not a JSON object") from None
        if not isinstance(raw, dict):
            raise ValueError("it is not a JSON object")
        unknown = sorted(set(raw) - _SAVED_KEYS)
        if unknown:
            raise ValueError(f"unknown key(s) {clip(', '.join(map(repr, unknown)))}")
        table_name = raw.get("table")
        if table_name not in TABLES:
            raise ValueError(f"table {clip(repr(table_name))} is not one of {', '.join(TABLES)}")
        table = TABLES[table_name]

        def texts(value: object, what: str) -> tuple[str, ...]:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{what} is not a list of texts")
            return tuple(value)

        def by_field(key: str, check) -> dict[str, Any]:
            value = raw.get(key, {})
            if not isinstance(value, dict):
                raise ValueError(f"{key} is not an object")
            unknown_fields = sorted(set(value) - set(table.column_names))
            if unknown_fields:
                raise ValueError(
                    f"{key} names {clip(', '.join(map(repr, unknown_fields)))}, not a column of {table.name}"
                )
            return {name: check(name, item) for name, item in value.items()}

        def text(value: object, what: str, optional: bool = False) -> str | None:
            if (value is None and optional) or isinstance(value, str):
                return value
            raise ValueError(f"{what} is not a text")

        def translation(name: str, value: object) -> dict[str, str]:
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in (*value, *value.values())):
                raise ValueError(f"values of {name} is not an object of texts")
            vocabulary = table.column(name).vocabulary
            if vocabulary:
                allowed = {*vocabulary, SKIP}
                wrong = sorted(
                    t for t in value.values() if t not in allowed and not set(t.split(ALSO)) <= allowed
                )
                if wrong:
                    raise ValueError(
                        f"values of {name} translate to {clip(repr(wrong[0]))}, not one of {', '.join(vocabulary)}"
                    )
            return dict(value)

        def condition(name: str, value: object) -> tuple[str, tuple[str, ...], str]:
            if not (isinstance(value, list) and len(value) == 3):
                raise ValueError(f"when of {name} is not [flag column, values, value column]")
            return (
                text(value[0], f"when of {name}"),
                texts(value[1], f"when of {name}"),
                text(value[2], f"when of {name}"),
            )

        events = raw.get("events", {})
        if not isinstance(events, dict) or not set(events) <= set(EVENT_TYPES):
            raise ValueError(f"events is not an object whose keys are among {', '.join(EVENT_TYPES)}")
        for event_type, branch in events.items():
            if not (isinstance(branch, list) and len(branch) == 2):
                raise ValueError(f"events of {event_type} is not [timestamp column, flag column]")
        date_order = raw.get("date_order")
        if date_order is not None and date_order not in DATE_ORDERS:
            raise ValueError(f"date_order {clip(repr(date_order))} is not one of {', '.join(DATE_ORDERS)}")
        name = text(raw.get("name"), "name")
        if not name.strip():
            raise ValueError("its name is empty")
        return cls(
            name=name,
            title=text(raw.get("title"), "title"),
            table=table.name,
            # normalised again: how names compare may have changed since it was saved (accents)
            signature=tuple(normalise(s) for s in texts(raw.get("signature"), "signature")),
            columns=by_field("columns", lambda n, v: texts(v, f"columns of {n}")),
            values=by_field("values", translation),
            constants=by_field("constants", lambda n, v: text(v, f"constant of {n}")),
            needs=by_field("needs", lambda n, v: text(v, f"needs of {n}")),
            orders_from=text(raw.get("orders_from"), "orders_from", optional=True),
            date_order=date_order,
            source=text(raw.get("source", ""), "source"),
            when=by_field("when", condition),
            events={
                k: (text(v[0], f"events of {k}"), text(v[1], f"events of {k}", optional=True))
                for k, v in events.items()
            },
        )

    def claims(self, columns: set[str]) -> frozenset[str] | None:
        """The header columns its signature matches, or None when the header lacks one of them."""
        claimed = set()
        for item in self.signature:
            found = [name for name in item.split("|") if name in columns]
            if not found:
                return None
            claimed.update(found)
        return frozenset(claimed)

    def named_like(self, file_name: str) -> bool:
        base = PurePosixPath(file_name.replace("\\", "/")).name
        return any(re.search(pattern, base, re.IGNORECASE) for pattern in self.file_names)


def check_saved(name: str, spec: str) -> Preset:
    """The saved mapping of one stored row; ValueError when it is not one this program saved (see from_json)."""
    preset = Preset.from_json(spec)
    if preset.name != name:
        raise ValueError(f"it is stored under the name {name!r} but calls itself {preset.name!r}")
    return preset
