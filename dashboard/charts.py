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
from plotly.subplots import make_subplots

from analytics import formats, i18n
from analytics.i18n import _
from analytics.policy import ACTIONS
from analytics.report.charts import axis_top, short
from analytics.report.palette import ACTION_COLOURS, BASELINE_COLOUR
from analytics.settings import Settings
from analytics.text import visible
from analytics.vocabulary import RATE_LABELS, dissatisfaction_bands, threshold


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


def _dissatisfaction_bands(
    figure: go.Figure,
    settings: Settings,
    top: float,
    vertical: bool = False,
    labelled: bool = True,
    **where: Any,
) -> None:
    """The guidance bands behind a dissatisfaction axis that ends at `top`, labelled as in the HTML report
    (`vertical`: the rate runs along x, the bands are columns). `where` (row=…, col=…) places them on subplots;
    `labelled` False leaves their names to another panel."""
    for band in dissatisfaction_bands(settings, top):
        look = {
            "fillcolor": band.colour,
            "line_width": 0,
            "layer": "below",
            **where,
        }
        if labelled:
            look |= {
                "annotation_text": _(band.label),
                "annotation_position": "bottom left" if vertical else "top left",
                "annotation_font": {"size": 10, "color": "#5D6D7E"},
            }
        if vertical:
            figure.add_vrect(x0=band.low, x1=band.high, **look)
        else:
            figure.add_hrect(y0=band.low, y1=band.high, **look)


THRESHOLD_COLOURS = {
    "ramp_up_below": "#1E8449",
    "stop_above": "#B03A2E",
}  # the ramp_up and stop actions' colours


def _threshold_texts(settings: Settings) -> dict[str, str]:
    """The two dissatisfaction thresholds as their lines are labelled: the rule and its value (vocabulary)."""
    return {
        "ramp_up_below": _("ramp up below {limit}").format(limit=threshold(settings.ramp_up_below)),
        "stop_above": _("stop above {limit}").format(limit=threshold(settings.stop_above)),
    }


def _dissatisfaction_thresholds(figure: go.Figure, settings: Settings) -> None:
    """The ramp-up and stop thresholds as dashed horizontal lines labelled with their values at the plot's right
    end."""
    for name, text in _threshold_texts(settings).items():
        figure.add_hline(
            y=getattr(settings, name),
            line_dash="dash",
            line_width=1.5,
            line_color=THRESHOLD_COLOURS[name],
            annotation_text=text,
            annotation_position="top right",
            annotation_font={"size": 11, "color": THRESHOLD_COLOURS[name]},
        )


NARROWEST_NAMED_BAND = (
    0.08  # a band narrower than this share of the axis is left unnamed: its name would overlap
)


def _bands_across(figure: go.Figure, settings: Settings, top: float) -> None:
    """On an axis where the rate runs along x: the bands as columns, named in a row above the plot (each name
    from its band's left edge, so names never sit on a bar), and the two thresholds as dashed lines labelled
    with their values in a second row above: the ramp-up label ending at its line, the stop label starting at
    its own, so the two never overlap."""
    _dissatisfaction_bands(figure, settings, top, vertical=True, labelled=False)
    for band in dissatisfaction_bands(settings, top):
        if (band.high - band.low) / top < NARROWEST_NAMED_BAND:
            continue
        figure.add_annotation(
            x=band.low,
            xref="x",
            y=1,
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            text=_(band.label),
            showarrow=False,
            font={"size": 10, "color": "#5D6D7E"},
        )
    for name, text in _threshold_texts(settings).items():
        figure.add_vline(
            x=getattr(settings, name), line_dash="dash", line_width=1.5, line_color=THRESHOLD_COLOURS[name]
        )
        figure.add_annotation(
            x=getattr(settings, name),
            xref="x",
            y=1,
            yref="paper",
            yshift=16,
            xanchor="right" if name == "ramp_up_below" else "left",
            yanchor="bottom",
            text=text,
            showarrow=False,
            font={"size": 11, "color": THRESHOLD_COLOURS[name]},
        )


def _legend_below(figure: go.Figure, rows: int) -> None:
    """The legend of the actions under the plot, clear of the x axis's title: pinned to the figure's bottom with
    a margin for `rows` rows of entries."""
    figure.update_layout(
        margin={"b": 60 + 22 * rows},
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "title": {"text": _("Action")},
        },
    )


def _action_legend_order(actions: pd.Series) -> list[str]:
    """The actions met, in the policy's order: one legend entry each."""
    met = set(actions)
    return [name for name in ACTIONS if name in met]


def figure_dissatisfaction_by_source(cohorts: pd.DataFrame, settings: Settings) -> go.Figure:
    """Horizontal bars, as in the HTML report: each cohort's dissatisfaction rate (its value written at the end
    of the bar) against the guidance bands and the two thresholds, coloured by its action with a legend of the
    actions met. Names on the y axis never overlap; the highest rate on top. The axis always shows the stop band
    whatever stop_above says (analytics.report.charts.axis_top).

    cohorts: collection_source, dissatisfaction_rate (fraction or None), action.
    """
    frame = cohorts.dropna(subset=["dissatisfaction_rate"])
    frame = frame.sort_values(["dissatisfaction_rate", "collection_source"], ascending=[True, False])
    figure = go.Figure()
    for action in _action_legend_order(frame["action"]):
        group = frame[frame["action"] == action]
        figure.add_trace(
            go.Bar(
                orientation="h",
                y=[safe(s) for s in group["collection_source"]],
                x=group["dissatisfaction_rate"],
                name=_(ACTIONS[action].label),
                marker_color=ACTION_COLOURS[action],
                text=[formats.percent(rate) for rate in group["dissatisfaction_rate"]],
                textposition="outside",
                cliponaxis=False,
                customdata=[[_(ACTIONS[action].label)]] * len(group),
                # Translators: a Plotly tooltip; keep the %{…} fields and the <br>, <extra> tags as they are.
                hovertemplate=_("%{y}<br>dissatisfaction %{x:.1%}<br>%{customdata[0]}<extra></extra>"),
            )
        )
    top = axis_top(list(frame["dissatisfaction_rate"]), settings)
    _bands_across(figure, settings, top)
    # bottom to top: the lowest rate first, so the highest reads on top
    names = [safe(s) for s in frame["collection_source"]]
    figure.update_yaxes(categoryorder="array", categoryarray=names, automargin=True, showgrid=False)
    figure.update_xaxes(tickformat=".0%", range=[0, top], title=_("dissatisfaction rate"))
    legend_rows = -(-len(figure.data) // 3)
    _layout(
        figure,
        _("Dissatisfaction rate per source (unsubscribes ÷ (clicks + unsubscribes))"),
        height=200 + 28 * len(frame) + 22 * legend_rows,
    )
    figure.update_layout(barmode="overlay", margin={"t": 90})
    _legend_below(figure, legend_rows)
    return figure


def figure_dissatisfaction_vs_engagement(cohorts: pd.DataFrame, settings: Settings) -> go.Figure:
    """Scatter: dissatisfaction against engagement (the lower of the open and click ratios to the brand),
    point size by delivered volume, the guidance zones and the thresholds behind. The names are in the tooltips
    only, never drawn: points close together would make their labels overlap; the legend names each action.

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
                mode="markers",
                name=_(ACTIONS[action].label),
                text=[safe(s) for s in group["collection_source"]],
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
    top = axis_top(list(frame["dissatisfaction_rate"]), settings)
    right = max([1.5, *(frame["engagement"] + 0.2)])
    _dissatisfaction_bands(figure, settings, top)
    _dissatisfaction_thresholds(figure, settings)
    figure.add_vline(
        x=settings.engagement_tolerance,
        line_dash="dot",
        line_color="#5D6D7E",
        annotation_text=_("engagement tolerance {limit}").format(
            limit=threshold(settings.engagement_tolerance)
        ),
        annotation_position="top left",
        annotation_font={"size": 10},
    )
    figure.update_yaxes(tickformat=".0%", range=[0, top], title=_("dissatisfaction rate"))
    figure.update_xaxes(
        tickformat=".0%", range=[0, right], title=_("engagement vs brand (lower of open, click)")
    )
    legend_rows = -(-len(figure.data) // 3)
    _layout(figure, _("Dissatisfaction against engagement (size: delivered)"), height=440 + 22 * legend_rows)
    _legend_below(figure, legend_rows)
    return figure


SOURCE_LINE_COLOUR = "#1F618D"  # every source's line: each panel holds one source, its title names it
PANEL_COLUMNS, PANEL_HEIGHT = 3, 170


def _panel_rows(count: int) -> int:
    return max(1, -(-count // PANEL_COLUMNS))


def figure_weekly_rate(weekly: pd.DataFrame, rate: str, settings: Settings) -> go.Figure:
    """Small multiples: one panel per source (in name order, three a row) with its rate per ISO week and the
    brand's baseline dashed behind, all panels on the same axes so they compare at a glance; the guidance bands
    drawn for the dissatisfaction rate (the axis always reaching the stop band) and the complaint limits for the
    complaint rate. The bands' and lines' names are written in the first panel only.

    weekly: week_start, collection_source (None = baseline), <rate>.
    """
    label = _(RATE_LABELS[rate])
    baseline = weekly[weekly["collection_source"].isna()]
    sources = sorted(weekly["collection_source"].dropna().unique())
    rows = _panel_rows(len(sources))
    figure = make_subplots(
        rows=rows,
        cols=PANEL_COLUMNS,
        shared_xaxes="all",
        shared_yaxes="all",
        subplot_titles=[safe(short(s)) for s in sources] or [""],
        horizontal_spacing=0.05,
        vertical_spacing=0.5 / max(rows * 2, 4),
    )
    tooltip = f"%{{x|{_week_format()}}}<br>{label.lower()} %{{y:.2%}}<extra>%{{fullData.name}}</extra>"
    panels = [(divmod(k, PANEL_COLUMNS), s) for k, s in enumerate(sources)] or [((0, 0), None)]
    for (row, col), source in panels:
        where = {"row": row + 1, "col": col + 1}
        figure.add_trace(
            go.Scatter(
                x=baseline["week_start"],
                y=baseline[rate],
                mode="lines",
                name=_("Baseline (brand)"),
                legendgroup="baseline",
                showlegend=(row, col) == (0, 0),
                line={"dash": "dash", "color": BASELINE_COLOUR, "width": 1.5},
                connectgaps=False,
                hovertemplate=tooltip,
            ),
            **where,
        )
        if source is None:
            continue
        group = weekly[weekly["collection_source"] == source]
        figure.add_trace(
            go.Scatter(
                x=group["week_start"],
                y=group[rate],
                mode="lines+markers",
                name=safe(source),
                showlegend=False,
                line={"color": SOURCE_LINE_COLOUR, "width": 2},
                marker={"size": 5},
                connectgaps=False,
                hovertemplate=tooltip,
            ),
            **where,
        )
    values = weekly[rate].dropna()
    top = float(values.max()) * 1.15 if len(values) else 0.1
    if rate == "dissatisfaction_rate":
        top = axis_top(list(values), settings)
        for k, ((row, col), _source) in enumerate(panels):
            _dissatisfaction_bands(figure, settings, top, labelled=k == 0, row=row + 1, col=col + 1)
    elif rate == "complaint_rate":
        top = max(top, settings.complaint_stop * 1.3)
        limits = (
            ("#D35400", settings.complaint_warn, _("warning {limit}")),
            ("#B03A2E", settings.complaint_stop, _("stop {limit}")),
        )
        for k, ((row, col), _source) in enumerate(panels):
            for colour, value, text in limits:
                named = {"annotation_text": text.format(limit=formats.percent(value, 2))} if k == 0 else {}
                figure.add_hline(
                    y=value,
                    line_dash="dot",
                    line_color=colour,
                    annotation_font={"size": 10},
                    row=row + 1,
                    col=col + 1,
                    **named,
                )
    figure.update_yaxes(tickformat=".1%" if top > 0.02 else ".2%", range=[0, top])
    figure.update_yaxes(title=label, col=1)
    figure.update_xaxes(tickformat=_week_format(), nticks=4)
    for col in range(min(len(panels), PANEL_COLUMNS)):  # the weeks under the lowest panel of each column
        lowest = (len(panels) - 1 - col) // PANEL_COLUMNS + 1
        figure.update_xaxes(showticklabels=True, title=_("ISO week (Monday)"), row=lowest, col=col + 1)
    _layout(figure, _("{rate} per week").format(rate=label), height=150 + PANEL_HEIGHT * rows)
    for title in figure.layout.annotations[: len(sources)]:  # the panels' titles: the sources' names
        title.font = {"size": 12}
    return figure.update_layout(
        margin={"t": 70, "b": 80},
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 1,
            "xanchor": "right",
        },
    )


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
