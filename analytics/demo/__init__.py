"""Deterministic demo data: *Maison Lumen*, a fictitious French beauty and home-fragrance brand.

Maison Lumen sells on its web shop, in its boutiques, by phone, in a mobile app, at trade shows and on a
marketplace; it also collects addresses through contests, partner co-registrations, the boutiques' guest
Wi-Fi and a newsletter form. Its emailing: a promotion every Sunday, an editorial newsletter every other
Wednesday, five loyalty-programme emails, a monthly welcome series and cart reminder, monthly order
confirmations (service) and, in November, an 11.11 flash sale and a "Black Friday early access" teaser
whose type was left empty in the export. The data covers 40 weeks of campaigns ending on `DEMO_AS_OF`
(Sunday 2026-11-22: the last weekly promotion goes out that morning; the export is taken that evening, so
nothing is dated later) and contacts collected over the 4.5 years before it. Opt-outs older than the
event history are in `contacts.opted_out_at`, as a CRM export would have them.

Each collection source is built so that the SPEC §8 recommendation for its soft-opt-in cohort, as of
`DEMO_AS_OF` with the default 4-week window and default settings, is a different action, with wide
margins (every campaign gets exact shares of openers, clickers and unsubscribers, so noise cannot flip
them):

==================  ====================  ==========================================================
source              designed action       how
==================  ====================  ==========================================================
web_checkout        ramp_up               dissatisfaction ~7 %, open/click ~1.2x the brand's
in_store            hold                  dissatisfaction ~30 %, open/click ~1.2x the brand's
call_center         editorial_only        dissatisfaction ~30 %, open rate ~0.55x the brand's;
                                          in the registry without evidence (oral channel)
partner_coreg       stop                  dissatisfaction ~60 %, complaints ~0.17 % (often a warning)
contest             reduce                dissatisfaction ~8 %, open/click ~0.5x the brand's
mobile_app          welcome_first         soft-opt-in clients exist, never mailed any marketing
trade_show          insufficient_data     60 soft-opt-in clients (whatever the scale): ~300
                                          delivered in the window; absent from the registry
                                          (its contacts carry informed=true)
wifi_hotspot        no_recent_sends       mailed until 10 weeks before DEMO_AS_OF, then stopped
marketplace         reintroduce_promos    only in campaign_stats: dissatisfaction ~55 % in the
                                          previous window (stop), ~8 % with brand-level rates now
newsletter_signup   no_cohort             prospects only (no orders)
==================  ====================  ==========================================================

Opt-in contacts of every source make about 40 % of the marketing sends. A third of the contacts are
dormant (they hardly ever click), so they expire three years after their last purchase: the eligibility
view has expired and expiring-soon contacts. Deliberate faults for the compliance and data-quality views:
newsletter prospects mailed by mistake (a June promotion and the teaser), a few objected, expired and
not-informed contacts in the teaser, two loyalty emails reaching contacts without loyalty consent, a
re-send campaign missing from campaigns.csv and events of contact ids that are not in contacts.csv.
The recommendations hold for ``scale >= 0.5``.

`generate` is a pure function of (seed, scale): one `random.Random(seed)`, fixed row order, gzip with
mtime 0 and no file name, so the files are byte-identical from run to run.

brand.py holds these numbers; people.py makes the contacts and their orders, campaigns.py the campaign calendar,
sending.py the events; files.py writes the CSV files. database.py keeps the demo brand in a database of its own,
which the dashboard shows while a brand's database is empty.
"""

from analytics.demo.brand import DEMO_AS_OF
from analytics.demo.files import generate

__all__ = ["DEMO_AS_OF", "generate"]
