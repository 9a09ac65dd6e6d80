"""The supervisors' dashboard: score trend per agent, pass rate per checklist item, FCR rate by
agent and by queue; charts (web/static/dashboard.js) over the same numbers as the tables."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from babel.numbers import format_decimal
from flask import Blueprint, g, render_template, request, url_for
from markupsafe import escape

from callqa.queries import directory
from callqa.queries.agreement import AgreementFilters, agreement
from callqa.queries.arguments import FIRST_DAY, Rejections
from callqa.queries.stats import (
    PERIODS,
    Change,
    Dashboard,
    DashboardFilters,
    Group,
    ScoreTrend,
    build_dashboard,
    calls_change,
    last_scored_day,
    perception_gap,
    period_end,
    period_label,
    utc_today,
)
from callqa.services.score_store import rules_for
from callqa.web import db
from callqa.web.access import SUPERVISORS, roles_required, user_scope
from callqa.web.appctx import settings
from callqa.web.i18n import gettext as _
from callqa.web.i18n import lazy_gettext, local_date, ngettext, number, percent, pick
from callqa.web.listing import say_ignored
from callqa.web.vendor_views import plotly_maplibre_style_id, plotly_version

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@roles_required(*SUPERVISORS)
def index():
    rejected: Rejections = []
    filters = replace(DashboardFilters.from_args(request.args, utc_today(), rejected),
                      scope=user_scope())
    say_ignored(rejected)
    dashboard = build_dashboard(db(), filters)
    links, item_labels = CallLinks(filters), _item_labels()
    return render_template(
        "dashboard/index.html", dashboard=dashboard, links=links, choices=_filter_choices(),
        item_labels=item_labels, group_name=group_name, percent=percent,
        period_label=period_label, plotly_version=plotly_version(),
        plotly_style_id=plotly_maplibre_style_id(),
        tiles=tiles(dashboard, item_labels), previous_note=previous_note(dashboard),
        latest_range=latest_range(dashboard),
        chart_data=chart_data(dashboard, links, item_labels),
        agreement=agreement(db(), AgreementFilters(filters.date_from, filters.date_to,
                                                   filters.agent_id, filters.queue_id,
                                                   scope=filters.scope)),
        perception=perception_gap(db(), filters), correlation=correlation)


PERIOD_NAMES = {"day": lazy_gettext("Day"), "week": lazy_gettext("Week"),
                "month": lazy_gettext("Month")}


def _filter_choices() -> dict[str, Any]:
    return {
        "agents": directory.agents(db(), user_scope()),
        "queues": directory.queues(db()),
        "periods": [(period, str(PERIOD_NAMES[period])) for period in PERIODS],
    }


def _item_labels() -> dict[str, str]:
    """Checklist item names from the scorecard in use; items no longer in it show their id."""
    return {item.id: pick(dict(item.label)) for item in rules_for(settings()).scorecard.items}


def group_name(group: Group, kind: str) -> str:
    if group.id is None:
        return _("No agent") if kind == "agent" else _("No queue")
    return group.name or str(group.id)


def correlation(value: float | None) -> str:
    """Pearson's r as the dashboard shows it: two decimals, signed (+0.42 / +0,42)."""
    if value is None:
        return "-"
    return format_decimal(value, "+0.00;-0.00", locale=g.get("lang", "en"))


@dataclass(frozen=True)
class Tile:
    """One figure above the tables, beside the previous range's: `direction` is up, down,
    same (the change rounds to nothing) or none (a range without the figure)."""

    key: str  # calls, score, fcr, item-<id>
    name: str
    value: str
    change: Change
    change_text: str
    direction: str
    good: bool  # a rise is good news (more calls is neither)
    target: str | None = None
    on_target: bool | None = None


def tiles(dashboard: Dashboard, item_labels: dict[str, str]) -> list[Tile]:
    """Calls scored, mean score, FCR rate and each configured item's pass rate."""
    config = settings()
    current, previous = dashboard.current, dashboard.previous
    calls = calls_change(current, previous)
    score = Change(current.scores.value, previous.scores.value)
    fcr = Change(current.fcr.rate, previous.fcr.rate)
    shown = [
        Tile("calls", _("Calls scored"), _whole(current.scores.count), calls,
             *_change_text(calls, 0, _calls_text), good=False),
        _target(Tile("score", _("Mean score"), number(score.value),
                     score, *_change_text(score, 1, _points_text), good=True),
                config.target_score, number(config.target_score, _digits(config.target_score))),
        _target(Tile("fcr", _("FCR rate"), percent(fcr.value), fcr,
                     *_change_text(fcr, 1, _percentage_points_text, scale=100), good=True),
                config.target_fcr_rate / 100,
                percent(config.target_fcr_rate / 100, _digits(config.target_fcr_rate))),
    ]
    for item_id in _dashboard_items(config.dashboard_items, item_labels):
        rate = Change(current.item_rate(item_id).rate, previous.item_rate(item_id).rate)
        shown.append(Tile(f"item-{item_id}",
                          _("Pass rate: %(item)s", item=item_labels[item_id]),
                          percent(rate.value), rate,
                          *_change_text(rate, 1, _percentage_points_text, scale=100),
                          good=True))
    return shown


def _dashboard_items(configured: str, item_labels: dict[str, str]) -> list[str]:
    """The configured item ids the scorecard has, in the configured order, once each."""
    ids = [item.strip() for item in configured.split(",")]
    return list(dict.fromkeys(item for item in ids if item in item_labels))


def _target(tile: Tile, target: float, text: str) -> Tile:
    """A target of 0 is none."""
    if target <= 0:
        return tile
    on_target = None if tile.change.value is None else tile.change.value >= target
    return replace(tile, target=_("target %(value)s", value=text), on_target=on_target)


def _change_text(change: Change, digits: int, text: Callable[[str, float], str],
                 scale: float = 1.0) -> tuple[str, str]:
    """The change as the tile says it, and its direction; "no data" where either range has
    none, so nothing is divided by nothing."""
    if change.delta is None:
        return _("no data"), "none"
    delta = round(change.delta * scale, digits)
    direction = "up" if delta > 0 else "down" if delta < 0 else "same"
    return text(_signed(delta, digits), abs(delta)), direction


def _calls_text(signed: str, size: float) -> str:
    return ngettext("%(change)s call", "%(change)s calls", int(size), change=signed)


def _points_text(signed: str, _size: float) -> str:
    return _("%(change)s pts", change=signed)


def _percentage_points_text(signed: str, _size: float) -> str:
    return _("%(change)s pp", change=signed)


def _signed(value: float, digits: int) -> str:
    """+3.1, −2 (a minus sign), 0: in the UI language's format (Babel)."""
    decimals = "." + "0" * digits if digits else ""
    pattern = f"+#,##0{decimals};\u2212#,##0{decimals}" if value else f"#,##0{decimals}"
    return format_decimal(value, pattern, locale=g.get("lang", "en"))


def _whole(value: int) -> str:
    return format_decimal(value, "#,##0", locale=g.get("lang", "en"))


def _digits(value: float) -> int:
    """A target as it was set: 85, 82.5."""
    return 0 if float(value).is_integer() else 1


def previous_note(dashboard: Dashboard) -> str:
    previous = dashboard.previous
    days = (previous.date_to - previous.date_from).days + 1
    return ngettext("Changes against the day before: %(start)s.",
                    "Changes against the %(num)d days before: %(start)s to %(end)s.", days,
                    start=local_date(previous.date_from), end=local_date(previous.date_to))


def latest_range(dashboard: Dashboard) -> tuple[date, str] | None:
    """For a range without a scored call: the last day with one and the dashboard's link to
    as many days up to it (same filters and period); None when there is none at all."""
    if dashboard.all_agents.overall.count:
        return None
    filters = dashboard.filters
    latest = last_scored_day(db(), filters)
    if latest is None:
        return None
    start = max(latest - (filters.date_to - filters.date_from), FIRST_DAY)
    args = {"date_from": start.isoformat(), "date_to": latest.isoformat(),
            "agent_id": filters.agent_id, "queue_id": filters.queue_id,
            "period": filters.period}
    query = urlencode({k: v for k, v in args.items() if v is not None})
    return latest, f"{url_for('dashboard.index')}?{query}"


class CallLinks:
    """Links into the call list, filtered like the dashboard plus what a row or cell counts."""

    def __init__(self, filters: DashboardFilters) -> None:
        self.filters = filters
        self.calls = url_for("calls.index")  # once: a table may have thousands of links

    def url(self, date_from: date | None = None, date_to: date | None = None, /,
            **extra: object) -> str:
        args: dict[str, object] = {
            "date_from": (date_from or self.filters.date_from).isoformat(),
            "date_to": (date_to or self.filters.date_to).isoformat(),
            "agent_id": self.filters.agent_id, "queue_id": self.filters.queue_id, **extra}
        return f"{self.calls}?{urlencode({k: v for k, v in args.items() if v is not None})}"

    def period_range(self, start: date) -> tuple[date, date]:
        """The days of the period starting on `start` that are within the range."""
        end = min(period_end(start, self.filters.period), self.filters.date_to)
        return max(start, self.filters.date_from), end

    def all_calls(self, _group: Group, **extra: object) -> str:
        """Like `agent` and `queue`, for a row of all calls."""
        return self.url(**extra)

    def agent(self, group: Group, **extra: object) -> str | None:
        """Calls of this agent; None for calls without one (the list has no such filter)."""
        return None if group.id is None else self.url(agent_id=group.id, **extra)

    def queue(self, group: Group, **extra: object) -> str | None:
        return None if group.id is None else self.url(queue_id=group.id, **extra)

    def agent_period(self, group: Group, start: date) -> str | None:
        """Calls of this agent in the period starting on `start`."""
        if group.id is None:
            return None
        return self.url(*self.period_range(start), agent_id=group.id)

    def failed_item(self, item_id: str) -> str:
        return self.url(failed_item=item_id)

    def test_calls(self) -> str:
        """The test calls' own report: the list of them, in the dashboard's range."""
        return self.url(test_call=1)


def chart_data(dashboard: Dashboard, links: CallLinks,
               item_labels: dict[str, str]) -> dict[str, Any]:
    """What dashboard.js draws, with its texts in the UI language. Names are HTML-escaped:
    Plotly reads a little HTML in labels. A click on a point or bar opens its calls."""
    period = dashboard.filters.period
    item_bars = [Bar(item_labels.get(r.item_id, r.item_id), r.rate, r.passed + r.failed,
                     links.failed_item(r.item_id)) for r in dashboard.item_pass_rates]
    agent_bars = [Bar(group_name(r.group, "agent"), r.rate, r.fcr + r.not_fcr,
                      links.agent(r.group)) for r in dashboard.fcr_by_agent]
    queue_bars = [Bar(group_name(r.group, "queue"), r.rate, r.fcr + r.not_fcr,
                      links.queue(r.group)) for r in dashboard.fcr_by_queue]
    return {
        "separators": ", " if g.get("lang") == "pl" else ".,",
        "empty": _("No data for these filters."),
        "scoreTrend": {
            "title": _("Mean score"), "calls": _("Calls"),
            # the periods with a scored call: each series is a line over those it has
            "periods": [period_label(start, period) for start in dashboard.scored_periods],
            "periodRanges": [[day.isoformat() for day in links.period_range(start)]
                             for start in dashboard.scored_periods],
            "series": [_trend_series(trend, period, links.agent(trend.group))
                       for trend in dashboard.score_trends],
            "allAgents": _trend_series(dashboard.all_agents, period, links.url(),
                                       _("All agents")) if dashboard.score_trends else None,
            "target": _score_target(),
        },
        "itemPass": _bars(_("Pass rate"), item_bars),
        "fcrAgent": _bars(_("FCR rate"), agent_bars),
        "fcrQueue": _bars(_("FCR rate"), queue_bars),
    }


def _score_target() -> dict[str, Any] | None:
    """The target line of the score trend; none for a target of 0."""
    target = settings().target_score
    if target <= 0:
        return None
    return {"value": target,
            "label": _("target %(value)s", value=number(target, _digits(target)))}


def _trend_series(trend: ScoreTrend, period: str, link: str | None,
                  name: str | None = None) -> dict[str, Any]:
    starts = sorted(trend.by_period)
    return {
        "name": str(escape(name or group_name(trend.group, "agent"))),
        "x": [period_label(start, period) for start in starts],
        "y": [round(trend.by_period[start].value or 0.0, 1) for start in starts],
        "calls": [trend.by_period[start].count for start in starts],
        "link": link,  # dashboard.js narrows it to the period clicked
    }


@dataclass(frozen=True)
class Bar:
    name: str
    rate: float | None  # None: nothing decided, so no bar
    decided: int
    link: str | None


def _bars(title: str, bars: list[Bar]) -> dict[str, Any]:
    """Rates in percent."""
    shown = [bar for bar in bars if bar.rate is not None]
    return {
        "title": title, "decided": _("Decided"),
        "x": [str(escape(bar.name)) for bar in shown],
        "y": [round((bar.rate or 0.0) * 100, 1) for bar in shown],
        "decidedCounts": [bar.decided for bar in shown],
        "links": [bar.link for bar in shown],
    }
