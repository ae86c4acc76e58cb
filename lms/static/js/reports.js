/* The statistics dashboard's charts (ECharts), drawn from the JSON the page embeds in
   <script type="application/json" id="report-data">. No inline script: the page works
   under a Content-Security-Policy without 'unsafe-inline'. Every chart has a table
   beside it with the same figures, so nothing here is needed to read them. */
(function () {
  "use strict";

  var source = document.getElementById("report-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var elder = document.documentElement.classList.contains("elder");
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var font = elder ? 20 : 13;
  var colours = ["#0b5cad", "#1d6b2f", "#8a5a00", "#a8201a"];

  function base(extra) {
    var option = {
      animation: !still,
      color: colours,
      textStyle: { fontSize: font },
      tooltip: { trigger: "axis", textStyle: { fontSize: font } },
      legend: { top: 0, textStyle: { fontSize: font } },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true }
    };
    return Object.assign(option, extra);
  }

  function coverage(part) {
    var target = part.target / 100;
    return {
      animation: !still,
      series: [{
        type: "gauge",
        min: 0,
        max: 100,
        progress: { show: true, width: 18, itemStyle: { color: part.value >= part.target ? colours[1] : colours[3] } },
        axisLine: { lineStyle: { width: 18, color: [[target, "#f1c7c4"], [1, "#c5e3cc"]] } },
        axisLabel: { fontSize: font, formatter: "{value}%" },
        pointer: { show: true },
        title: { fontSize: font, offsetCenter: [0, "70%"] },
        detail: { fontSize: font * 2, formatter: "{value}%", offsetCenter: [0, "40%"] },
        data: [{ value: part.value, name: part.label + " · " + part.targetLabel + " " + part.target + "%" }]
      }]
    };
  }

  function trend(part) {
    return base({
      xAxis: { type: "category", data: part.months, axisLabel: { fontSize: font } },
      yAxis: [
        { type: "value", name: part.labels[1].replace(/\s*\(.*\)/, ""), axisLabel: { fontSize: font } },
        { type: "value", name: part.labels[0], axisLabel: { fontSize: font } }
      ],
      series: [
        { type: "bar", name: part.labels[1], stack: "hours", data: part.online },
        { type: "bar", name: part.labels[2], stack: "hours", data: part.offline },
        { type: "line", name: part.labels[0], yAxisIndex: 1, data: part.active }
      ]
    });
  }

  function horizontalBars(names, series) {
    return base({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: { fontSize: font } },
      xAxis: { type: "value", axisLabel: { fontSize: font } },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { fontSize: font, width: 140, overflow: "truncate" } },
      series: series
    });
  }

  function towns(part) {
    return horizontalBars(part.names, [
      { type: "bar", name: part.labels[0], data: part.participation },
      { type: "bar", name: part.labels[1], data: part.registered }
    ]);
  }

  function courses(part) {
    return horizontalBars(part.titles, [
      { type: "bar", name: part.labels[0], data: part.enrolments },
      { type: "bar", name: part.labels[1], data: part.completions }
    ]);
  }

  var builders = { coverage: coverage, trend: trend, towns: towns, courses: courses };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var name = element.getAttribute("data-chart");
    var part = data[name];
    if (!part || !builders[name]) {
      return;
    }
    var rows = name === "towns" ? part.names.length : name === "courses" ? part.titles.length : 0;
    if (rows > 8) {
      element.style.height = (rows * (elder ? 56 : 36) + 80) + "px";
    }
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(builders[name](part));
    charts.push(chart);
  });
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 150);
  });
})();
