// Draws the park chart from the figure JSON the server embedded (no inline script: CSP).
// Without JavaScript the data table under the chart carries the same figures.
document.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("park-chart");
  var source = document.getElementById("park-chart-figure");
  if (!target || !source || typeof Plotly === "undefined") return;
  var figure = JSON.parse(source.textContent);
  Plotly.newPlot(target, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    locale: "fr",
    modeBarButtonsToRemove: ["select2d", "lasso2d"],
  });
});
