// Draws the dashboard's charts from the JSON the page carries (json_script "report-charts").
// Each element with data-chart="<key>" gets a chart of kind data-kind (pie, bar, hbar, line), drawn with
// ECharts' SVG renderer so that it stays sharp on a phone. Laid out for the element's own width and drawn
// again when that width changes: axis labels are spaced so that they never overlap, a bar chart whose
// category names do not fit side by side is drawn with horizontal bars, and the pie names its slices in a
// legend below it instead of labels cut at the card's edge. The same numbers are in the tables beside.
// Rows are [label, value] ([label, talks, note] for the weekly line, a note marking the week under way;
// for a "trend", a header row [学期, series…] then [term, values…]).
(function () {
  "use strict";
  var COLORS = ["#198754", "#fd7e14", "#0d6efd", "#6f42c1", "#20c997", "#dc3545"];
  var IN_PROGRESS = "#7dbf9b";
  var MUTED = "#6c757d";
  var FONT = 11;
  var measure = document.createElement("canvas").getContext("2d");

  function textWidth(text, size) {
    measure.font = size + "px sans-serif";
    return measure.measureText(String(text)).width;
  }

  function widest(labels, size) {
    return labels.reduce(function (w, label) { return Math.max(w, textWidth(label, size)); }, 0);
  }

  // Show every (interval + 1)-th category label: as many as fit in the plot's width with a gap between.
  function labelInterval(labels, plotWidth) {
    var slot = plotWidth / Math.max(labels.length, 1);
    return Math.max(0, Math.ceil((widest(labels, FONT) + 8) / slot) - 1);
  }

  function pieOption(rows, width) {
    var counts = {};
    rows.forEach(function (r) { counts[r[0]] = r[1]; });
    return {
      color: COLORS,
      tooltip: { trigger: "item", confine: true, formatter: "{b}：{c} 人（{d}%）" },
      legend: {
        bottom: 0, left: "center", width: width - 16, itemGap: 14, textStyle: { fontSize: 12 },
        formatter: function (name) { return name + "  " + counts[name] + " 人"; }
      },
      series: [{
        type: "pie", radius: ["34%", "62%"], center: ["50%", "40%"], labelLine: { show: false },
        label: {
          position: "inside", color: "#fff", fontSize: 12, fontWeight: "bold",
          formatter: function (p) { return p.percent >= 6 ? String(p.value) : ""; }
        },
        data: rows.map(function (r) { return { name: r[0], value: r[1] }; })
      }]
    };
  }

  function barOption(rows, width, horizontal) {
    var labels = rows.map(function (r) { return r[0]; });
    var values = rows.map(function (r) { return r[1]; });
    if (horizontal) { labels.reverse(); values.reverse(); }
    var plotWidth = width - 60;
    var category = {
      type: "category", data: labels,
      axisLabel: { fontSize: FONT, interval: horizontal ? 0 : labelInterval(labels, plotWidth), hideOverlap: true }
    };
    var value = { type: "value", minInterval: 1, axisLabel: { fontSize: FONT, hideOverlap: true } };
    return {
      color: COLORS, tooltip: { trigger: "axis", confine: true },
      grid: { left: horizontal ? 8 : 36, right: horizontal ? 36 : 12, top: 20, bottom: 8 },
      xAxis: horizontal ? value : category, yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: values, label: { show: true, position: horizontal ? "right" : "top" } }]
    };
  }

  function lineOption(rows, width) {
    var labels = rows.map(function (r) { return r[0]; });
    var notes = rows.map(function (r) { return r[2] || ""; });
    var going = notes.some(Boolean);
    var series = [{
      name: "已结束的周", type: "line", symbolSize: 6, connectNulls: false,
      data: rows.map(function (r, i) { return notes[i] ? null : r[1]; })
    }];
    if (going) {
      // The week under way is not joined to the finished ones: its talks are not all in yet.
      series.push({
        name: "本周进行中", type: "line", symbol: "emptyCircle", symbolSize: 10,
        itemStyle: { color: IN_PROGRESS, borderType: "dashed", borderWidth: 2 },
        label: { show: true, position: "top", color: MUTED, fontSize: FONT, formatter: "进行中" },
        data: rows.map(function (r, i) { return notes[i] ? r[1] : null; })
      });
    }
    return {
      color: COLORS,
      legend: going ? { top: 0, right: 0, textStyle: { fontSize: FONT }, itemWidth: 18 } : undefined,
      tooltip: {
        trigger: "axis", confine: true,
        formatter: function (items) {
          var i = items[0].dataIndex;
          return rows[i][0] + " 起的一周：谈心 " + rows[i][1] + " 次" + (notes[i] ? "<br>" + notes[i] : "");
        }
      },
      grid: { left: 36, right: 16, top: going ? 48 : 24, bottom: 8 },
      xAxis: {
        type: "category", data: labels, boundaryGap: false,
        axisLabel: { fontSize: FONT, interval: labelInterval(labels, width - 52), hideOverlap: true }
      },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: FONT } },
      series: series
    };
  }

  // 历年趋势 (reports.trends.chart_rows): rows[0] is [学期, series names…], each next row [term, values…].
  // The legend is laid out in as many lines as its names need at this width, and the plot starts below it.
  function trendOption(rows, width, unit) {
    var names = rows[0].slice(1);
    var data = rows.slice(1);
    var labels = data.map(function (r) { return r[0]; });
    var perLine = Math.max(1, Math.floor((width - 16) / (widest(names, FONT) + 40)));
    // One line needs no legend: the card's title names it.
    var legendLines = names.length > 1 ? Math.ceil(names.length / perLine) : 0;
    return {
      color: COLORS,
      legend: {
        show: legendLines > 0, top: 0, left: "center", width: width - 16, itemWidth: 18, itemGap: 14,
        textStyle: { fontSize: FONT }
      },
      tooltip: { trigger: "axis", confine: true, valueFormatter: function (v) { return v + unit; } },
      grid: { left: 40, right: 16, top: 16 + legendLines * 22, bottom: 8 },
      xAxis: {
        type: "category", data: labels, boundaryGap: false,
        axisLabel: { fontSize: FONT, interval: labelInterval(labels, width - 56), hideOverlap: true }
      },
      yAxis: {
        type: "value", min: 0, max: unit === "%" ? 100 : null, minInterval: unit === "%" ? 0 : 1,
        axisLabel: { fontSize: FONT, hideOverlap: true }
      },
      series: names.map(function (name, i) {
        return { name: name, type: "line", symbolSize: 6, data: data.map(function (r) { return r[i + 1]; }) };
      })
    };
  }

  function layout(el, rows) {
    var width = el.clientWidth;
    var kind = el.dataset.kind;
    if (kind === "bar") {
      var labels = rows.map(function (r) { return r[0]; });
      // Chinese names (主题班会/队会 …) that do not fit side by side read better as horizontal bars.
      if (labelInterval(labels, width - 60) > 0) { kind = "hbar"; }
    }
    el.dataset.drawnAs = kind;
    if (kind === "trend") {
      // data-unit: "%" (the default) for rates, drawn on a 0–100 axis; 人 or 次 for counts.
      var unit = el.dataset.unit === undefined ? "%" : el.dataset.unit;
      return { height: 260, option: trendOption(rows, width, unit) };
    }
    if (kind === "pie") { return { height: 300, option: pieOption(rows, width) }; }
    if (kind === "hbar") { return { height: Math.max(160, rows.length * 30 + 40), option: barOption(rows, width, true) }; }
    if (kind === "line") { return { height: 250, option: lineOption(rows, width) }; }
    return { height: 240, option: barOption(rows, width, false) };
  }

  function draw() {
    var source = document.getElementById("report-charts");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var rows = data[el.dataset.chart];
      if (!rows || !rows.length || (el.dataset.kind === "trend" && rows.length < 2)) { el.remove(); return; }
      var chart = null;
      var drawnWidth = 0;
      function render() {
        if (!el.clientWidth || el.clientWidth === drawnWidth) { return; }
        drawnWidth = el.clientWidth;
        var plan = layout(el, rows);
        el.style.height = plan.height + "px";
        if (chart) { chart.resize(); } else { chart = echarts.init(el, null, { renderer: "svg", locale: "ZH" }); }
        chart.setOption(plan.option, true);
        el.dataset.chartDrawn = String(drawnWidth);
      }
      render();
      if (window.ResizeObserver) { new ResizeObserver(render).observe(el); }
      else { window.addEventListener("resize", render); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
