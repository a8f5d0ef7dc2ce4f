"""How a file's columns become a canonical table: the recognised table, a built-in preset for an ESP or CRM
export, a preset the user saved, or constants the user sets — resolved into one `Mapping` that ingest applies
in SQL.

Recognition never chooses silently: of the presets whose signature the header holds, the one whose signature
claims more of the header wins (Mailchimp's unsubscribed file holds the subscribed file's columns and
UNSUB_TIME); presets that claim the same columns are told apart by the file's name where the platform names
its files (Mailchimp's subscribed and non-subscribed files have the same header); anything else is a tie the
user settles (`AmbiguousPreset`).
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from analytics import i18n
from analytics.errors import AmbiguousPreset, InvalidFile, MappingIncomplete, Problem, UserError
from analytics.i18n import N_, _, ngettext
from analytics.ingest import oppositions
from analytics.ingest.files import CsvFile
from analytics.ingest.platforms import BUILT_IN
from analytics.presets import DATE_ORDERS, Preset, check_saved
from analytics.store.sql import record_change
from analytics.store.transaction import transaction
from analytics.tables import AMOUNT, BOOL, COUNT, DATE, ID, TABLES, TEXT, TIMESTAMP, VOCAB, Column, Table
from analytics.text import clip, normalise

IDENTIFYING_COLUMNS = {"contact_id", "campaign_id"}


@dataclass(frozen=True)
class Mapping:
    """What ingest applies to one file: canonical field -> source column position or constant."""

    table: Table
    positions: MappingType[str, int]  # canonical field -> column index in the file
    constants: MappingType[str, str]
    values: MappingType[str, MappingType[str, str]]
    ignored: tuple[str, ...]  # header names not kept
    preset: str | None = None
    orders_from: int | None = None  # column index of a purchase date, for contacts files
    date_order: str | None = None
    conditional: MappingType[str, tuple[int, tuple[str, ...], int]] = field(default_factory=dict)
    event_branches: tuple[tuple[str, int, int | None], ...] = ()  # (event_type, timestamp index, flag index)
    # canonical field -> further columns taken, in order, where the first one is empty on a row
    fallbacks: MappingType[str, tuple[int, ...]] = field(default_factory=dict)
    aliases: MappingType[str, int] = field(default_factory=dict)  # platform -> column of its own person id
    contact_alias: str | None = None  # contact_id is this platform's id, resolved through stored aliases
    signals: tuple[oppositions.Signal, ...] = ()  # columns that record oppositions (checked on every row)
    rows_where: tuple[int, tuple[str, ...]] | None = None  # only rows whose column holds one of these values

    def __post_init__(self) -> None:
        # Ingest writes the date order into SQL: only one of DATE_ORDERS may ever get there.
        if self.date_order is not None and self.date_order not in DATE_ORDERS:
            raise UserError(
                _("Date order {order} is not one of {orders}.").format(
                    order=repr(self.date_order), orders=", ".join(DATE_ORDERS)
                )
            )

    @property
    def fields(self) -> tuple[str, ...]:
        """The canonical fields this file provides (from a column, a constant, a condition or event branches)."""
        branched = {"event_type", "occurred_at"} if self.event_branches else set()
        return tuple(
            c
            for c in self.table.column_names
            if c in self.positions or c in self.constants or c in self.conditional or c in branched
        )

    def columns_used(self) -> set[int]:
        used = set(self.positions.values()) | {i for more in self.fallbacks.values() for i in more}
        used |= {i for flag, _, value in self.conditional.values() for i in (flag, value)}
        used |= {i for _, stamp, flag in self.event_branches for i in (stamp, flag) if i is not None}
        used |= set(self.aliases.values())
        if self.rows_where is not None:
            used.add(self.rows_where[0])
        if self.orders_from is not None:
            used.add(self.orders_from)
        return used


def recognise(file: CsvFile) -> Table:
    """The canonical table whose required columns the header holds (the most specific one wins).

    A file with a contact_id or campaign_id column is never taken for a table without one: a contacts
    export missing its consent column is reported as such, not loaded as a source registry.
    """
    present = set(file.columns)
    identifiers = present & IDENTIFYING_COLUMNS
    candidates = [
        t for t in TABLES.values() if set(t.required) <= present and identifiers <= set(t.column_names)
    ]
    if candidates:
        return max(candidates, key=lambda t: len(t.required))
    compatible = [t for t in TABLES.values() if identifiers <= set(t.column_names)] or list(TABLES.values())
    closest = max(compatible, key=lambda t: (len(set(t.required) & present), -len(t.required)))
    missing = [c for c in closest.required if c not in present]
    expectations = "; ".join(f"{t.name}: {', '.join(t.required)}" for t in TABLES.values())
    raise InvalidFile(
        file.display_name,
        [
            Problem(
                None,
                _(
                    "{header} match no known table or export preset; closest is {table}, which also needs {missing}"
                ).format(header=_header_in_words(file), table=closest.name, missing=", ".join(missing)),
                _(
                    "rename the columns to the canonical names, pick a preset (--preset), or map the columns on the "
                    "Data page. Required columns per table — {expectations}"
                ).format(expectations=expectations),
            )
        ],
    )


def _header_in_words(file: CsvFile, most: int = 30) -> str:
    """The header as an error message shows it: each name cut to 60 characters, at most `most` names (a header
    that looks like data never gets here: files.py refuses it)."""
    names = [clip("".join(c if c.isprintable() else "�" for c in name)) for name in file.header[:most]]
    others = len(file.header) - most
    more = (
        ngettext(" and {count} more", " and {count} more", others).format(count=others) if others > 0 else ""
    )
    return _("its columns ({names}{more})").format(names=", ".join(names), more=more)


def candidate_presets(file: CsvFile, presets: list[Preset]) -> list[Preset]:
    """The presets the header (and the file's name) could be: one, none, or several — a tie."""
    present = set(file.columns)
    claimed = {p.name: c for p in presets if p.signature and (c := p.claims(present)) is not None}
    found = [p for p in presets if p.name in claimed]
    # A preset whose claim another one's strictly contains is the less specific reading of the same file.
    found = [p for p in found if not any(claimed[p.name] < claimed[q.name] for q in found)]
    if len(found) > 1:
        by_name = [p for p in found if p.named_like(file.display_name)]
        if by_name:
            found = by_name
    return found


def matching_preset(file: CsvFile, presets: list[Preset]) -> Preset | None:
    """The preset the header identifies, if any; several equally: AmbiguousPreset, never a silent choice."""
    found = candidate_presets(file, presets)
    if len(found) > 1:
        hint = ""
        if any(p.file_names for p in found):
            hint = _(
                "Their columns are the same; the platform tells them apart by the file's name, and this file's "
                "name does not say which it is."
            )
        raise AmbiguousPreset(file.display_name, [(p.name, p.title) for p in found], hint)
    return found[0] if found else None


def _duplicates(file: CsvFile, wanted: set[str]) -> list[str]:
    return sorted({c for c in file.columns if file.columns.count(c) > 1 and c in wanted})


def resolve(
    file: CsvFile,
    presets: list[Preset],
    *,
    table_name: str | None = None,
    preset_name: str | None = None,
    constants: MappingType[str, str] | None = None,
    date_order: str | None = None,
) -> Mapping:
    """The mapping for a file: a named preset, else the built-in or saved preset its header matches, else the
    canonical table its columns name; constants (--set) add or override fields."""
    constants = {k: v for k, v in (constants or {}).items() if v is not None and str(v).strip() != ""}
    if date_order is not None and date_order not in DATE_ORDERS:
        raise UserError(
            _("Date order {order} is not one of {orders}.").format(
                order=repr(date_order), orders=", ".join(DATE_ORDERS)
            )
        )
    preset = None
    if preset_name is not None:
        preset = next((p for p in presets if p.name == preset_name), None)
        if preset is None:
            raise UserError(
                _("No preset named {name}; the presets are: {presets}.").format(
                    name=repr(preset_name), presets=", ".join(p.name for p in presets)
                )
            )
    elif table_name is None or table_name in {p.table for p in presets}:
        usable = [p for p in presets if table_name is None or p.table == table_name]
        preset = matching_preset(file, usable)
    if preset is None:
        table = (
            TABLES[table_name] if table_name else (_table_for_constants(file, constants) or recognise(file))
        )
        preset = Preset(
            name="", title="", table=table.name, signature=(), columns={c: (c,) for c in table.column_names}
        )
        named = None
    else:
        table = TABLES[preset.table]
        named = preset.name
    unknown = sorted(set(constants) - set(table.column_names))
    if unknown:
        raise UserError(
            _("{names} is not a column of {table} ({columns}): check the --set names.").format(
                names=", ".join(unknown), table=table.name, columns=", ".join(table.column_names)
            )
        )

    def index(name: str | None) -> int | None:
        return file.columns.index(normalise(name)) if name and normalise(name) in file.columns else None

    positions: dict[str, int] = {}
    fallbacks: dict[str, tuple[int, ...]] = {}
    for canonical, candidates in preset.columns.items():
        found = list(dict.fromkeys(i for c in candidates if (i := index(c)) is not None))
        if found:
            positions[canonical] = found[0]
            # a person's id is one column for the whole file: two kinds of ids on different rows would split
            # one person in two
            if len(found) > 1 and canonical != "contact_id":
                fallbacks[canonical] = tuple(found[1:])
    merged_constants = {**preset.constants, **constants}
    for canonical in merged_constants:
        positions.pop(canonical, None)
        fallbacks.pop(canonical, None)
    conditional = {
        canonical: (index(flag), tuple(v.lower() for v in truthy), index(value))
        for canonical, (flag, truthy, value) in preset.when.items()
        if canonical not in merged_constants and index(flag) is not None and index(value) is not None
    }
    for canonical in conditional:
        positions.pop(canonical, None)
        fallbacks.pop(canonical, None)
    branches = tuple(
        (event_type, index(stamp), index(flag))
        for event_type, (stamp, flag) in preset.events.items()
        if index(stamp) is not None and (flag is None or index(flag) is not None)
    )
    if branches:
        for canonical in ("event_type", "occurred_at"):
            positions.pop(canonical, None)
            fallbacks.pop(canonical, None)
    aliases = {platform: i for platform, column in preset.aliases.items() if (i := index(column)) is not None}
    contact_alias = None
    if preset.contact_alias and "contact_id" not in positions and "contact_id" not in merged_constants:
        platform, column = preset.contact_alias
        if index(column) is not None:
            positions["contact_id"] = index(column)
            contact_alias = platform
    rows_where = None
    if preset.rows_where is not None:
        column, allowed = preset.rows_where
        found = [i for name in column.split("|") if (i := index(name)) is not None]
        if found:
            rows_where = (found[0], tuple(v.lower() for v in allowed))
    provided = set(positions) | set(merged_constants) | set(conditional)
    if branches:
        provided |= {"event_type", "occurred_at"}
    problems = []
    duplicated = _duplicates(file, {file.columns[i] for i in positions.values()})
    if duplicated:
        problems.append(
            Problem(
                None,
                _("column(s) appear twice: {columns}").format(columns=", ".join(duplicated)),
                _("keep one column of each name"),
            )
        )
    missing = [c for c in table.required if c not in provided]
    for canonical in missing:
        why = preset.needs.get(canonical)
        if why:
            problems.append(
                Problem(
                    canonical,
                    _("this export has no {field} ({why})").format(field=canonical, why=_(why)),
                    _(
                        "set it for the whole file (--set {field}=…, or on the Data page) or map a column onto it"
                    ).format(field=canonical),
                )
            )
        else:
            candidates = ", ".join(preset.columns.get(canonical, (canonical,)))
            problems.append(
                Problem(
                    None,
                    _("required column missing for {table}: {field} (looked for: {candidates})").format(
                        table=table.name, field=canonical, candidates=candidates
                    ),
                    _("add the column, map one onto {field}, or set a constant").format(field=canonical),
                )
            )
    if problems:
        needs = {c: preset.needs.get(c, "") for c in missing}
        found = {c: file.header[i] for c, i in positions.items()}
        raise MappingIncomplete(file.display_name, problems, table.name, named, needs, found)
    m = Mapping(
        table=table,
        positions=positions,
        constants=merged_constants,
        values={k: {str(a).strip().lower(): b for a, b in v.items()} for k, v in preset.values.items()},
        ignored=(),
        preset=named,
        orders_from=index(preset.orders_from),
        date_order=date_order or preset.date_order,
        conditional=conditional,
        event_branches=branches,
        fallbacks=fallbacks,
        aliases=aliases,
        contact_alias=contact_alias,
        signals=tuple(oppositions.signals(file, table.name)),
        rows_where=rows_where,
    )
    used = m.columns_used()
    ignored = tuple(h for i, h in enumerate(file.header) if i not in used)
    return replace(m, ignored=ignored)


def _table_for_constants(file: CsvFile, constants: MappingType[str, str]) -> Table | None:
    """With constants, a file may hold all required columns only once they are added (e.g. a contacts file
    without collection_source and --set collection_source=in_store)."""
    if not constants:
        return None
    present = set(file.columns) | set(constants)
    identifiers = set(file.columns) & IDENTIFYING_COLUMNS
    candidates = [
        t
        for t in TABLES.values()
        if set(t.required) <= present
        and identifiers <= set(t.column_names)
        and set(constants) <= set(t.column_names)
    ]
    return max(candidates, key=lambda t: len(t.required)) if candidates else None


# --- saved presets ------------------------------------------------------------------------------------------


def saved_presets(con: duckdb.DuckDBPyConnection) -> list[Preset]:
    """The mappings saved on the Data page; UserError naming one that is not valid (nothing is loaded with it)."""
    presets = []
    for name, spec in con.execute("select name, spec from presets order by name").fetchall():
        try:
            presets.append(check_saved(name, spec))
        except ValueError as error:
            raise UserError(
                _(
                    "The saved mapping {name} is not valid ({error}), so no file is loaded with it. Save a mapping "
                    "under the same name on the Data page to replace it."
                ).format(name=clip(repr(name)), error=error)
            ) from None
    return presets


def save_preset(con: duckdb.DuckDBPyConnection, preset: Preset) -> None:
    """Save (or replace) a user's mapping under its name; it is offered when the same header comes in."""
    if not preset.name.strip():
        raise UserError(_("Give the mapping a name to save it."))
    with transaction(con):
        con.execute("delete from presets where name = $name", {"name": preset.name})
        con.execute(
            "insert into presets values ($name, $spec, now()::timestamp)",
            {"name": preset.name, "spec": preset.as_json()},
        )
        record_change(con, "preset", f"mapping {preset.name!r} saved for {preset.table}")


def user_preset(
    name: str,
    header: list[str],
    table: str,
    columns: dict[str, str],
    constants: dict[str, str],
    values: dict[str, dict[str, str]],
    date_order: str | None,
    orders_from: str | None = None,
) -> Preset:
    """A preset from the choices made on the Data page for one file; its signature is the file's header."""
    return Preset(
        name=name.strip(),
        title=name.strip(),
        table=table,
        signature=tuple(normalise(h) for h in header),
        columns={k: (v,) for k, v in columns.items() if v},
        values=values,
        constants={k: v for k, v in constants.items() if v},
        orders_from=orders_from,
        date_order=date_order,
        source="saved on the Data page",
    )


def all_presets(con: duckdb.DuckDBPyConnection) -> list[Preset]:
    return [*BUILT_IN, *saved_presets(con)]


def by_name(con: duckdb.DuckDBPyConnection, name: str) -> Preset | None:
    return next((p for p in all_presets(con) if p.name == name), None)


def describe(mapping: Mapping, file: CsvFile) -> dict[str, Any]:
    """The mapping in words, for the preview: field -> 'column X' or 'constant Y'."""
    out = {}
    for canonical in mapping.fields:
        if canonical in mapping.constants:
            out[canonical] = _("constant {value}").format(value=repr(mapping.constants[canonical]))
        elif canonical in mapping.conditional:
            flag, truthy, value = mapping.conditional[canonical]
            out[canonical] = _("column {column} when {flag} is {values}").format(
                column=repr(file.header[value]), flag=repr(file.header[flag]), values=_(" or ").join(truthy)
            )
        elif canonical in mapping.positions:
            out[canonical] = _("column {column}").format(
                column=repr(file.header[mapping.positions[canonical]])
            )
            for more in mapping.fallbacks.get(canonical, ()):
                out[canonical] += _(", else {column}").format(column=repr(file.header[more]))
            if canonical == "contact_id" and mapping.contact_alias:
                out[canonical] += _(" (the person's {platform} id, resolved to the contact's id)").format(
                    platform=mapping.contact_alias
                )
        else:
            out[canonical] = _("one event per date column: ") + ", ".join(
                _("{event} at {column}").format(event=event, column=repr(file.header[stamp]))
                + (_(" when {flag}").format(flag=repr(file.header[flag])) if flag is not None else "")
                for event, stamp, flag in mapping.event_branches
            )
    return out


def source_columns(mapping: Mapping, file: CsvFile) -> dict[str, str]:
    """canonical field -> the header name of the column that feeds it (for a form that adjusts the mapping)."""
    return {canonical: file.header[i] for canonical, i in mapping.positions.items()}


# --- the mapping form in the reader's words ------------------------------------------------------------------

# Each canonical field as the mapping form names it (translated where shown: `field_label`).
FIELD_LABELS = {
    "contact_id": N_("Email address / identifier"),
    "collection_source": N_("Collection source"),
    "consent": N_("Consent"),
    "collected_at": N_("Collection date"),
    "informed": N_("Informed of the use of their address"),
    "opted_out_at": N_("Unsubscribe date"),
    "loyalty_consent": N_("Loyalty consent"),
    "order_date": N_("Order date"),
    "amount": N_("Amount"),
    "category": N_("Category"),
    "campaign_id": N_("Campaign identifier"),
    "sent_at": N_("Send date"),
    "name": N_("Campaign name"),
    "email_type": N_("Email type"),
    "event_type": N_("Event type"),
    "occurred_at": N_("Event date"),
    "is_machine_open": N_("Machine open (privacy protection)"),
    "channel": N_("Collection channel"),
    "notice_shown": N_("Notice shown at collection"),
    "evidence": N_("Evidence"),
    "reviewed_at": N_("Review date"),
    "opposed_at": N_("Opposition date"),
    "reason": N_("Reason"),
    "basis": N_("Legal basis"),
    "delivered": N_("Delivered"),
    "openers": N_("Openers"),
    "clickers": N_("Clickers"),
    "unsubscribers": N_("Unsubscribes"),
    "complainers": N_("Spam complaints"),
    "sent": N_("Sends"),
    "bounces": N_("Bounces"),
}

# The header names a file commonly gives each field, French exports included, compared as `normalise` writes
# them: what the mapping form suggests for a file no preset recognises. A suggestion only: nothing is loaded
# from it until the person applies the form.
USUAL_HEADERS = {
    "contact_id": (
        "Adresse e-mail",
        "Adresse email",
        "Adresse mail",
        "E-mail",
        "Email",
        "Mail",
        "Courriel",
        "Email address",
        "Identifiant",
        "Identifiant client",
        "Contact",
        "contact_id",
    ),
    "collection_source": (
        "Source de collecte",
        "Origine",
        "Source",
        "Provenance",
        "Canal d'inscription",
        "collection_source",
    ),
    "consent": ("Consentement", "Opt-in", "Optin", "Consentement e-mail", "Statut", "Consent", "consent"),
    "collected_at": (
        "Date de création",
        "Date d'inscription",
        "Date de collecte",
        "Date inscription",
        "Date création",
        "Created at",
        "Signup date",
        "collected_at",
    ),
    "informed": ("Informé", "Information", "informed"),
    "opted_out_at": (
        "Date de désinscription",
        "Date désinscription",
        "Date de désabonnement",
        "Unsubscribed at",
        "opted_out_at",
    ),
    "loyalty_consent": ("Consentement fidélité", "Fidélité", "loyalty_consent"),
    "order_date": ("Date de commande", "Date commande", "Date d'achat", "Order date", "order_date"),
    "amount": ("Montant", "Montant TTC", "Total", "Amount", "amount"),
    "category": ("Catégorie", "Rayon", "Category", "category"),
    "campaign_id": (
        "Identifiant campagne",
        "Identifiant de campagne",
        "ID campagne",
        "Campagne",
        "Campaign ID",
        "campaign_id",
    ),
    "sent_at": ("Date d'envoi", "Date envoi", "Envoyé le", "Sent at", "Send date", "sent_at"),
    "name": ("Nom de la campagne", "Nom campagne", "Nom", "Campaign name", "name"),
    "email_type": ("Type d'e-mail", "Type d'email", "Type de message", "Email type", "email_type"),
    "event_type": ("Type d'événement", "Type événement", "Événement", "Event", "Event type", "event_type"),
    "occurred_at": ("Date de l'événement", "Date événement", "Date", "Occurred at", "occurred_at"),
    "opposed_at": ("Date d'opposition", "Date de l'opposition", "opposed_at"),
    "reason": ("Motif", "Raison", "Reason", "reason"),
    "basis": ("Base légale", "Base juridique", "Basis", "basis"),
    "delivered": ("Délivrés", "Délivré", "Delivered", "delivered"),
    "openers": ("Ouvreurs", "Ouvertures uniques", "Openers", "openers"),
    "clickers": ("Cliqueurs", "Clics uniques", "Clickers", "clickers"),
    "unsubscribers": ("Désinscriptions", "Désinscrits", "Unsubscribes", "unsubscribers"),
    "complainers": ("Plaintes", "Plaintes pour spam", "Complaints", "complainers"),
    "sent": ("Envois", "Envoyés", "Sent", "sent"),
    "bounces": ("Rebonds", "Erreurs", "Bounces", "bounces"),
}


def field_label(name: str) -> str:
    """A canonical field as a person reads it: its label in a translation, its code name in English (the name
    the Guide, the canonical files and the CLI's --set use)."""
    if i18n.current() == i18n.SOURCE_LANGUAGE or name not in FIELD_LABELS:
        return name
    return _(FIELD_LABELS[name])


def suggested_columns(header: list[str], table: Table) -> dict[str, str]:
    """canonical field -> the header column that usually holds it (USUAL_HEADERS), for the fields of `table`;
    a column is suggested for one field at most, the field's more usual names first."""
    by_name = {}
    for name in header:
        by_name.setdefault(normalise(name), name)
    suggested: dict[str, str] = {}
    for column in table.columns:
        for usual in USUAL_HEADERS.get(column.name, ()):
            found = by_name.get(normalise(usual))
            if found is not None and found not in suggested.values():
                suggested[column.name] = found
                break
    return suggested


def suggested_table(header: list[str]) -> str:
    """The table whose required fields the usual headers cover best (contacts on a tie or with none)."""
    order = list(TABLES)

    def covered(name: str) -> tuple[int, int, int]:
        table = TABLES[name]
        found = suggested_columns(header, table)
        return (sum(1 for c in table.required if c in found), len(found), -order.index(name))

    return max(order, key=covered) if header else "contacts"


# A date as the file writes it, by its day/month order (None: an ISO date, the form the product advises).
_DATE_EXAMPLES = {None: "2026-03-15", "dmy": "15/03/2026", "mdy": "03/15/2026"}


def expected(column: Column, order: str | None = None) -> str:
    """What a valid value of a field looks like, in the current language (the English of Column.expected); a
    date in the file's own day/month order (`order`: 'dmy', 'mdy', or None for a file of ISO dates)."""
    day = _DATE_EXAMPLES.get(order, _DATE_EXAMPLES[None])
    if column.kind == DATE:
        return _("a date such as {day}").format(day=day)
    if column.kind == TIMESTAMP:
        return _("a date or date-time such as {day} or {moment}").format(
            day=day, moment=f"{day} 09:30" if order in ("dmy", "mdy") else f"{day}T09:30:00"
        )
    if column.kind == VOCAB:
        return _("one of {values}").format(values=", ".join(column.vocabulary))
    return _(
        {
            ID: N_("a non-empty identifier"),
            TEXT: N_("text"),
            BOOL: N_("true or false (also 1/0, yes/no, oui/non)"),
            COUNT: N_("a whole number, 0 or more"),
            AMOUNT: N_("a number such as 49.90"),
        }[column.kind]
    )
