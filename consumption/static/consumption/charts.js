// Draws the consumption charts from the JSON the server embedded (no inline script: CSP).
// Monthly and daily charts come as plotly figures; the load curve as a compact series
// (t0 = epoch ms of the first end, a real UTC instant; dt = minutes between points;
// w = watts), expanded here; ``previous`` (optional) is last year's curve in the same
// form. The curve is drawn at its real instants (the October repeated hour gives distinct
// points); ``tz`` (Paris's offset and its changes) labels the ticks and the hover in
// Paris time, with the offset where a local time occurs twice: "02:00 (UTC+2)", then
// "02:00 (UTC+1)". Without JavaScript the data tables carry the same figures.
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

  var MINUTE = 60000;
  var HOUR = 60 * MINUTE;
  var DAY = 24 * HOUR;
  // Tick steps, in minutes: the first that gives at most MAX_TICKS ticks on the range shown.
  var STEPS = [10, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 40320, 80640];
  var MAX_TICKS = 9;

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  // Paris time of instants, from the offsets the server computed (tz.base, tz.changes).
  function parisClock(tz) {
    var changes = tz.changes;

    function offsetAt(t) {
      var offset = tz.base;
      for (var i = 0; i < changes.length && changes[i][0] <= t; i++) offset = changes[i][1];
      return offset;
    }

    // A local time occurs twice around a backward change (October): say which one.
    function repeated(t) {
      var before = tz.base;
      for (var i = 0; i < changes.length; i++) {
        var gap = (before - changes[i][1]) * MINUTE;
        if (gap > 0 && t >= changes[i][0] - gap && t < changes[i][0] + gap) return true;
        before = changes[i][1];
      }
      return false;
    }

    function suffix(t, offset) {
      if (!repeated(t)) return "";
      var sign = offset < 0 ? "-" : "+";
      var minutes = Math.abs(offset) % 60;
      return " (UTC" + sign + Math.floor(Math.abs(offset) / 60) + (minutes ? ":" + pad(minutes) : "") + ")";
    }

    // A year of 10-minute points is 52,704 labels: build each day's and each minute's text
    // once (a Date per point costs a tenth of a second on a slow machine).
    var days = {};
    var clocks = {};

    function dayText(day) {
      if (!(day in days)) {
        var date = new Date(day * DAY);
        days[day] = pad(date.getUTCDate()) + "/" + pad(date.getUTCMonth() + 1) + "/" + date.getUTCFullYear();
      }
      return days[day];
    }

    function clockText(minute) {
      if (!(minute in clocks)) clocks[minute] = pad(Math.floor(minute / 60)) + ":" + pad(minute % 60);
      return clocks[minute];
    }

    return {
      offsetAt: offsetAt,
      // "26/10/2025 02:00 (UTC+2)": for the hover of each point.
      label: function (t, offset) {
        var local = t + offset * MINUTE;
        var day = Math.floor(local / DAY);
        return dayText(day) + " " + clockText(Math.floor((local - day * DAY) / MINUTE)) + suffix(t, offset);
      },
      // Ticks of the range [a, b] (epoch ms) at round Paris times: hours, or days at midnight.
      ticks: function (a, b) {
        var span = (b - a) / MINUTE;
        var step = STEPS[STEPS.length - 1];
        for (var s = 0; s < STEPS.length; s++) {
          if (span / STEPS[s] <= MAX_TICKS) {
            step = STEPS[s];
            break;
          }
        }
        var values = [];
        var texts = [];
        if (step >= 1440) {
          // Local midnights (never inside a change, which happens at night's 02:00/03:00).
          for (var day = Math.floor((a + tz.base * MINUTE) / DAY); values.length < 100; day++) {
            var midnight = day * DAY - offsetAt(day * DAY - tz.base * MINUTE) * MINUTE;
            if (midnight > b) break;
            if (midnight < a || (day - 4) % (step / 1440)) continue; // whole weeks start on Monday
            values.push(midnight);
            texts.push(dayText(day).slice(0, 5));
          }
          return { values: values, texts: texts };
        }
        var walk = Math.min(step, 60) * MINUTE; // Paris's offsets are whole hours
        for (var t = Math.ceil(a / walk) * walk; t <= b && values.length < 100; t += walk) {
          var offset = offsetAt(t);
          var local = t + offset * MINUTE;
          var localDay = Math.floor(local / DAY);
          var minuteOfDay = Math.floor((local - localDay * DAY) / MINUTE);
          if (minuteOfDay % step) continue;
          var clock = clockText(minuteOfDay) + suffix(t, offset);
          values.push(t);
          texts.push(minuteOfDay === 0 ? clock + "<br>" + dayText(localDay).slice(0, 5) : clock);
        }
        return { values: values, texts: texts };
      },
    };
  }

  function hoverLabels(clock, x) {
    var labels = new Array(x.length);
    for (var i = 0; i < x.length; i++) labels[i] = clock.label(x[i], clock.offsetAt(x[i]));
    return labels;
  }

  function drawLoadCurve(target) {
    var series = read(target.dataset.series);
    if (!series || series.t0 === null) return;
    var started = performance.now();
    var clock = parisClock(series.tz);
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
    traces.push({
      type: "scatter",
      mode: "lines",
      name: "Puissance (W)",
      x: x,
      y: series.w,
      text: hoverLabels(clock, x),
      line: { color: "#1d4f91", width: 1 },
      hovertemplate: "%{text} : %{y} W<extra></extra>",
    });
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
    var first = x[0];
    var last = x[x.length - 1];
    var ticks = clock.ticks(first, last);
    var layout = {
      template: "none",
      height: 420,
      margin: { l: 60, r: 10, t: 10, b: 50 },
      font: { family: "system-ui, sans-serif", size: 13 },
      legend: { orientation: "h", y: 1.12 },
      separators: ", ",
      // Real instants (epoch ms) on a *linear* axis, labelled in Paris time by us: a date
      // axis would read the numbers as wall-clock times of the browser's own time zone,
      // and a browser in Paris would fold the October repeated hour onto itself.
      xaxis: {
        type: "linear",
        rangeslider: { visible: true },
        tickmode: "array",
        tickvals: ticks.values,
        ticktext: ticks.texts,
      },
      yaxis: { title: { text: "W" }, rangemode: "tozero", fixedrange: false },
    };
    Plotly.newPlot(target, traces, layout, CONFIG).then(function () {
      // Read by the browser test and the benchmark (bench/consumption_page.py).
      target.dataset.renderMs = String(Math.round(performance.now() - started));
      target.dataset.rendered = "true";
      // Zoom and range slider: new ticks for the range shown.
      target.on("plotly_relayout", function (change) {
        var range;
        if (change["xaxis.range"]) range = change["xaxis.range"];
        else if ("xaxis.range[0]" in change) range = [change["xaxis.range[0]"], change["xaxis.range[1]"]];
        else if (change["xaxis.autorange"]) range = [first, last];
        else return;
        var shown = clock.ticks(Number(range[0]), Number(range[1]));
        Plotly.relayout(target, { "xaxis.tickvals": shown.values, "xaxis.ticktext": shown.texts });
      });
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
