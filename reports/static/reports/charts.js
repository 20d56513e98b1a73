// Draws the dashboard's charts from the JSON the page carries (json_script "report-charts").
// Each element with data-chart="<key>" gets a chart of kind data-kind (pie, bar, hbar, line).
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("report-charts");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var colors = ["#198754", "#fd7e14", "#0d6efd", "#6f42c1", "#20c997", "#dc3545"];
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var rows = data[el.dataset.chart];
      if (!rows || !rows.length) { el.remove(); return; }
      el.style.height = el.dataset.kind === "hbar" ? Math.max(180, rows.length * 28) + "px" : "240px";
      var chart = echarts.init(el, null, { renderer: "svg", locale: "ZH" });
      var labels = rows.map(function (r) { return r[0]; });
      var values = rows.map(function (r) { return r[1]; });
      var option;
      if (el.dataset.kind === "pie") {
        option = {
          color: colors, tooltip: { trigger: "item", formatter: "{b}：{c} 人（{d}%）" },
          series: [{ type: "pie", radius: ["35%", "65%"], label: { formatter: "{b}\n{c}" },
                     data: rows.map(function (r) { return { name: r[0], value: r[1] }; }) }]
        };
      } else {
        var horizontal = el.dataset.kind === "hbar";
        var category = { type: "category", data: horizontal ? labels.slice().reverse() : labels,
                         axisLabel: { interval: 0, fontSize: 11 } };
        var value = { type: "value", minInterval: 1 };
        option = {
          color: colors, tooltip: { trigger: "axis" },
          grid: { left: horizontal ? 70 : 40, right: 20, top: 20, bottom: 30 },
          xAxis: horizontal ? value : category, yAxis: horizontal ? category : value,
          series: [{ type: el.dataset.kind === "line" ? "line" : "bar", smooth: true,
                     data: horizontal ? values.slice().reverse() : values,
                     label: { show: el.dataset.kind !== "line", position: horizontal ? "right" : "top" } }]
        };
      }
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
