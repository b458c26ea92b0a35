// Draws the exposure page's charts with the package's own Plotly (no CDN, no inline script):
// each .plot names the JSON block that holds its figure. Charts resize with the window.
window.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".plot[data-figure]").forEach(function (el) {
    var fig = JSON.parse(document.getElementById(el.getAttribute("data-figure")).textContent);
    Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false});
  });
});
