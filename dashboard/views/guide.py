"""Guide: the rules in plain words, and how every figure on the screens is computed.

Every threshold, basis and label is written by analytics/vocabulary.py, so the Guide reads as the
recommendations' reasons, the charts and the HTML report do (a stop threshold of 0.425 is 42.5% everywhere).
Each section is one text to translate, its figures named placeholders.
"""

import streamlit as st

from analytics import formats, i18n
from analytics.i18n import _
from analytics.vocabulary import (
    BASIS_ORDER,
    NO_DATA,
    NO_DATA_MARK,
    basis_help,
    basis_label,
    guidance_stop_band,
    threshold,
    weeks,
    years,
)
from dashboard import sidebar

settings = sidebar.settings()
stop, ramp_up = threshold(settings.stop_above), threshold(settings.ramp_up_below)
tolerance = threshold(settings.engagement_tolerance)
complaint_stop, complaint_warn = threshold(settings.complaint_stop), threshold(settings.complaint_warn)
retention = years(settings.retention_years)
# A count setting as the reader writes it (French: 1 000); English keeps the digits as they always read.
count = formats.number if i18n.current() == "fr" else str
bases = "\n".join(
    (
        _("{rank}. **{basis}** — {meaning};")
        if rank < len(BASIS_ORDER)
        else _("{rank}. **{basis}** — {meaning}.")
    ).format(
        rank=rank,
        basis=_(basis_label(basis)).lower(),
        meaning=basis_help(basis, settings.retention_years),
    )
    for rank, basis in enumerate(BASIS_ORDER, start=1)
)

st.title(_("Guide"))
who = _("""### Who may receive marketing emails

- **Service emails** — order confirmation, shipping, after-sale review request, unsubscribe confirmation — need
  no consent. **Everything else is marketing**: promotions, newsletters (even 100% editorial), cart reminders
  (no contract exists yet), welcome series, loyalty-programme emails.
- **Prospects** (no purchase — including people who only created an account) may receive marketing only with an
  explicit **opt-in**.
- **Clients without opt-in** may receive marketing for similar products of the same brand (the *soft opt-in*
  exception) only if they bought, were **informed at collection** that their address would be used for
  marketing with an easy way to object, and **have not objected** since (unsubscribe or spam complaint).
- **Loyalty-programme emails** need their own consent; joining the programme is not a purchase.
- **Retention:** data may be kept and used at most **{retention} after the person's last
  purchase or click** in an email. An open does not count (it may be automatic). Past that, nobody may be
  mailed, whatever their consent: delete or anonymise the data.
- **Proof:** for each collection source, keep how people were informed (form screenshot, phone script, in-store
  poster) — the Compliance page's registry.
- Mailbox providers ask bulk senders to keep **spam complaints below 0.1%** of delivered emails and never reach
  0.3%.""").format(retention=retention)
legal_bases = _("""### The legal basis of each send (first rule that matches)

{bases}

Only *opt-in* and *soft opt-in* are lawful; the others are shown on the Compliance page.""").format(
    bases=bases
)
complaints_added = _(" (complainers added to both)") if settings.dissatisfaction_includes_complaints else ""
baseline = (
    _("the opt-in sends")
    if settings.baseline == "opt_in"
    else _("all lawful marketing sends (opt-in and soft opt-in)")
)
figures = _("""### How the figures are computed

The report is made **as of the report date**: anything dated later is ignored. The **window** spans
{window}, ending on the report date. A **send** is one email to one person in one campaign;
each figure counts people per send, so five clicks in one email make one clicker.

| figure | how |
|---|---|
| delivered | sends with a *delivered* event (when the data has none: sends without a bounce) |
| open rate | people with a human open ÷ delivered (machine / privacy-protection opens excluded) |
| click rate | people who clicked ÷ delivered (a click on the unsubscribe link is an unsubscribe) |
| unsubscribe rate | people who unsubscribed ÷ delivered |
| complaint rate | people who complained ÷ delivered |
| dissatisfaction rate | unsubscribers ÷ (clickers + unsubscribers){complaints_added} |
| open / click vs brand | the cohort's rate ÷ the baseline's |

A rate with nothing to divide by shows "{no_data_mark}" ({no_data}), never 0. The **cohort** of a source is its soft-opt-in
sends; the **baseline** is {baseline} of the window.""").format(
    window=weeks(settings.window_weeks),
    complaints_added=complaints_added,
    no_data_mark=NO_DATA_MARK,
    no_data=_(NO_DATA),
    baseline=baseline,
)
recommendations = _("""### What the recommendations mean (first rule that matches)

| action | when |
|---|---|
| Welcome first / No cohort | no soft-opt-in marketing email was ever sent to the source: start with a welcome series (2–3 emails with a visible unsubscribe link), then editorial newsletters, then promotions — or there is nobody to mail |
| No recent sends | mailed before, but not in this window |
| Insufficient data | fewer than {min_delivered} delivered or {min_reactions} reactions (clickers + unsubscribers), or no dissatisfaction rate |
| Stop | dissatisfaction above {stop} (the guidance band is {guidance_band}), or complaints at {complaint_stop} or more |
| Editorial only | dissatisfaction from {ramp_up} to {stop} and open or click rate below {tolerance} of the brand's: send only 100% editorial newsletters until the rates recover |
| Hold | dissatisfaction from {ramp_up} to {stop}, engagement in line: look at content and segmentation |
| Ramp up | dissatisfaction below {ramp_up}, open and click rates at least {tolerance} of the brand's and complaints below {complaint_warn}: the brand may send more, monitoring as it goes |
| Reintroduce promos | as ramp up, when the previous window's action was stop or editorial only |
| Reduce | dissatisfaction below {ramp_up} but engagement low or complaints at {complaint_warn} or more |

Each recommendation lists the figures and thresholds that decided it; a complaint rate of
{complaint_warn} or more adds a warning to any action.""").format(
    min_delivered=count(settings.min_delivered),
    min_reactions=count(settings.min_reactions),
    stop=stop,
    guidance_band=guidance_stop_band(),
    complaint_stop=complaint_stop,
    ramp_up=ramp_up,
    tolerance=tolerance,
    complaint_warn=complaint_warn,
)
weekly_review = _("""### The weekly review

The **week** is Monday to Sunday (default: the last complete week of the data). Its rates are those of that
week alone, from the data known at its end; **vs last week** compares with the week before as it was known
then, **vs trailing** with the trailing period ({window}) before the reviewed one. Changes are in
percentage points (▲ up, ▼ down). The action of each week uses the window ({window}) ending on its last
day, so a past week's review never changes when later data arrives.

A source **needs attention** when it should stop, go editorial only or reduce, or has a complaint warning.
The **decision log** only grows: to correct an entry, add a new one that names it; the old one stays, marked
as corrected. Each entry is sealed with a hash of the one before, so a change made to the database file outside
the product is reported.""").format(window=weeks(settings.window_weeks))
st.markdown("\n" + "\n\n".join((who, legal_bases, figures, recommendations, weekly_review)) + "\n")
