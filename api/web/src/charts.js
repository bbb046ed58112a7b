// ECharts (npm `echarts`, only the parts used, bundled by esbuild), drawn on canvas without
// animation so a chart is complete as soon as it is shown. A chart's element gets
// data-rendered="true" once ECharts has finished drawing it.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const live = new Set();
window.addEventListener('resize', () => live.forEach((chart) => chart.resize()));

export function disposeCharts() {
  live.forEach((chart) => chart.dispose());
  live.clear();
}

function mount(el, option) {
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.on('finished', () => {
    el.dataset.rendered = 'true';
  });
  chart.setOption({ animation: false, tooltip: {}, ...option });
  live.add(chart);
  return chart;
}

// Fen (a string) as a number of yuan, for drawing only; tables show the exact amounts.
export function fenToYuan(fen) {
  return Number(BigInt(fen)) / 100;
}

// slices: [{ name, value }] with values in yuan.
export function pieChart(el, slices, format) {
  return mount(el, {
    tooltip: { trigger: 'item', valueFormatter: format },
    legend: { bottom: 0, type: 'scroll' },
    series: [{ type: 'pie', radius: ['38%', '68%'], center: ['50%', '44%'], data: slices, label: { formatter: '{b}\n{d}%' } }],
  });
}

// series: [{ name, values }] over `labels`; stacked bars when `stack` is set.
export function barChart(el, labels, series, format, stack = false) {
  return mount(el, {
    tooltip: { trigger: 'axis', valueFormatter: format },
    legend: { bottom: 0 },
    grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
    // Category names are turned when many would collide; short month labels ("3月") stay level.
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 && Math.max(...labels.map((l) => l.length)) > 3 ? 30 : 0 } },
    yAxis: { type: 'value' },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.values, stack: stack ? 'all' : undefined })),
  });
}

export function lineChart(el, labels, series, format) {
  return mount(el, {
    tooltip: { trigger: 'axis', valueFormatter: format },
    legend: { bottom: 0 },
    grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
    xAxis: { type: 'category', data: labels },
    yAxis: { type: 'value' },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.values, symbolSize: 6 })),
  });
}
