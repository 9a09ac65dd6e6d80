// Dashboard: draws the charts from the numbers in #dashboard-data, which the tables below the
// charts show too; a click on a point or a bar opens its calls in the call list.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.Plotly) { return; }  // without the charts the tables still tell all
  var data = JSON.parse(source.textContent);
  var config = {displayModeBar: false, responsive: true};

  function layout(extra) {
    return Object.assign({
      separators: data.separators,
      height: 320,
      margin: {t: 10, r: 10, b: 80, l: 50},
      paper_bgcolor: "#fff",
      plot_bgcolor: "#fff",
      font: {family: "system-ui, sans-serif", size: 13},
      hovermode: "closest"
    }, extra);
  }

  function draw(id, traces, extraLayout, linkOf) {
    var element = document.getElementById(id);
    if (!element) { return; }
    if (!traces.length) {
      element.textContent = data.empty;
      element.classList.add("empty");
      return;
    }
    Plotly.newPlot(element, traces, layout(extraLayout), config).then(function () {
      element.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        var link = point && linkOf(point);
        if (link) { window.location.assign(link); }
      });
    });
  }

  // A line per agent, and a bolder one for all agents, over the periods with a scored call
  // (the axis has no empty period: a line goes on across the periods its agent has none),
  // with the target as a dashed line across the chart.
  function scoreTrend(chart) {
    var series = chart.allAgents ? chart.series.concat([chart.allAgents]) : chart.series;
    var traces = series.map(function (one, index) {
      var all = chart.allAgents && index === series.length - 1;
      return {
        type: "scatter", mode: "lines+markers", name: one.name, connectgaps: true,
        x: one.x, y: one.y, customdata: one.calls,
        line: all ? {width: 4, color: "#222"} : {width: 2},
        marker: {size: all ? 9 : 7},
        hovertemplate: "%{x}<br>" + chart.title + ": %{y:.1f}<br>" +
          chart.calls + ": %{customdata}<extra>%{fullData.name}</extra>"
      };
    });
    var target = chart.target;
    draw("chart-score-trend", traces, {
      xaxis: {type: "category", categoryorder: "array", categoryarray: chart.periods,
              range: [-0.5, chart.periods.length - 0.5], automargin: true},
      yaxis: {title: {text: chart.title}, range: [0, 105], fixedrange: true},
      legend: {orientation: "h", y: -0.25},
      shapes: target ? [{type: "line", xref: "paper", x0: 0, x1: 1, y0: target.value,
                         y1: target.value, line: {color: "#b3261e", width: 2, dash: "dash"}}] : [],
      annotations: target ? [{xref: "paper", x: 1, xanchor: "right", y: target.value,
                              yanchor: "bottom", text: target.label, showarrow: false,
                              font: {color: "#b3261e"}}] : []
    }, function (point) { return periodLink(chart, series, point); });
  }

  // The calls of the clicked point's agent in its period (its days within the range).
  function periodLink(chart, series, point) {
    var link = series[point.curveNumber].link;
    var range = chart.periodRanges[chart.periods.indexOf(point.x)];
    if (!link || !range) { return null; }
    var url = new URL(link, window.location.href);
    url.searchParams.set("date_from", range[0]);
    url.searchParams.set("date_to", range[1]);
    return url.pathname + url.search;
  }

  function rates(id, chart) {
    var traces = chart.x.length ? [{
      type: "bar", x: chart.x, y: chart.y, customdata: chart.decidedCounts,
      marker: {color: "#1f5fbf"},
      hovertemplate: "%{x}<br>" + chart.title + ": %{y:.1f} %<br>" + chart.decided +
        ": %{customdata}<extra></extra>"
    }] : [];
    draw(id, traces, {
      xaxis: {type: "category", automargin: true},
      yaxis: {title: {text: chart.title}, range: [0, 105], ticksuffix: "%", fixedrange: true}
    }, function (point) { return chart.links[point.pointIndex]; });
  }

  scoreTrend(data.scoreTrend);
  rates("chart-item-pass", data.itemPass);
  rates("chart-fcr-agent", data.fcrAgent);
  rates("chart-fcr-queue", data.fcrQueue);
}());
