// Draws the consumption charts from the JSON the server embedded (no inline script: CSP).
// Monthly and daily charts come as plotly figures; the load curve as a compact series
// (t0 = epoch ms of the first local end time, dt = minutes between points, w = watts),
// expanded here; ``previous`` (optional) is last year's curve in the same form. Without
// JavaScript the data tables carry the same figures.
(function () {
  "use strict";
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    locale: "fr",
    modeBarButtonsToRemove: ["select2d", "lasso2d"],
  };

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function drawFigure(target) {
    var figure = read(target.dataset.figure);
    if (figure) Plotly.newPlot(target, figure.data, figure.layout, CONFIG);
  }

  function expand(series) {
    var n = series.w.length;
    var x = new Float64Array(n);
    var t = series.t0;
    x[0] = t;
    for (var i = 1; i < n; i++) {
      t += series.dt[i - 1] * 60000;
      x[i] = t;
    }
    return x;
  }

  function drawLoadCurve(target) {
    var series = read(target.dataset.series);
    if (!series || series.t0 === null) return;
    var started = performance.now();
    var x = Array.from(expand(series));
    var traces = [];
    // Last year's curve, already moved onto this year's days by the server (52 weeks later).
    if (series.previous && series.previous.t0 !== null) {
      traces.push({
        type: "scatter",
        mode: "lines",
        name: "Année précédente (52 semaines plus tôt)",
        x: Array.from(expand(series.previous)),
        y: series.previous.w,
        line: { color: "#9aa5b8", width: 1, dash: "dot" },
        hovertemplate: "%{y} W<extra>Année précédente</extra>",
      });
    }
    traces.push(
      {
        type: "scatter",
        mode: "lines",
        name: "Puissance (W)",
        x: x,
        y: series.w,
        line: { color: "#1d4f91", width: 1 },
        hovertemplate: "%{x|%d/%m/%Y %H:%M} : %{y} W<extra></extra>",
      }
    );
    var subscribed = target.dataset.subscribed;
    if (subscribed) {
      traces.push({
        type: "scatter",
        mode: "lines",
        name: "Puissance souscrite",
        x: [x[0], x[x.length - 1]],
        y: [Number(subscribed), Number(subscribed)],
        line: { color: "#b35806", dash: "dash", width: 1 },
        hoverinfo: "skip",
      });
    }
    var layout = {
      template: "none",
      height: 420,
      margin: { l: 60, r: 10, t: 10, b: 40 },
      font: { family: "system-ui, sans-serif", size: 13 },
      legend: { orientation: "h", y: 1.12 },
      separators: ", ",
      xaxis: { type: "date", rangeslider: { visible: true } },
      yaxis: { title: { text: "W" }, rangemode: "tozero", fixedrange: false },
    };
    Plotly.newPlot(target, traces, layout, CONFIG).then(function () {
      // Read by the browser test and the benchmark (bench/consumption_page.py).
      target.dataset.renderMs = String(Math.round(performance.now() - started));
      target.dataset.rendered = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll(".chart[data-figure]").forEach(function (target) {
      drawFigure(target);
      target.dataset.rendered = "true";
    });
    document.querySelectorAll(".chart[data-series]").forEach(drawLoadCurve);
  });
})();
