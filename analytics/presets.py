"""Built-in presets for the exports marketers actually have.

Header strings and vocabularies come from the platforms' documentation and public code, gathered with a
fixture per preset under tests/fixtures/presets/ (each folder's SOURCE.md says where). contact_id is the
email address everywhere (compared without case) so contacts from one tool join events from another; SFMC
is the exception: its events carry SubscriberKey, the CRM id, which the contacts file must use too.
Values mapped to SKIP are not events the product counts (a deferral, a list change) and are left out.
"""

from __future__ import annotations

from analytics.ingest import SKIP
from analytics.mapping import DEFAULT, Preset

_MAILCHIMP_SIGNATURE = ("email_address", "member_rating", "leid", "euid")
_MAILCHIMP_NEEDS = {
    "collection_source": "Mailchimp does not record where an address was collected",
}
_MAILCHIMP_COLUMNS = {
    "contact_id": ("Email Address",),
    # CONFIRM_TIME first: it is filled on every row, while OPTIN_TIME is empty for imported contacts, and a
    # preset picks one column for the whole file (the first present), not one per row. Where both are filled
    # they are the same sign-up (opt-in, then its confirmation moments later).
    "collected_at": ("CONFIRM_TIME", "OPTIN_TIME"),
}

BUILT_IN: list[Preset] = [
    Preset(
        name="mailchimp_subscribed",
        title="Mailchimp audience export — subscribed members",
        table="contacts",
        signature=(*_MAILCHIMP_SIGNATURE, "last_changed"),
        columns=_MAILCHIMP_COLUMNS,
        constants={"consent": "opt_in"},
        needs=_MAILCHIMP_NEEDS,
        source="tests/fixtures/presets/mailchimp_subscribed/SOURCE.md",
    ),
    Preset(
        name="mailchimp_unsubscribed",
        title="Mailchimp audience export — unsubscribed members",
        table="contacts",
        signature=(*_MAILCHIMP_SIGNATURE, "unsub_time"),
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
        needs={"basis": "a campaign report does not say under which legal basis its recipients were mailed"},
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
        needs={"collection_source": "Brevo has no standard collection-source attribute"},
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
                "dropped": "bounce",
                "blocked": "bounce",
                "deferred": SKIP,
                "group_resubscribe": SKIP,
            }
        },
        source="tests/fixtures/presets/sendgrid_events/SOURCE.md",
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
                "sent": "sent",
                "open": "open",
                "click": "click",
                "bounce": "bounce",
                "blocked": "bounce",
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
        needs={
            "collection_source": "Mautic's contact export has no collection source",
            "consent": "Mautic's contact export has no consent status",
            "collected_at": "Mautic's contact export has no creation date",
        },
        source="tests/fixtures/presets/mautic_contacts/SOURCE.md",
    ),
    Preset(
        name="mautic_email_stats",
        title="Mautic email statistics export (sent, read, failed)",
        table="events",
        signature=("email_id", "lead_id", "email_address", "date_sent", "is_read"),
        columns={"campaign_id": ("email_id",), "contact_id": ("email_address",)},
        events={
            "sent": ("date_sent", None),
            "open": ("date_read", "is_read"),
            "bounce": ("date_sent", "is_failed"),
        },
        source="tests/fixtures/presets/mautic_email_stats/SOURCE.md",
    ),
    Preset(
        name="generic_campaign_report",
        title="Per-campaign report, one row per campaign × segment",
        table="campaign_stats",
        signature=("campaign", "date", "segment", "delivered", "unsubscribes"),
        columns={
            "campaign_id": ("campaign", "campaign_id", "campaign_name"),
            "sent_at": ("date", "sent_at", "send_date"),
            "collection_source": ("segment", "source", "collection_source"),
            "sent": ("sent",),
            "delivered": ("delivered",),
            "openers": ("unique_opens", "opens", "openers"),
            "clickers": ("unique_clicks", "clicks", "clickers"),
            "unsubscribers": ("unsubscribes", "unsubscribers"),
            "complainers": ("complaints", "complainers", "spam_complaints"),
            "bounces": ("bounces",),
            "email_type": ("email_type",),
            "basis": ("basis",),
        },
        needs={"basis": "a campaign report does not say under which legal basis its recipients were mailed"},
        source="tests/fixtures/presets/generic_campaign_report/SOURCE.md",
    ),
]
