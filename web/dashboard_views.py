"""The supervisors' dashboard: score trend per agent, pass rate per checklist item, FCR rate by
agent and by queue; charts (web/static/dashboard.js) over the same numbers as the tables."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, g, render_template, request, url_for
from markupsafe import escape

from callqa.queries import directory
from callqa.queries.agreement import AgreementFilters, agreement
from callqa.queries.arguments import Rejections
from callqa.queries.stats import (
    PERIODS,
    Dashboard,
    DashboardFilters,
    Group,
    ScoreTrend,
    build_dashboard,
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
from callqa.web.i18n import lazy_gettext, pick
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


def percent(rate: float | None) -> str:
    if rate is None:
        return "-"
    text = f"{rate * 100:.1f} %"
    return text.replace(".", ",") if g.get("lang") == "pl" else text


def correlation(value: float | None) -> str:
    """Pearson's r as the dashboard shows it: two decimals, signed."""
    if value is None:
        return "-"
    text = f"{value:+.2f}"
    return text.replace(".", ",") if g.get("lang") == "pl" else text


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
            "periods": [period_label(start, period) for start in dashboard.periods],
            "periodRanges": [[day.isoformat() for day in links.period_range(start)]
                             for start in dashboard.periods],
            "series": [_trend_series(trend, period, links) for trend in dashboard.score_trends],
        },
        "itemPass": _bars(_("Pass rate"), item_bars),
        "fcrAgent": _bars(_("FCR rate"), agent_bars),
        "fcrQueue": _bars(_("FCR rate"), queue_bars),
    }


def _trend_series(trend: ScoreTrend, period: str, links: CallLinks) -> dict[str, Any]:
    starts = sorted(trend.by_period)
    return {
        "name": str(escape(group_name(trend.group, "agent"))),
        "x": [period_label(start, period) for start in starts],
        "y": [round(trend.by_period[start].value or 0.0, 1) for start in starts],
        "calls": [trend.by_period[start].count for start in starts],
        "link": links.agent(trend.group),  # dashboard.js narrows it to the period clicked
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
