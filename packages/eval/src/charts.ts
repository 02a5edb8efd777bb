import { escapeHtml } from './markdown.js';
import { linearScale, logScale, logThreshold, tickLabels, type Scale } from './scales.js';

export interface ChartPoint {
  x: number;
  y: number | null;
}

export interface Series {
  name: string;
  points: readonly ChartPoint[];
  /** CSS colour; default from a fixed palette by series index. */
  color?: string;
  dashed?: boolean;
  /** The y axis it is read on: 'left' (default) or 'right' (e.g. a loss beside accuracies). */
  axis?: 'left' | 'right';
}

/** A vertical line at `x` (e.g. where a curve crosses a threshold), with a dot at `y` on the left axis. */
export interface ChartMarker {
  x: number;
  y?: number;
  /** Short text by the line, e.g. "val ≥ 95% at 1140". */
  label?: string;
  /** CSS colour (default: dark grey). */
  color?: string;
}

/**
 * A line chart described by data. `lineChart` draws it as static SVG; `htmlReport` draws it as an
 * interactive chart (hover values, drag to zoom) with the same scales.
 */
export interface LineChartOptions {
  series: readonly Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Label of the right y axis, used by series with `axis: 'right'`. */
  y2Label?: string;
  /** Log axes that keep 0 and negatives: asinh(v / c), linear below c = a tenth of the smallest non-zero |value| (see `logScale`). */
  logX?: boolean;
  logY?: boolean;
  logY2?: boolean;
  /** Fixed axis ranges; lines outside are clipped. Default: x fitted to the data, y widened to round ticks. */
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
  y2Range?: readonly [number, number];
  width?: number;
  height?: number;
  /** Draw a dot at every point (default: only where a point has no neighbour to join). */
  dots?: boolean;
  markers?: readonly ChartMarker[];
}

/** A colour-blind-friendly palette (Okabe–Ito order, then greys). */
export const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442', '#999999'];

/** The colour of series `i` of a chart. */
export const seriesColor = (s: Series, i: number): string => s.color ?? palette[i % palette.length]!;

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The axis ranges a chart is drawn over, before rounding: x fitted to the data (or `xRange`), y and
 * y2 from their series' values (or `yRange`/`y2Range`); with the log threshold of each log axis.
 * The SVG and the interactive renderer both start from this.
 */
export function chartExtents(o: LineChartOptions): {
  x: { range: [number, number]; exact: boolean; threshold: number };
  y: { range: [number, number]; exact: boolean; threshold: number };
  y2: { range: [number, number]; exact: boolean; threshold: number } | undefined;
} {
  const ok = (p: ChartPoint) => finite(p.x) && finite(p.y);
  const side = (axis: 'left' | 'right') => o.series.filter((s) => (s.axis ?? 'left') === axis).flatMap((s) => s.points.filter(ok)) as { x: number; y: number }[];
  const left = side('left');
  const right = side('right');
  const all = [...left, ...right];
  const extent = (vals: number[], fallback: [number, number]): [number, number] => (vals.length ? [Math.min(...vals), Math.max(...vals)] : fallback);
  const xs = all.map((p) => p.x);
  const axis = (range: readonly [number, number] | undefined, vals: number[], exactByDefault: boolean) => ({
    range: (range ? [range[0], range[1]] : extent(vals, [0, 1])) as [number, number],
    exact: !!range || exactByDefault,
    threshold: logThreshold(range ? [...range, ...vals] : vals),
  });
  const hasRight = o.series.some((s) => s.axis === 'right');
  return {
    x: axis(o.xRange, xs, true),
    y: axis(o.yRange, left.map((p) => p.y), false),
    y2: hasRight ? axis(o.y2Range, right.map((p) => p.y), false) : undefined,
  };
}

const r2 = (v: number) => String(Math.round(v * 100) / 100);

/** FNV-1a, for ids that are stable for the same chart and differ between charts on one page. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

const approxTextWidth = (s: string, size: number) => s.length * size * 0.6;

/**
 * A line chart as a standalone SVG string: one line per series (on the left or right y axis),
 * axes with ticks and grid, axis labels, marker lines, a legend and an optional title. The x axis
 * is fitted to the data. Points whose x or y is null, NaN or ±∞ are skipped and break the line there.
 */
export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 400;
  const ok = (p: ChartPoint) => finite(p.x) && finite(p.y);
  const ext = chartExtents(o);
  const legendW = o.series.length ? Math.max(...o.series.map((s) => approxTextWidth(s.name, 12))) + 34 : 0;
  const m = { top: o.title ? 36 : 14, right: 16 + legendW + (ext.y2 ? (o.y2Label ? 64 : 48) : 0), bottom: o.xLabel ? 48 : 30, left: o.yLabel ? 64 : 48 };
  const px: [number, number] = [m.left, W - m.right];
  const py: [number, number] = [H - m.bottom, m.top];
  const scale = (a: { range: [number, number]; exact: boolean; threshold: number }, log: boolean | undefined, r: [number, number], per: number): Scale =>
    log ? logScale(a.range[0], a.range[1], r, { threshold: a.threshold }) : linearScale(a.range[0], a.range[1], r, { exact: a.exact, ticks: Math.max(2, Math.round(Math.abs(r[1] - r[0]) / per)) });
  const sx = scale(ext.x, o.logX, px, 90);
  const sy = scale(ext.y, o.logY, py, 50);
  const sy2 = ext.y2 ? scale(ext.y2, o.logY2, py, 50) : undefined;
  const clipId = `gk-clip-${hash(JSON.stringify([o.title, W, H, o.series.map((s) => [s.name, s.points.length, s.points[0]?.x, s.points[0]?.y])]))}`;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  if (o.title) out.push(`<text x="${r2((px[0] + px[1]) / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeHtml(o.title)}</text>`);
  out.push(`<defs><clipPath id="${clipId}"><rect x="${r2(px[0])}" y="${r2(py[1])}" width="${r2(px[1] - px[0])}" height="${r2(py[0] - py[1])}"/></clipPath></defs>`);
  // Grid and ticks (the grid follows the left axis; the right axis has ticks only).
  const grid: string[] = [];
  for (const t of sx.minor) grid.push(`<line x1="${r2(sx(t))}" y1="${r2(py[1])}" x2="${r2(sx(t))}" y2="${r2(py[0])}" stroke="#f2f2f2"/>`);
  for (const t of sy.minor) grid.push(`<line x1="${r2(px[0])}" y1="${r2(sy(t))}" x2="${r2(px[1])}" y2="${r2(sy(t))}" stroke="#f2f2f2"/>`);
  const xl = tickLabels(sx);
  sx.ticks.forEach((t, i) => {
    const x = r2(sx(t));
    grid.push(`<line x1="${x}" y1="${r2(py[1])}" x2="${x}" y2="${r2(py[0])}" stroke="#e5e5e5"/>`);
    grid.push(`<text x="${x}" y="${r2(py[0] + 16)}" text-anchor="middle" fill="#333">${escapeHtml(xl[i]!)}</text>`);
  });
  const yl = tickLabels(sy);
  sy.ticks.forEach((t, i) => {
    const y = r2(sy(t));
    grid.push(`<line x1="${r2(px[0])}" y1="${y}" x2="${r2(px[1])}" y2="${y}" stroke="#e5e5e5"/>`);
    grid.push(`<text x="${r2(px[0] - 6)}" y="${y}" dy="0.32em" text-anchor="end" fill="#333">${escapeHtml(yl[i]!)}</text>`);
  });
  if (sy2) {
    const y2l = tickLabels(sy2);
    sy2.ticks.forEach((t, i) => {
      const y = r2(sy2(t));
      grid.push(`<line x1="${r2(px[1])}" y1="${y}" x2="${r2(px[1] + 4)}" y2="${y}" stroke="#333"/>`);
      grid.push(`<text x="${r2(px[1] + 7)}" y="${y}" dy="0.32em" text-anchor="start" fill="#333">${escapeHtml(y2l[i]!)}</text>`);
    });
  }
  out.push(`<g class="grid">${grid.join('')}</g>`);
  out.push(`<rect x="${r2(px[0])}" y="${r2(py[1])}" width="${r2(px[1] - px[0])}" height="${r2(py[0] - py[1])}" fill="none" stroke="#333"/>`);
  if (o.xLabel) out.push(`<text x="${r2((px[0] + px[1]) / 2)}" y="${r2(H - 10)}" text-anchor="middle">${escapeHtml(o.xLabel)}</text>`);
  const cy = r2((py[0] + py[1]) / 2);
  if (o.yLabel) out.push(`<text x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeHtml(o.yLabel)}</text>`);
  if (sy2 && o.y2Label) {
    const x = r2(px[1] + 56);
    out.push(`<text x="${x}" y="${cy}" text-anchor="middle" transform="rotate(90 ${x} ${cy})">${escapeHtml(o.y2Label)}</text>`);
  }
  if (!o.series.some((s) => s.points.some(ok))) out.push(`<text x="${r2((px[0] + px[1]) / 2)}" y="${r2((py[0] + py[1]) / 2)}" text-anchor="middle" fill="#999">no data</text>`);
  // Series: split into runs of valid points; a run of one point is drawn as a dot.
  o.series.forEach((s, i) => {
    const color = seriesColor(s, i);
    const ys = s.axis === 'right' && sy2 ? sy2 : sy;
    const runs: { x: number; y: number }[][] = [[]];
    for (const p of s.points) {
      if (ok(p)) runs[runs.length - 1]!.push(p as { x: number; y: number });
      else if (runs[runs.length - 1]!.length) runs.push([]);
    }
    const d = runs.filter((r) => r.length > 1).map((r) => r.map((p, j) => `${j ? 'L' : 'M'}${r2(sx(p.x))} ${r2(ys(p.y))}`).join('')).join('');
    const dots = runs.flatMap((r) => (o.dots || r.length === 1 ? r : [])).map((p) => `<circle cx="${r2(sx(p.x))}" cy="${r2(ys(p.y))}" r="2.5" fill="${color}"/>`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const width = s.axis === 'right' ? 1.3 : 1.8;
    out.push(`<g class="series" clip-path="url(#${clipId})"><title>${escapeHtml(s.name)}</title>${d ? `<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round"${dash}/>` : ''}${dots.join('')}</g>`);
  });
  // Markers: a dashed vertical line, a ring at y, the label near the top (staggered so labels do not overlap).
  const marks = (o.markers ?? []).filter((mk) => finite(mk.x) && mk.x >= sx.domain[0] && mk.x <= sx.domain[1]);
  if (marks.length) {
    const items = marks.map((mk, i) => {
      const color = mk.color ?? '#444';
      const x = sx(mk.x);
      const parts = [`<line x1="${r2(x)}" y1="${r2(py[1])}" x2="${r2(x)}" y2="${r2(py[0])}" stroke="${color}" stroke-dasharray="3 3"/>`];
      if (finite(mk.y)) parts.push(`<circle cx="${r2(x)}" cy="${r2(sy(mk.y))}" r="4" fill="#fff" stroke="${color}" stroke-width="2"/>`);
      if (mk.label) {
        const right = x + approxTextWidth(mk.label, 11) + 6 > px[1];
        parts.push(`<text x="${r2(right ? x - 4 : x + 4)}" y="${r2(py[1] + 12 + 13 * (i % 4))}" text-anchor="${right ? 'end' : 'start'}" font-size="11" fill="${color}">${escapeHtml(mk.label)}</text>`);
      }
      return `<g class="marker" data-x="${mk.x}"><title>${escapeHtml(mk.label ?? `x = ${mk.x}`)}</title>${parts.join('')}</g>`;
    });
    out.push(`<g class="markers">${items.join('')}</g>`);
  }
  // Legend, right of the plot (and of the right axis).
  if (o.series.length) {
    const lx = W - legendW - 2;
    const items = o.series.map((s, i) => {
      const color = seriesColor(s, i);
      const y = py[1] + 8 + i * 18;
      const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
      return `<line x1="${r2(lx)}" y1="${r2(y)}" x2="${r2(lx + 20)}" y2="${r2(y)}" stroke="${color}" stroke-width="2.5"${dash}/><text x="${r2(lx + 26)}" y="${r2(y)}" dy="0.32em">${escapeHtml(s.name)}</text>`;
    });
    out.push(`<g class="legend">${items.join('')}</g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Eval records → one series per metric key, x = step (e.g. `seriesFromRecords(history, ['trainAcc', 'valAcc'])`). */
export function seriesFromRecords(records: readonly Record<string, unknown>[], keys: readonly string[], opts: { x?: string } = {}): Series[] {
  const xKey = opts.x ?? 'step';
  return keys.map((k) => ({
    name: k,
    points: records.map((r) => ({ x: Number(r[xKey]), y: typeof r[k] === 'number' ? (r[k] as number) : null })),
  }));
}
