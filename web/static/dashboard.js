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

  function scoreTrend(chart) {
    var traces = chart.series.map(function (series) {
      return {
        type: "scatter", mode: "lines+markers", name: series.name,
        x: series.x, y: series.y, customdata: series.calls,
        hovertemplate: "%{x}<br>" + chart.title + ": %{y:.1f}<br>" +
          chart.calls + ": %{customdata}<extra>%{fullData.name}</extra>"
      };
    });
    draw("chart-score-trend", traces, {
      // periods as categories, as in the table: every period of the range has its place
      xaxis: {type: "category", categoryorder: "array", categoryarray: chart.periods,
              range: [-0.5, chart.periods.length - 0.5], automargin: true},
      yaxis: {title: {text: chart.title}, range: [0, 105], fixedrange: true},
      legend: {orientation: "h", y: -0.25}
    }, function (point) { return periodLink(chart, point); });
  }

  // The calls of the clicked point's agent in its period (its days within the range).
  function periodLink(chart, point) {
    var link = chart.series[point.curveNumber].link;
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
      yaxis: {title: {text: chart.title}, range: [0, 105], ticksuffix: " %", fixedrange: true}
    }, function (point) { return chart.links[point.pointIndex]; });
  }

  scoreTrend(data.scoreTrend);
  rates("chart-item-pass", data.itemPass);
  rates("chart-fcr-agent", data.fcrAgent);
  rates("chart-fcr-queue", data.fcrQueue);
}());
