"""Built-in presets for the exports marketers actually have.

Header strings and vocabularies come from the platforms' documentation and public code, gathered with a
fixture per preset under tests/fixtures/presets/ (each folder's SOURCE.md says where, and which definition of
each event the mapping relies on). contact_id is the email address everywhere (compared without case) so
contacts from one tool join events from another; SFMC is the exception: its events carry SubscriberKey, the CRM
id, which the contacts file must use too.

Events map by their meaning, the same on every platform (SPEC §4): `sent` is the platform's attempt to send
(SendGrid `processed`, SFMC Sent, Brevo `request`); `delivered` is the receiving server's acceptance (Mailjet
calls it `sent`); a message the platform refused or dropped before sending is a send that was not delivered —
where the platform's data records attempts (SendGrid, SFMC) the row is both a `sent` and a `bounce`
('sent+bounce'), elsewhere (Mailjet, Brevo marketing: no attempt events, so every message with an event is a
send) a `bounce`. An unsubscribe from any list or group is an `unsubscribe`; a spam report a `complaint`.
Values mapped to SKIP are not events the product counts (a deferral, a list change) and are left out.
"""

from __future__ import annotations

from analytics.i18n import N_
from analytics.presets import DEFAULT, SKIP, Preset

_MAILCHIMP_SIGNATURE = ("email_address", "member_rating", "leid", "euid")
_MAILCHIMP_NEEDS = {
    "collection_source": N_("Mailchimp does not record where an address was collected"),
}
_MAILCHIMP_COLUMNS = {
    "contact_id": ("Email Address",),
    # The first filled of the two on each row: OPTIN_TIME is empty for imported contacts; where both are filled
    # they are the same sign-up (opt-in, then its confirmation moments later).
    "collected_at": ("CONFIRM_TIME", "OPTIN_TIME"),
}
# The audience export's files: subscribed_, unsubscribed_, cleaned_ and nonsubscribed_ followed by
# email_audience_export_<id>.csv (members_export_<id>.csv on older exports). The subscribed and non-subscribed
# files have the same header: only the name tells them apart.
_MAILCHIMP_FILE = r"_(email_(audience|segment)_export|members_export|members)"
REFUSED = "sent+bounce"  # a message the platform refused before sending, where its data records attempts

BUILT_IN: list[Preset] = [
    Preset(
        name="mailchimp_subscribed",
        title="Mailchimp audience export — subscribed members",
        table="contacts",
        signature=_MAILCHIMP_SIGNATURE,
        columns=_MAILCHIMP_COLUMNS,
        constants={"consent": "opt_in"},
        needs=_MAILCHIMP_NEEDS,
        file_names=(rf"^subscribed{_MAILCHIMP_FILE}",),
        source="tests/fixtures/presets/mailchimp_subscribed/SOURCE.md",
    ),
    Preset(
        name="mailchimp_nonsubscribed",
        title="Mailchimp audience export — non-subscribed contacts (customers who never opted in)",
        table="contacts",
        signature=_MAILCHIMP_SIGNATURE,
        columns=_MAILCHIMP_COLUMNS,
        constants={"consent": "none"},
        needs=_MAILCHIMP_NEEDS,
        file_names=(rf"^nonsubscribed{_MAILCHIMP_FILE}", r"^non_subscribed"),
        source="tests/fixtures/presets/mailchimp_nonsubscribed/SOURCE.md",
    ),
    Preset(
        name="mailchimp_unsubscribed",
        title="Mailchimp audience export — unsubscribed members",
        table="contacts",
        signature=(*_MAILCHIMP_SIGNATURE, "unsub_time"),
        file_names=(rf"^unsubscribed{_MAILCHIMP_FILE}",),
        columns={**_MAILCHIMP_COLUMNS, "opted_out_at": ("UNSUB_TIME",)},
        constants={"consent": "opt_in"},  # they subscribed, then objected: UNSUB_TIME is the opposition date
        needs=_MAILCHIMP_NEEDS,
        source="tests/fixtures/presets/mailchimp_unsubscribed/SOURCE.md",
    ),
    Preset(
        name="mailchimp_cleaned",
        title="Mailchimp audience export — cleaned (bounced) members",
        table="contacts",
        signature=(*_MAILCHIMP_SIGNATURE, "clean_time"),
        file_names=(rf"^cleaned{_MAILCHIMP_FILE}",),
        columns=_MAILCHIMP_COLUMNS,
        constants={"consent": "opt_in"},
        needs=_MAILCHIMP_NEEDS,
        source="tests/fixtures/presets/mailchimp_cleaned/SOURCE.md",
    ),
    Preset(
        name="klaviyo_profiles",
        title="Klaviyo profile export",
        table="contacts",
        signature=("email", "klaviyo_id", "email_marketing_consent"),
        columns={
            "contact_id": ("Email",),
            "collection_source": ("Source", "Initial Source"),
            "consent": ("Email Marketing Consent",),
            "collected_at": ("Profile Created On", "Date Added", "First Active"),
        },
        values={
            "consent": {
                "SUBSCRIBED": "opt_in",
                "NEVER_SUBSCRIBED": "none",
                "UNSUBSCRIBED": "none",
                DEFAULT: "none",
            }
        },
        when={
            "opted_out_at": (
                "Email Marketing Consent",
                ("unsubscribed",),
                "Email Marketing Consent Timestamp",
            )
        },
        source="tests/fixtures/presets/klaviyo_profiles/SOURCE.md",
    ),
    Preset(
        name="klaviyo_campaigns",
        title="Klaviyo campaign 'Export Analytics' report (one row per campaign × list)",
        table="campaign_stats",
        signature=(
            "campaign_name",
            "send_time",
            "total_recipients",
            "successful_deliveries",
            "spam_complaints",
            "campaign_id",
        ),
        columns={
            "campaign_id": ("Campaign ID",),
            "sent_at": ("Send Time",),
            "collection_source": ("List",),
            "sent": ("Total Recipients",),
            "delivered": ("Successful Deliveries",),
            "openers": ("Unique Opens",),
            "clickers": ("Unique Clicks",),
            "unsubscribers": ("Unsubscribes",),
            "complainers": ("Spam Complaints",),
            "bounces": ("Bounces",),
        },
        needs={
            "basis": N_("a campaign report does not say under which legal basis its recipients were mailed")
        },
        source="tests/fixtures/presets/klaviyo_campaigns/SOURCE.md",
    ),
    Preset(
        name="brevo_contacts",
        title="Brevo (Sendinblue) contact export",
        table="contacts",
        signature=("email", "email_blacklisted", "added_time"),
        columns={
            "contact_id": ("EMAIL",),
            "collection_source": ("SOURCE_COLLECTE", "SOURCE", "COLLECTION_SOURCE"),
            "consent": ("DOUBLE_OPT-IN", "DOUBLE_OPT_IN"),
            "collected_at": ("ADDED_TIME",),
        },
        values={
            "consent": {"yes": "opt_in", "oui": "opt_in", "true": "opt_in", "1": "opt_in", DEFAULT: "none"}
        },
        # A blocklisted address has objected; Brevo gives no date, so the last modification is the best bound.
        when={"opted_out_at": ("EMAIL_BLACKLISTED", ("yes", "oui", "true", "1"), "MODIFIED_TIME")},
        needs={"collection_source": N_("Brevo has no standard collection-source attribute")},
        date_order="dmy",
        source="tests/fixtures/presets/brevo_contacts/SOURCE.md",
    ),
    Preset(
        name="brevo_events",
        title="Brevo (Sendinblue) marketing event export",
        table="events",
        signature=("camp_id", "email", "event", "date_event"),
        columns={
            "campaign_id": ("camp_id",),
            "contact_id": ("email",),
            "event_type": ("event",),
            "occurred_at": ("ts_event", "date_event"),
            "is_machine_open": ("event",),
        },
        values={
            "event_type": {
                "delivered": "delivered",
                "opened": "open",
                "open": "open",
                "unique_opened": "open",
                "proxy_open": "open",
                "unique_proxy_open": "open",
                "click": "click",
                "clicks": "click",
                "unsubscribe": "unsubscribe",
                "unsubscribed": "unsubscribe",
                "spam": "complaint",
                "complaint": "complaint",
                "hard_bounce": "bounce",
                "soft_bounce": "bounce",
                "hardbounce": "bounce",
                "softbounce": "bounce",
                "blocked": "bounce",
                "invalid_email": "bounce",
                "error": "bounce",
                "invalid": "bounce",
                "sent": "sent",
                "request": "sent",
                "deferred": SKIP,
                "list_addition": SKIP,
                "contact_updated": SKIP,
                "contact_deleted": SKIP,
            },
            "is_machine_open": {"proxy_open": "true", "unique_proxy_open": "true", DEFAULT: "false"},
        },
        source="tests/fixtures/presets/brevo_events/SOURCE.md",
    ),
    Preset(
        name="sendgrid_events",
        title="SendGrid event / Email Activity export",
        table="events",
        signature=("email", "timestamp", "event", "sg_event_id", "sg_message_id"),
        columns={
            "campaign_id": ("singlesend_id", "marketing_campaign_id", "category"),
            "contact_id": ("email",),
            "event_type": ("event",),
            "occurred_at": ("timestamp",),
            "is_machine_open": ("sg_machine_open",),
        },
        values={
            "event_type": {
                "processed": "sent",
                "delivered": "delivered",
                "open": "open",
                "click": "click",
                "unsubscribe": "unsubscribe",
                "group_unsubscribe": "unsubscribe",
                "spamreport": "complaint",
                "bounce": "bounce",
                "blocked": "bounce",
                # dropped before sending, and SendGrid records no `processed` for it: a send not delivered
                "dropped": REFUSED,
                "drop": REFUSED,
                "deferred": SKIP,
                "group_resubscribe": SKIP,
            }
        },
        source="tests/fixtures/presets/sendgrid_events/SOURCE.md",
    ),
    Preset(
        name="sendgrid_activity",
        title="SendGrid Email Activity 'Export CSV' (one row per event)",
        table="events",
        signature=("processed", "message_id", "event", "api_key_id", "email"),
        columns={
            # Marketing campaigns fill marketing_campaign_id; API mail carries its categories or its template.
            "campaign_id": ("marketing_campaign_id", "categories", "template_id"),
            "contact_id": ("email",),
            "event_type": ("event",),
            "occurred_at": ("processed",),  # the time of the row's event, UTC (2026-07-08 15:00:34.000)
        },
        values={
            "event_type": {
                "processed": "sent",
                "delivered": "delivered",
                "open": "open",
                "opened": "open",
                "click": "click",
                "clicked": "click",
                "unsubscribe": "unsubscribe",
                "group_unsubscribe": "unsubscribe",
                "spamreport": "complaint",
                "spam_report": "complaint",
                "bounce": "bounce",
                "bounced": "bounce",
                "blocked": "bounce",
                "drop": REFUSED,
                "dropped": REFUSED,
                "deferred": SKIP,
                "group_resubscribe": SKIP,
            }
        },
        source="tests/fixtures/presets/sendgrid_activity/SOURCE.md",
    ),
    Preset(
        name="mailjet_events",
        title="Mailjet event export",
        table="events",
        signature=("event", "time", "email", "mj_campaign_id"),
        columns={
            "campaign_id": ("mj_campaign_id", "customcampaign"),
            "contact_id": ("email",),
            "event_type": ("event",),
            "occurred_at": ("time",),
        },
        values={
            "event_type": {
                # Mailjet's `sent`: "the destination SMTP server has accepted the message" — a delivery. Its data
                # has no attempt event, so every message with an event is a send (SPEC §7).
                "sent": "delivered",
                "open": "open",
                "click": "click",
                "bounce": "bounce",
                "blocked": "bounce",  # never left Mailjet: a send not delivered
                "spam": "complaint",
                "unsub": "unsubscribe",
            }
        },
        source="tests/fixtures/presets/mailjet_events/SOURCE.md",
    ),
    Preset(
        name="sfmc_tracking",
        title="Salesforce Marketing Cloud tracking extract (Sent, Opens, Clicks, Unsubs, Bounces, Complaints)",
        table="events",
        signature=("clientid", "sendid", "subscriberkey", "eventdate", "eventtype"),
        columns={
            "campaign_id": ("SendID",),
            "contact_id": ("SubscriberKey", "EmailAddress"),
            "event_type": ("EventType",),
            "occurred_at": ("EventDate",),
        },
        values={
            "event_type": {
                "sent": "sent",
                "open": "open",
                "click": "click",
                "unsubscribe": "unsubscribe",
                "unsub": "unsubscribe",
                "bounce": "bounce",
                "complaint": "complaint",
                "spam": "complaint",
                # NotSent.csv: held back before sending (suppressed, held, excluded): a send not delivered
                "not sent": REFUSED,
                "notsent": REFUSED,
            }
        },
        date_order="mdy",
        source="tests/fixtures/presets/sfmc_*/SOURCE.md",
    ),
    Preset(
        name="mautic_contacts",
        title="Mautic contact export",
        table="contacts",
        signature=("id", "firstname", "lastname", "email", "points"),
        columns={"contact_id": ("email",)},
        aliases={"mautic": "id"},  # the lead id, which the do-not-contact list names people by
        needs={
            "collection_source": N_("Mautic's contact export has no collection source"),
            "consent": N_("Mautic's contact export has no consent status"),
            "collected_at": N_("Mautic's contact export has no creation date"),
        },
        source="tests/fixtures/presets/mautic_contacts/SOURCE.md",
    ),
    Preset(
        name="mautic_email_stats",
        title="Mautic email statistics export (sent, read, failed)",
        table="events",
        signature=("email_id", "lead_id", "email_address", "date_sent", "is_read"),
        columns={"campaign_id": ("email_id",), "contact_id": ("email_address",)},
        aliases={"mautic": "lead_id"},
        events={
            "sent": ("date_sent", None),
            "open": ("date_read", "is_read"),
            "bounce": ("date_sent", "is_failed"),
        },
        source="tests/fixtures/presets/mautic_email_stats/SOURCE.md",
    ),
    Preset(
        name="mautic_donotcontact",
        title="Mautic do-not-contact list (table lead_donotcontact, or the 'Do Not Contact' report)",
        table="oppositions",
        signature=(
            "lead_id|email|contact_email",
            "date_added|dnc_date",
            "reason|dnc_reason",
            "channel|dnc_channel",
        ),
        columns={
            "contact_id": ("email", "contact_email"),
            "opposed_at": ("date_added", "dnc_date"),  # the latest change of the entry (UTC): an upper bound
            "reason": ("reason", "dnc_reason"),
        },
        # the table names people by their Mautic lead id only: resolved through the contact export's id column
        contact_alias=("mautic", "lead_id"),
        values={
            "reason": {
                # DoNotContact::UNSUBSCRIBED (1, also spam complaints) and MANUAL (3) are oppositions; BOUNCED (2)
                # and IS_CONTACTABLE (0) are not.
                "1": "unsubscribed",
                "3": "manual",
                "unsubscribed": "unsubscribed",
                "dnc unsubscribed": "unsubscribed",
                "manual": "manual",
                "manually unsubscribed": "manual",
                "dnc manually unsubscribed": "manual",
                "2": SKIP,
                "0": SKIP,
                "bounced": SKIP,
                "dnc bounced": SKIP,
                "contactable": SKIP,
            }
        },
        rows_where=("channel|dnc_channel", ("email",)),  # an SMS or push opt-out is not an email opposition
        source="tests/fixtures/presets/mautic_donotcontact/SOURCE.md",
    ),
    Preset(
        name="generic_campaign_report",
        title="Per-campaign report, one row per campaign × segment (English or French labels)",
        table="campaign_stats",
        signature=(
            "campaign|campagne",
            "date|date_d_envoi|date_envoi",
            "segment",
            "delivered|delivres",
            "unsubscribes|desabonnements|desinscriptions|desabonnes",
        ),
        columns={
            "campaign_id": ("campaign", "campaign_id", "campaign_name", "Campagne", "Nom de la campagne"),
            "sent_at": ("date", "sent_at", "send_date", "Date d'envoi", "Date envoi"),
            "collection_source": ("segment", "source", "collection_source", "Source de collecte"),
            "sent": ("sent", "Envoyés", "Envois"),
            "delivered": ("delivered", "Délivrés"),
            "openers": ("unique_opens", "opens", "openers", "Ouvreurs uniques", "Ouvreurs"),
            "clickers": ("unique_clicks", "clicks", "clickers", "Cliqueurs uniques", "Cliqueurs"),
            "unsubscribers": (
                "unsubscribes",
                "unsubscribers",
                "Désabonnements",
                "Désinscriptions",
                "Désabonnés",
            ),
            "complainers": ("complaints", "complainers", "spam_complaints", "Plaintes", "Plaintes spam"),
            "bounces": ("bounces", "Rebonds", "Bounces"),
            "email_type": ("email_type", "Type d'email"),
            "basis": ("basis", "Base légale"),
        },
        needs={
            "basis": N_("a campaign report does not say under which legal basis its recipients were mailed")
        },
        source="tests/fixtures/presets/generic_campaign_report/SOURCE.md",
    ),
]
