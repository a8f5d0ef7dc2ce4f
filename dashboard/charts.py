"""Pure chart builders: figure_<name>(frame, ...) -> plotly Figure. No Streamlit here.

Every text that comes from the data (source names, campaign names) goes through `safe` before it reaches
Plotly, which would otherwise render its tags (<a href>, <b>, <br>…) in labels and tooltips. The guidance bands
(bounds, labels, colours) and the thresholds' wording come from analytics/vocabulary.py, as in the HTML report.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

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


def _layout(figure: go.Figure, title: str, height: int = 420) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.2},
        font={"family": "sans-serif"},
    )
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
            annotation_text=band.label,
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
            customdata=[[ACTIONS[a].label] for a in frame["action"]],
            hovertemplate="%{x}<br>dissatisfaction %{y:.1%}<br>%{customdata[0]}<extra></extra>",
        )
    )
    top = max([STOP_BAND_TOP + 0.1, *(frame["dissatisfaction_rate"] + 0.05)])
    _dissatisfaction_bands(figure, settings, top)
    figure.update_yaxes(tickformat=".0%", range=[0, top], title="dissatisfaction rate")
    return _layout(figure, "Dissatisfaction rate per source (unsubscribes ÷ (clicks + unsubscribes))")


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
                name=ACTIONS[action].label,
                text=[safe(s) for s in group["collection_source"]],
                textposition="top center",
                marker={
                    "size": [12 + 38 * (d / largest) ** 0.5 for d in group["delivered"]],
                    "color": ACTION_COLOURS[action],
                    "line": {"width": 1, "color": "white"},
                },
                customdata=group[["delivered"]].to_numpy(),
                hovertemplate="%{text}<br>engagement %{x:.0%} of the brand<br>dissatisfaction %{y:.1%}"
                "<br>%{customdata[0]:,} delivered<extra></extra>",
            )
        )
    top = max([STOP_BAND_TOP + 0.1, *(frame["dissatisfaction_rate"] + 0.08)])
    right = max([1.5, *(frame["engagement"] + 0.2)])
    _dissatisfaction_bands(figure, settings, top)
    figure.add_vline(
        x=settings.engagement_tolerance,
        line_dash="dot",
        line_color="#5D6D7E",
        annotation_text=f"engagement tolerance {threshold(settings.engagement_tolerance)}",
        annotation_font={"size": 10},
    )
    figure.update_yaxes(tickformat=".0%", range=[0, top], title="dissatisfaction rate")
    figure.update_xaxes(
        tickformat=".0%", range=[0, right], title="engagement vs brand (lower of open, click)"
    )
    return _layout(figure, "Dissatisfaction against engagement (size: delivered)", height=460)


def figure_weekly_rate(weekly: pd.DataFrame, rate: str, settings: Settings) -> go.Figure:
    """Lines: one rate per ISO week for each source; the baseline dashed; the guidance bands drawn for the
    dissatisfaction rate and the complaint limits for the complaint rate.

    weekly: week_start, collection_source (None = baseline), <rate>.
    """
    figure = go.Figure()
    for source, group in weekly.groupby(weekly["collection_source"].fillna("\0baseline"), sort=True):
        is_baseline = source == "\0baseline"
        figure.add_trace(
            go.Scatter(
                x=group["week_start"],
                y=group[rate],
                mode="lines+markers",
                name="Baseline (brand)" if is_baseline else safe(source),
                line={"dash": "dash", "color": BASELINE_COLOUR, "width": 2} if is_baseline else {"width": 2},
                connectgaps=False,
                hovertemplate=f"%{{x|%G-W%V}}<br>{RATE_LABELS[rate].lower()} %{{y:.2%}}"
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
            annotation_text=f"warning {settings.complaint_warn:.2%}",
            annotation_font={"size": 10},
        )
        figure.add_hline(
            y=settings.complaint_stop,
            line_dash="dot",
            line_color="#B03A2E",
            annotation_text=f"stop {settings.complaint_stop:.2%}",
            annotation_font={"size": 10},
        )
    figure.update_yaxes(tickformat=".1%" if top > 0.02 else ".2%", range=[0, top], title=RATE_LABELS[rate])
    figure.update_xaxes(title="ISO week (Monday)", tickformat="%G-W%V")
    return _layout(figure, f"{RATE_LABELS[rate]} per week", height=380)


def figure_action_history(history: pd.DataFrame) -> go.Figure:
    """Heatmap: the recommended action of each source at the end of each week.

    history: week_end, collection_source, action.
    """
    order = list(ACTION_COLOURS)
    sources = sorted(history["collection_source"].unique())
    weeks = sorted(history["week_end"].unique())
    lookup = {(r.collection_source, r.week_end): r.action for r in history.itertuples()}
    z = [[order.index(lookup[(s, w)]) if (s, w) in lookup else None for w in weeks] for s in sources]
    text = [[ACTIONS[lookup[(s, w)]].label if (s, w) in lookup else "" for w in weeks] for s in sources]
    scale = []
    for i, action in enumerate(order):
        scale += [[i / len(order), ACTION_COLOURS[action]], [(i + 1) / len(order), ACTION_COLOURS[action]]]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[pd.Timestamp(w).strftime("%G-W%V") for w in weeks],
            y=[safe(s) for s in sources],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 10},
            colorscale=scale,
            zmin=0,
            zmax=len(order),
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y}, week %{x}: %{text}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, "Recommended action at the end of each week", height=120 + 36 * len(sources))
