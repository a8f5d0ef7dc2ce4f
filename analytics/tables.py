"""The canonical tables of SPEC §4: columns, which are required, their kinds and vocabularies.

Ingest validates and converts every file against these declarations; nothing else names the columns.
"""

from __future__ import annotations

from dataclasses import dataclass

CONSENT = ("opt_in", "none", "objected")
EVENT_TYPES = ("sent", "delivered", "open", "click", "unsubscribe", "complaint", "bounce")
EMAIL_TYPES = ("service", "promo", "newsletter", "cart_abandonment", "loyalty", "welcome")
MARKETING_EMAIL_TYPES = tuple(t for t in EMAIL_TYPES if t != "service")
LAWFUL_BASES = ("opt_in", "soft_opt_in")
UNLAWFUL_BASES = ("objected", "expired", "no_loyalty_consent", "not_informed", "prospect")
BASES = LAWFUL_BASES + UNLAWFUL_BASES
CHANNELS = ("web_form", "phone", "in_store", "partner", "other")
NOTICE_SHOWN = ("true", "false", "unknown")

# Kinds a column can have; each maps to a parse rule in analytics/sql/macros/00_parse.sql.
ID, TEXT, DATE, TIMESTAMP, BOOL, COUNT, AMOUNT, VOCAB = (
    "id",
    "text",
    "date",
    "timestamp",
    "bool",
    "count",
    "amount",
    "vocab",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool
    vocabulary: tuple[str, ...] = ()
    sql_type: str = "varchar"

    @property
    def expected(self) -> str:
        """What a valid value looks like, in the words of the error message."""
        return {
            ID: "a non-empty identifier",
            TEXT: "text",
            DATE: "a date such as 2026-03-15",
            TIMESTAMP: "a date or date-time such as 2026-03-15 or 2026-03-15T09:30:00",
            BOOL: "true or false (also 1/0, yes/no, oui/non)",
            COUNT: "a whole number, 0 or more",
            AMOUNT: "a number such as 49.90",
            VOCAB: "one of " + ", ".join(self.vocabulary),
        }[self.kind]


def _col(name: str, kind: str, required: bool = False, vocabulary: tuple[str, ...] = ()) -> Column:
    sql_type = {
        DATE: "date",
        TIMESTAMP: "timestamp",
        BOOL: "boolean",
        COUNT: "bigint",
        AMOUNT: "double",
    }.get(kind, "varchar")
    return Column(name, kind, required, vocabulary, sql_type)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] | None  # None: rows are deduplicated on all their columns
    description: str
    dedup_range: str | None = None  # key None: a date column equal rows share (bounds the comparison)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "contacts",
            (
                _col("contact_id", ID, True),
                _col("collection_source", ID, True),
                _col("consent", VOCAB, True, CONSENT),
                _col("collected_at", DATE, True),
                _col("informed", BOOL),
                _col("opted_out_at", DATE),
                _col("loyalty_consent", BOOL),
            ),
            key=("contact_id",),
            description="one row per person",
        ),
        Table(
            "orders",
            (
                _col("contact_id", ID, True),
                _col("order_date", DATE, True),
                _col("amount", AMOUNT),
                _col("category", TEXT),
            ),
            key=None,
            description="one row per purchase",
            dedup_range="order_date",
        ),
        Table(
            "campaigns",
            (
                _col("campaign_id", ID, True),
                _col("sent_at", TIMESTAMP, True),
                _col("name", TEXT),
                _col("email_type", VOCAB, False, EMAIL_TYPES),
            ),
            key=("campaign_id",),
            description="one row per campaign",
        ),
        Table(
            "events",
            (
                _col("campaign_id", ID, True),
                _col("contact_id", ID, True),
                _col("event_type", VOCAB, True, EVENT_TYPES),
                _col("occurred_at", TIMESTAMP, True),
                _col("is_machine_open", BOOL),
            ),
            key=None,
            description="one row per engagement event",
            dedup_range="occurred_at",
        ),
        Table(
            "sources",
            (
                _col("collection_source", ID, True),
                _col("channel", VOCAB, False, CHANNELS),
                _col("notice_shown", VOCAB, False, NOTICE_SHOWN),
                _col("evidence", TEXT),
                _col("reviewed_at", DATE),
            ),
            key=("collection_source",),
            description="the collection-source registry",
        ),
        Table(
            "oppositions",
            (
                _col("contact_id", ID, True),
                _col("opposed_at", DATE, True),
                _col("reason", TEXT),
            ),
            key=None,
            description="one row per opposition recorded apart from the contact (a do-not-contact list)",
            dedup_range="opposed_at",
        ),
        Table(
            "campaign_stats",
            (
                _col("campaign_id", ID, True),
                _col("sent_at", TIMESTAMP, True),
                _col("collection_source", ID, True),
                _col("basis", VOCAB, True, BASES),
                _col("delivered", COUNT, True),
                _col("openers", COUNT, True),
                _col("clickers", COUNT, True),
                _col("unsubscribers", COUNT, True),
                _col("complainers", COUNT, True),
                _col("sent", COUNT),
                _col("bounces", COUNT),
                _col("email_type", VOCAB, False, EMAIL_TYPES),
            ),
            key=None,
            description="aggregated per-campaign rows, per source and legal basis",
            dedup_range="sent_at",
        ),
    )
}

# The order in which a batch of files is loaded, so that references resolve the way a person expects.
LOAD_ORDER = ("sources", "contacts", "orders", "campaigns", "campaign_stats", "events", "oppositions")
