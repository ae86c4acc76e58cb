/* The statistics dashboard's charts (ECharts, a classic script: window.echarts), drawn
   from the figures in the page's JSON block (pageConfig("charts")). Every chart has a
   table beside it with the same figures, so nothing here is needed to read them. */
import { pageConfig } from "./page.js";

const elder = document.documentElement.classList.contains("elder");
const still = Boolean(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
const font = elder ? 20 : 13;
const colours = ["#0b5cad", "#1d6b2f", "#8a5a00", "#a8201a"];

function base(extra) {
  return {
    animation: !still,
    color: colours,
    textStyle: { fontSize: font },
    tooltip: { trigger: "axis", textStyle: { fontSize: font } },
    legend: { top: 0, textStyle: { fontSize: font } },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    ...extra,
  };
}

function coverage(part) {
  const target = part.target / 100;
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
      data: [{ value: part.value, name: `${part.label} · ${part.targetLabel} ${part.target}%` }],
    }],
  };
}

function trend(part) {
  return base({
    xAxis: { type: "category", data: part.months, axisLabel: { fontSize: font } },
    yAxis: [
      { type: "value", name: part.labels[1].replace(/\s*\(.*\)/, ""), axisLabel: { fontSize: font } },
      { type: "value", name: part.labels[0], axisLabel: { fontSize: font } },
    ],
    series: [
      { type: "bar", name: part.labels[1], stack: "hours", data: part.online },
      { type: "bar", name: part.labels[2], stack: "hours", data: part.offline },
      { type: "line", name: part.labels[0], yAxisIndex: 1, data: part.active },
    ],
  });
}

function horizontalBars(names, series) {
  return base({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: { fontSize: font } },
    xAxis: { type: "value", axisLabel: { fontSize: font } },
    yAxis: { type: "category", data: names, inverse: true, axisLabel: { fontSize: font, width: 140, overflow: "truncate" } },
    series,
  });
}

function towns(part) {
  return horizontalBars(part.names, [
    { type: "bar", name: part.labels[0], data: part.participation },
    { type: "bar", name: part.labels[1], data: part.registered },
  ]);
}

function courses(part) {
  return horizontalBars(part.titles, [
    { type: "bar", name: part.labels[0], data: part.enrolments },
    { type: "bar", name: part.labels[1], data: part.completions },
  ]);
}

const builders = { coverage, trend, towns, courses };

function drawCharts(data) {
  const charts = [];
  for (const element of document.querySelectorAll("[data-chart]")) {
    const name = element.dataset.chart;
    const part = data[name];
    if (!part || !builders[name]) {
      continue;
    }
    const rows = name === "towns" ? part.names.length : name === "courses" ? part.titles.length : 0;
    if (rows > 8) {
      element.style.height = `${rows * (elder ? 56 : 36) + 80}px`;
    }
    const chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(builders[name](part));
    charts.push(chart);
  }
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => charts.forEach((chart) => chart.resize()), 150);
  });
}

const data = pageConfig("charts");
if (data && typeof window.echarts !== "undefined") {
  drawCharts(data);
}
