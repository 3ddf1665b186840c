// Draws the invoice search's chart from the plotly figure the server embedded (no inline
// script: CSP). Without JavaScript the table beside it carries the same figures.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll(".chart[data-figure]").forEach(function (target) {
      var source = document.getElementById(target.dataset.figure);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      Plotly.newPlot(target, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        locale: "fr",
        modeBarButtonsToRemove: ["select2d", "lasso2d"],
      }).then(function () {
        target.dataset.rendered = "true";
      });
    });
  });
})();
