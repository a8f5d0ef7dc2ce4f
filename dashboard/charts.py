"""Pure chart builders: figure_<name>(frame, ...) -> plotly Figure. No Streamlit here.

Every text that comes from the data (source names, campaign names) goes through `safe` before it reaches
Plotly, which would otherwise render its tags (<a href>, <b>, <br>…) in labels and tooltips. The guidance bands
(bounds, labels, colours) and the thresholds' wording come from analytics/vocabulary.py, as in the HTML report.

Titles, axes, legends and annotations are in the reader's language (analytics.i18n); in French the figure's
`separators` write decimal commas and narrow no-break spaces between thousands, and `plotly_config()` gives
Plotly the French month and day names, which Streamlit's bundled plotly.js lacks: every st.plotly_chart passes it.
"""

from __future__ import annotations

import functools
import html
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from babel.dates import get_day_names, get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol

from analytics import formats, i18n
from analytics.i18n import _
from analytics.policy import ACTIONS
from analytics.report.palette import ACTION_COLOURS, BASELINE_COLOUR
from analytics.settings import Settings
from analytics.text import visible
from analytics.vocabulary import RATE_LABELS, STOP_BAND_TOP, dissatisfaction_bands, threshold


def safe(text: object) -> str:
    """Data text as Plotly should show it, never interpreted as markup: only &, < and > escaped (&amp; &lt;
    &gt;), which Plotly reads back as characters after it has looked for tags, so a name written as a link shows
    as its text; never &quot; or &#x27;, which Plotly does not read back (it would show them). Control characters
    as visible escapes (\\x1b)."""
    return html.escape(visible("" if text is None else str(text)), quote=False)


# Plotly's own texts (mode bar, hints) in French, keyed as the plotly.js that Streamlit bundles (3.x) names them,
# most worded as plotly.js's French locale (dist/plotly-locale-fr.js); Plotly shows the English of a key left out.
_PLOTLY_FRENCH_TEXTS = {
    "Autoscale": "Échelle automatique",
    "Box Select": "Sélection rectangulaire",
    "Compare data on hover": "Comparaison entre données en survol",
    "Double-click on legend to isolate one trace": "Double-cliquer sur la légende pour isoler une série",
    "Double-click to zoom back out": "Double-cliquer pour dézoomer",
    "Download plot": "Télécharger le graphique",
    "Download plot as a PNG": "Télécharger le graphique en fichier PNG",
    "Download plot as a png": "Télécharger le graphique en fichier PNG",  # the key before plotly.js 3
    "Lasso Select": "Sélection lasso",
    "Pan": "Translation",
    "Produced with Plotly": "Généré par Plotly",
    "Reset": "Réinitialiser",
    "Reset axes": "Réinitialiser les axes",
    "Reset view": "Réinitialiser la vue",
    "Show closest data on hover": "Afficher la donnée la plus proche en survol",
    "Snapshot succeeded": "Capture réussie",
    "Taking snapshot - this may take a few seconds": "Capture en cours, cela peut prendre quelques secondes",
    "Toggle Spike Lines": "Activer/désactiver les lignes de repère",
    "Toggle show closest data on hover": "Activer/désactiver la donnée la plus proche en survol",
    "Zoom": "Zoom",
    "Zoom in": "Zoom avant",
    "Zoom out": "Zoom arrière",
}


@functools.cache
def _plotly_locale(language: str) -> dict[str, Any]:
    """A plotly.js locale (its `dictionary` of texts and its d3 `format`: separators, month and day names,
    date forms) built from Babel's data for the language, so a chart names months as the pages' dates do
    (`22 nov. 2026`). plotly.js wants Sunday first in its day lists."""
    locale = i18n.LOCALES[language]
    months, short_months = (
        get_month_names("wide", locale=locale),
        get_month_names("abbreviated", locale=locale),
    )
    days, short_days = get_day_names("wide", locale=locale), get_day_names("abbreviated", locale=locale)
    sunday_first = (6, 0, 1, 2, 3, 4, 5)  # Babel numbers the days from Monday (0)
    return {
        "dictionary": dict(_PLOTLY_FRENCH_TEXTS) if language == "fr" else {},
        "format": {
            "days": [days[d] for d in sunday_first],
            "shortDays": [short_days[d] for d in sunday_first],
            "months": [months[m] for m in range(1, 13)],
            "shortMonths": [short_months[m] for m in range(1, 13)],
            "periods": ["AM", "PM"],
            "dateTime": "%A %e %B %Y, %X",
            "date": "%d/%m/%Y",
            "time": "%H:%M:%S",
            "decimal": get_decimal_symbol(locale=locale),
            "thousands": get_group_symbol(locale=locale),
            "grouping": [3],
            "currency": ["", "\u00a0€"],
            "year": "%Y",
            "month": "%b %Y",
            "dayMonth": "%-d %b",
            "dayMonthYear": "%-d %b %Y",
        },
    }


def plotly_config() -> dict[str, Any] | None:
    """The `config` of every st.plotly_chart, for the current language: in French the French locale, passed
    with the chart (Streamlit's plotly.js registers none but English); in English None, Streamlit's default."""
    language = i18n.current()
    if language == "en":
        return None
    return {"locale": language, "locales": {language: _plotly_locale(language)}}


def _separators() -> str | None:
    """The figure's decimal and thousands separators in the current language (French: `,` and U+202F); None in
    English, which keeps Plotly's default."""
    if i18n.current() == "en":
        return None
    return get_decimal_symbol(locale=i18n.locale()) + get_group_symbol(locale=i18n.locale())


def _week_format() -> str:
    """A week on a time axis or in a tooltip (d3 time format), as analytics.formats.week writes it: 2026-W47 / S47."""
    return "%G-W%V" if i18n.current() == "en" else "S%V"


def _layout(figure: go.Figure, title: str, height: int = 420) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.2},
        font={"family": "sans-serif"},
    )
    if (separators := _separators()) is not None:  # English figures keep Plotly's default
        figure.update_layout(separators=separators)
    figure.update_yaxes(gridcolor="#E5E8EB", zeroline=False)
    figure.update_xaxes(gridcolor="#E5E8EB", zeroline=False)
    return figure


def _dissatisfaction_bands(figure: go.Figure, settings: Settings, top: float) -> None:
    """The guidance bands behind a dissatisfaction axis that ends at `top`, labelled as in the HTML report."""
    for band in dissatisfaction_bands(settings, top):
        figure.add_hrect(
            y0=band.low,
            y1=band.high,
            fillcolor=band.colour,
            line_width=0,
            layer="below",
            annotation_text=_(band.label),
            annotation_position="top left",
            annotation_font={"size": 10, "color": "#5D6D7E"},
        )


def figure_dissatisfaction_by_source(cohorts: pd.DataFrame, settings: Settings) -> go.Figure:
    """Bars: each cohort's dissatisfaction rate against the guidance bands, coloured by its action.

    cohorts: collection_source, dissatisfaction_rate (fraction or None), action.
    """
    frame = cohorts.dropna(subset=["dissatisfaction_rate"])
    figure = go.Figure(
        go.Bar(
            x=[safe(s) for s in frame["collection_source"]],
            y=frame["dissatisfaction_rate"],
            marker_color=[ACTION_COLOURS[a] for a in frame["action"]],
            customdata=[[_(ACTIONS[a].label)] for a in frame["action"]],
            # Translators: a Plotly tooltip; keep the %{…} fields and the <br>, <extra> tags as they are.
            hovertemplate=_("%{x}<br>dissatisfaction %{y:.1%}<br>%{customdata[0]}<extra></extra>"),
        )
    )
    top = max([STOP_BAND_TOP + 0.1, *(frame["dissatisfaction_rate"] + 0.05)])
    _dissatisfaction_bands(figure, settings, top)
    figure.update_yaxes(tickformat=".0%", range=[0, top], title=_("dissatisfaction rate"))
    return _layout(figure, _("Dissatisfaction rate per source (unsubscribes ÷ (clicks + unsubscribes))"))


def figure_dissatisfaction_vs_engagement(cohorts: pd.DataFrame, settings: Settings) -> go.Figure:
    """Scatter: dissatisfaction against engagement (the lower of the open and click ratios to the brand),
    point size by delivered volume, the guidance zones behind.

    cohorts: collection_source, dissatisfaction_rate, open_ratio, click_ratio, delivered, action.
    """
    frame = cohorts.dropna(subset=["dissatisfaction_rate"]).copy()
    frame["engagement"] = frame[["open_ratio", "click_ratio"]].min(axis=1, skipna=True)
    frame = frame.dropna(subset=["engagement"])
    figure = go.Figure()
    largest = max(frame["delivered"].max(), 1) if len(frame) else 1
    for action, group in frame.groupby("action", sort=False):
        figure.add_trace(
            go.Scatter(
                x=group["engagement"],
                y=group["dissatisfaction_rate"],
                mode="markers+text",
                name=_(ACTIONS[action].label),
                text=[safe(s) for s in group["collection_source"]],
                textposition="top center",
                marker={
                    "size": [12 + 38 * (d / largest) ** 0.5 for d in group["delivered"]],
                    "color": ACTION_COLOURS[action],
                    "line": {"width": 1, "color": "white"},
                },
                customdata=group[["delivered"]].to_numpy(),
                # Translators: a Plotly tooltip; keep the %{…} fields and the <br>, <extra> tags as they are.
                hovertemplate=_(
                    "%{text}<br>engagement %{x:.0%} of the brand<br>dissatisfaction %{y:.1%}"
                    "<br>%{customdata[0]:,} delivered<extra></extra>"
                ),
            )
        )
    top = max([STOP_BAND_TOP + 0.1, *(frame["dissatisfaction_rate"] + 0.08)])
    right = max([1.5, *(frame["engagement"] + 0.2)])
    _dissatisfaction_bands(figure, settings, top)
    figure.add_vline(
        x=settings.engagement_tolerance,
        line_dash="dot",
        line_color="#5D6D7E",
        annotation_text=_("engagement tolerance {limit}").format(
            limit=threshold(settings.engagement_tolerance)
        ),
        annotation_font={"size": 10},
    )
    figure.update_yaxes(tickformat=".0%", range=[0, top], title=_("dissatisfaction rate"))
    figure.update_xaxes(
        tickformat=".0%", range=[0, right], title=_("engagement vs brand (lower of open, click)")
    )
    return _layout(figure, _("Dissatisfaction against engagement (size: delivered)"), height=460)


def figure_weekly_rate(weekly: pd.DataFrame, rate: str, settings: Settings) -> go.Figure:
    """Lines: one rate per ISO week for each source; the baseline dashed; the guidance bands drawn for the
    dissatisfaction rate and the complaint limits for the complaint rate.

    weekly: week_start, collection_source (None = baseline), <rate>.
    """
    figure = go.Figure()
    label = _(RATE_LABELS[rate])
    for source, group in weekly.groupby(weekly["collection_source"].fillna("\0baseline"), sort=True):
        is_baseline = source == "\0baseline"
        figure.add_trace(
            go.Scatter(
                x=group["week_start"],
                y=group[rate],
                mode="lines+markers",
                name=_("Baseline (brand)") if is_baseline else safe(source),
                line={"dash": "dash", "color": BASELINE_COLOUR, "width": 2} if is_baseline else {"width": 2},
                connectgaps=False,
                hovertemplate=f"%{{x|{_week_format()}}}<br>{label.lower()} %{{y:.2%}}"
                "<extra>%{fullData.name}</extra>",
            )
        )
    values = weekly[rate].dropna()
    top = float(values.max()) * 1.15 if len(values) else 0.1
    if rate == "dissatisfaction_rate":
        top = max(top, STOP_BAND_TOP + 0.1)
        _dissatisfaction_bands(figure, settings, top)
    elif rate == "complaint_rate":
        top = max(top, settings.complaint_stop * 1.3)
        figure.add_hline(
            y=settings.complaint_warn,
            line_dash="dot",
            line_color="#D35400",
            annotation_text=_("warning {limit}").format(limit=formats.percent(settings.complaint_warn, 2)),
            annotation_font={"size": 10},
        )
        figure.add_hline(
            y=settings.complaint_stop,
            line_dash="dot",
            line_color="#B03A2E",
            annotation_text=_("stop {limit}").format(limit=formats.percent(settings.complaint_stop, 2)),
            annotation_font={"size": 10},
        )
    figure.update_yaxes(tickformat=".1%" if top > 0.02 else ".2%", range=[0, top], title=label)
    figure.update_xaxes(title=_("ISO week (Monday)"), tickformat=_week_format())
    return _layout(figure, _("{rate} per week").format(rate=label), height=380)


def figure_action_history(history: pd.DataFrame) -> go.Figure:
    """Heatmap: the recommended action of each source at the end of each week, as the HTML report draws it:
    one colour per action, named in a legend of the actions met (the cells are too narrow for a label in
    every language; the tooltip names each cell).

    history: week_end, collection_source, action.
    """
    order = list(ACTION_COLOURS)
    sources = sorted(history["collection_source"].unique())
    weeks = sorted(history["week_end"].unique())
    lookup = {(r.collection_source, r.week_end): r.action for r in history.itertuples()}
    z = [[order.index(lookup[(s, w)]) if (s, w) in lookup else None for w in weeks] for s in sources]
    text = [[_(ACTIONS[lookup[(s, w)]].label) if (s, w) in lookup else "" for w in weeks] for s in sources]
    scale = []
    for i, action in enumerate(order):
        scale += [[i / len(order), ACTION_COLOURS[action]], [(i + 1) / len(order), ACTION_COLOURS[action]]]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[formats.week(pd.Timestamp(w).date()) for w in weeks],
            y=[safe(s) for s in sources],
            text=text,
            colorscale=scale,
            zmin=0,
            zmax=len(order),
            showscale=False,
            xgap=2,
            ygap=2,
            # Translators: a Plotly tooltip; keep the %{…} fields and the <extra> tags as they are.
            hovertemplate=_("%{y}, week %{x}: %{text}<extra></extra>"),
        )
    )
    met = set(lookup.values())
    for action in (name for name in ACTIONS if name in met):  # the legend, in the policy's order
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 12, "color": ACTION_COLOURS[action]},
                name=_(ACTIONS[action].label),
                hoverinfo="skip",
            )
        )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(showgrid=False)
    figure.update_yaxes(showgrid=False)
    _layout(figure, _("Recommended action at the end of each week"), height=170 + 36 * len(sources))
    return figure.update_layout(legend={"orientation": "h", "y": -0.08, "yanchor": "top"})
