/**
 * The script of an HTML report: draws every chart described in <script id="gk-charts"> with
 * uPlot (hover values in the legend, drag across to zoom, double-click to reset), on the same
 * scales as the static SVG (`chartExtents`, `linearScale`, asinh log axes). scripts/bundle-page.mjs
 * bundles it with uPlot into one string that `htmlReport` inlines.
 */
import uPlot from 'uplot';
import { chartExtents, seriesColor, type LineChartOptions } from '../src/charts.js';
import { formatNumber } from '../src/metrics.js';
import { linearScale, logScale, tickLabels } from '../src/scales.js';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One x array for all series (their steps, merged) and each series' values on it (null where it has none). */
function align(spec: LineChartOptions): uPlot.AlignedData {
  const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.x).filter(finite)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = spec.series.map((s) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    for (const p of s.points) if (finite(p.x) && finite(p.y)) y[at.get(p.x)!] = p.y;
    return y;
  });
  return [xs, ...ys];
}

type Extent = ReturnType<typeof chartExtents>['y'];

/** A y scale: the SVG's range (widened to round ticks unless given), asinh when log. */
function yScale(e: Extent, log: boolean | undefined): uPlot.Scale {
  const [lo, hi] = e.exact || log ? e.range : linearScale(e.range[0], e.range[1], [0, 1]).domain;
  return { auto: false, range: () => [lo, hi], distr: log ? 4 : 1, asinh: e.threshold };
}

/** An axis whose ticks and tick text are those of the SVG chart's scale over the visible range. */
function axis(scale: string, log: boolean | undefined, threshold: number, pxPerTick: number, o: uPlot.Axis = {}): uPlot.Axis {
  const at = (u: uPlot, min: number, max: number) => {
    const px = (scale === 'x' ? u.bbox.width : u.bbox.height) / uPlot.pxRatio;
    return log ? logScale(min, max, [0, 1], { threshold }) : linearScale(min, max, [0, 1], { exact: true, ticks: Math.max(2, Math.round(px / pxPerTick)) });
  };
  return {
    ...o,
    scale,
    splits: (u, _i, min, max) => at(u, min, max).ticks,
    values: (_u, splits) => tickLabels({ ticks: splits, log: !!log }),
  };
}
const value = (_u: uPlot, v: number | null) => (v == null ? '—' : formatNumber(v, 4));

/** Draws the spec's markers: a dashed line, a ring at y, and the label near the top. */
function markerPlugin(spec: LineChartOptions): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const px = uPlot.pxRatio;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          (spec.markers ?? []).forEach((m, i) => {
            if (!finite(m.x)) return;
            const x = u.valToPos(m.x, 'x', true);
            if (x < left - 0.5 || x > left + width + 0.5) return;
            const color = m.color ?? '#444';
            ctx.strokeStyle = color;
            ctx.fillStyle = color;
            ctx.lineWidth = px;
            ctx.setLineDash([3 * px, 3 * px]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.setLineDash([]);
            if (finite(m.y)) {
              ctx.beginPath();
              ctx.lineWidth = 2 * px;
              ctx.arc(x, u.valToPos(m.y, 'y', true), 4 * px, 0, 2 * Math.PI);
              ctx.fillStyle = '#fff';
              ctx.fill();
              ctx.stroke();
              ctx.fillStyle = color;
            }
            if (m.label) {
              ctx.font = `${11 * px}px system-ui, sans-serif`;
              const w = ctx.measureText(m.label).width;
              const right = x + 4 * px + w > left + width;
              ctx.textAlign = right ? 'right' : 'left';
              ctx.fillText(m.label, right ? x - 4 * px : x + 4 * px, top + (12 + 13 * (i % 4)) * px);
            }
          });
          ctx.restore();
        },
      ],
    },
  };
}

function mount(figure: HTMLElement, spec: LineChartOptions): uPlot {
  const ext = chartExtents(spec);
  const plot = figure.querySelector<HTMLElement>('.gk-plot') ?? figure;
  const size = () => ({ width: Math.max(320, plot.clientWidth || figure.clientWidth || 640), height: spec.height ?? 360 });
  const scales: uPlot.Scales = {
    x: { time: false, distr: spec.logX ? 4 : 1, asinh: ext.x.threshold, range: (_u, min, max) => [min, max] },
    y: yScale(ext.y, spec.logY),
  };
  const axes: uPlot.Axis[] = [
    axis('x', spec.logX, ext.x.threshold, 90, { label: spec.xLabel }),
    axis('y', spec.logY, ext.y.threshold, 50, { label: spec.yLabel }),
  ];
  if (ext.y2) {
    scales.y2 = yScale(ext.y2, spec.logY2);
    axes.push(axis('y2', spec.logY2, ext.y2.threshold, 50, { side: 1, label: spec.y2Label, grid: { show: false } }));
  }
  const u = new uPlot(
    {
      ...size(),
      title: spec.title,
      scales,
      axes,
      cursor: { drag: { x: true, y: false, setScale: true } },
      series: [
        { label: spec.xLabel ?? 'x', value: (_u, v) => (v == null ? '—' : String(v)) },
        ...spec.series.map((s, i): uPlot.Series => ({
          label: s.name,
          stroke: seriesColor(s, i),
          width: s.axis === 'right' ? 1.3 : 1.8,
          dash: s.dashed ? [6, 4] : undefined,
          scale: s.axis === 'right' && ext.y2 ? 'y2' : 'y',
          spanGaps: true,
          points: { show: !!spec.dots },
          value,
        })),
      ],
      plugins: [markerPlugin(spec)],
    },
    align(spec),
    plot,
  );
  addEventListener('resize', () => u.setSize(size()));
  return u;
}

const specs = JSON.parse(document.getElementById('gk-charts')?.textContent ?? '[]') as LineChartOptions[];
const charts: uPlot[] = [];
for (const figure of document.querySelectorAll<HTMLElement>('figure.gk-chart')) {
  const spec = specs[Number(figure.dataset.chart)];
  if (spec) charts.push(mount(figure, spec));
}
/** The chart objects, for a reader's console (and the report's browser test). */
(globalThis as { grokkitCharts?: uPlot[] }).grokkitCharts = charts;
