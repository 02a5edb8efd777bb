import { escapeHtml } from './markdown.js';

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
}

export interface LineChartOptions {
  series: readonly Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic x axis (decades equally spaced); points with x ≤ 0 are skipped. */
  logX?: boolean;
  logY?: boolean;
  /** Fixed axis ranges; lines outside are clipped. Default: the data's range, widened to round ticks. */
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
  width?: number;
  height?: number;
  /** Draw a dot at every point (default: only where a point has no neighbour to join). */
  markers?: boolean;
}

/** A colour-blind-friendly palette (Okabe–Ito order, then greys). */
export const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442', '#999999'];

/** A map from data to pixels, with its tick positions. */
export interface Scale {
  (v: number): number;
  domain: readonly [number, number];
  ticks: number[];
  /** Unlabelled positions for a light grid (2×…9× each decade on a log scale spanning more than 2 decades). */
  minor: number[];
  log: boolean;
}

/** A round step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`. */
export function niceStep(span: number, count = 5): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/** A linear scale whose domain is widened to whole multiples of a round tick step (unless `exact`). */
export function linearScale(min: number, max: number, range: readonly [number, number], opts: { exact?: boolean; ticks?: number } = {}): Scale {
  if (min === max) {
    const d = min === 0 ? 1 : Math.abs(min) / 2;
    min -= d;
    max += d;
  }
  const step = niceStep(max - min, opts.ticks ?? 5);
  const lo = opts.exact ? min : Math.floor(min / step + 1e-9) * step;
  const hi = opts.exact ? max : Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9); t * step <= hi + step * 1e-9; t++) ticks.push(Number((t * step).toPrecision(12)));
  const [r0, r1] = range;
  const f = ((v: number) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0)) as Scale;
  return Object.assign(f, { domain: [lo, hi] as const, ticks, minor: [], log: false });
}

/** A log10 scale over whole decades (unless `exact`); ticks at decades, plus 2× and 5× when it spans ≤ 2 decades. */
export function logScale(min: number, max: number, range: readonly [number, number], opts: { exact?: boolean } = {}): Scale {
  if (!(min > 0 && max > 0)) throw new Error(`logScale: expected a positive domain, got [${min}, ${max}]`);
  let l0 = Math.log10(min);
  let l1 = Math.log10(max);
  if (!opts.exact) {
    l0 = Math.floor(l0 + 1e-9);
    l1 = Math.ceil(l1 - 1e-9);
  }
  if (l1 - l0 < 1e-12) {
    l0 -= 0.5;
    l1 += 0.5;
  }
  const ticks: number[] = [];
  const mults = l1 - l0 <= 2 ? [1, 2, 5] : [1];
  for (let d = Math.floor(l0); d <= Math.ceil(l1); d++) {
    for (const m of mults) {
      const v = Number((m * 10 ** d).toPrecision(12));
      const lv = Math.log10(v);
      if (lv >= l0 - 1e-9 && lv <= l1 + 1e-9) ticks.push(v);
    }
  }
  const minor: number[] = [];
  if (mults.length === 1) {
    for (let d = Math.floor(l0); d < Math.ceil(l1); d++) {
      for (let m = 2; m <= 9; m++) {
        const lv = Math.log10(m * 10 ** d);
        if (lv > l0 && lv < l1) minor.push(m * 10 ** d);
      }
    }
  }
  const [r0, r1] = range;
  const f = ((v: number) => r0 + ((Math.log10(v) - l0) / (l1 - l0)) * (r1 - r0)) as Scale;
  return Object.assign(f, { domain: [10 ** l0, 10 ** l1] as const, ticks, minor, log: true });
}

/** Tick text: 1k/20k/1M for round thousands, otherwise as many decimals as the spacing needs. */
export function formatTick(v: number, ticks: readonly number[]): string {
  const a = Math.abs(v);
  const si = (d: number, s: string) => `${Number((v / d).toPrecision(6))}${s}`;
  if (a >= 1e6 && Math.abs(v % 1e5) < 1e-6) return si(1e6, 'M');
  if (a >= 1e3 && Math.abs(v % 100) < 1e-6) return si(1e3, 'k');
  if (a >= 1e9 || (a > 0 && a < 1e-4)) return v.toExponential(0);
  const decimals = Math.max(0, ...ticks.filter((t) => t !== 0).map((t) => {
    let d = 0;
    while (d < 10 && Math.abs(Number(t.toFixed(d)) - t) > Math.abs(t) * 1e-9) d++;
    return d;
  }));
  return v.toFixed(decimals);
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
 * A line chart as a standalone SVG string: one line per series, axes with ticks and grid, axis
 * labels, a legend and an optional title. Points whose x or y is null, NaN or ±∞ (or x ≤ 0 on a
 * log axis) are skipped and break the line there.
 */
export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 400;
  const valid = (v: number | null | undefined, log?: boolean): v is number => typeof v === 'number' && Number.isFinite(v) && (!log || v > 0);
  const ok = (p: ChartPoint) => valid(p.x, o.logX) && valid(p.y, o.logY);
  const pts = o.series.flatMap((s) => s.points.filter(ok)) as { x: number; y: number }[];
  const legendW = o.series.length ? Math.max(...o.series.map((s) => approxTextWidth(s.name, 12))) + 34 : 0;
  const m = { top: o.title ? 36 : 14, right: 16 + legendW, bottom: o.xLabel ? 48 : 30, left: o.yLabel ? 64 : 48 };
  const px: [number, number] = [m.left, W - m.right];
  const py: [number, number] = [H - m.bottom, m.top];
  const extent = (vals: number[], fallback: [number, number]): [number, number] => (vals.length ? [Math.min(...vals), Math.max(...vals)] : fallback);
  const [x0, x1] = o.xRange ?? extent(pts.map((p) => p.x), o.logX ? [1, 10] : [0, 1]);
  const [y0, y1] = o.yRange ?? extent(pts.map((p) => p.y), o.logY ? [1, 10] : [0, 1]);
  const exactX = !!o.xRange;
  const exactY = !!o.yRange;
  const sx = o.logX ? logScale(x0, x1, px, { exact: exactX }) : linearScale(x0, x1, px, { exact: exactX, ticks: Math.max(2, Math.round((px[1] - px[0]) / 90)) });
  const sy = o.logY ? logScale(y0, y1, py, { exact: exactY }) : linearScale(y0, y1, py, { exact: exactY, ticks: Math.max(2, Math.round((py[0] - py[1]) / 50)) });
  const clipId = `gk-clip-${hash(JSON.stringify([o.title, W, H, o.series.map((s) => [s.name, s.points.length, s.points[0]?.x, s.points[0]?.y])]))}`;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  if (o.title) out.push(`<text x="${r2((px[0] + px[1]) / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeHtml(o.title)}</text>`);
  out.push(`<defs><clipPath id="${clipId}"><rect x="${r2(px[0])}" y="${r2(py[1])}" width="${r2(px[1] - px[0])}" height="${r2(py[0] - py[1])}"/></clipPath></defs>`);
  // Grid and ticks.
  const grid: string[] = [];
  for (const t of sx.minor) grid.push(`<line x1="${r2(sx(t))}" y1="${r2(py[1])}" x2="${r2(sx(t))}" y2="${r2(py[0])}" stroke="#f2f2f2"/>`);
  for (const t of sy.minor) grid.push(`<line x1="${r2(px[0])}" y1="${r2(sy(t))}" x2="${r2(px[1])}" y2="${r2(sy(t))}" stroke="#f2f2f2"/>`);
  for (const t of sx.ticks) {
    const x = r2(sx(t));
    grid.push(`<line x1="${x}" y1="${r2(py[1])}" x2="${x}" y2="${r2(py[0])}" stroke="#e5e5e5"/>`);
    grid.push(`<text x="${x}" y="${r2(py[0] + 16)}" text-anchor="middle" fill="#333">${escapeHtml(formatTick(t, sx.ticks))}</text>`);
  }
  for (const t of sy.ticks) {
    const y = r2(sy(t));
    grid.push(`<line x1="${r2(px[0])}" y1="${y}" x2="${r2(px[1])}" y2="${y}" stroke="#e5e5e5"/>`);
    grid.push(`<text x="${r2(px[0] - 6)}" y="${y}" dy="0.32em" text-anchor="end" fill="#333">${escapeHtml(formatTick(t, sy.ticks))}</text>`);
  }
  out.push(`<g class="grid">${grid.join('')}</g>`);
  out.push(`<rect x="${r2(px[0])}" y="${r2(py[1])}" width="${r2(px[1] - px[0])}" height="${r2(py[0] - py[1])}" fill="none" stroke="#333"/>`);
  if (o.xLabel) out.push(`<text x="${r2((px[0] + px[1]) / 2)}" y="${r2(H - 10)}" text-anchor="middle">${escapeHtml(o.xLabel)}</text>`);
  if (o.yLabel) {
    const cy = r2((py[0] + py[1]) / 2);
    out.push(`<text x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeHtml(o.yLabel)}</text>`);
  }
  if (pts.length === 0) out.push(`<text x="${r2((px[0] + px[1]) / 2)}" y="${r2((py[0] + py[1]) / 2)}" text-anchor="middle" fill="#999">no data</text>`);
  // Series: split into runs of valid points; a run of one point is drawn as a dot.
  o.series.forEach((s, i) => {
    const color = s.color ?? palette[i % palette.length]!;
    const runs: { x: number; y: number }[][] = [[]];
    for (const p of s.points) {
      if (ok(p)) runs[runs.length - 1]!.push(p as { x: number; y: number });
      else if (runs[runs.length - 1]!.length) runs.push([]);
    }
    const d = runs.filter((r) => r.length > 1).map((r) => r.map((p, j) => `${j ? 'L' : 'M'}${r2(sx(p.x))} ${r2(sy(p.y))}`).join('')).join('');
    const dots = runs.flatMap((r) => (o.markers || r.length === 1 ? r : [])).map((p) => `<circle cx="${r2(sx(p.x))}" cy="${r2(sy(p.y))}" r="2.5" fill="${color}"/>`);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<g class="series" clip-path="url(#${clipId})"><title>${escapeHtml(s.name)}</title>${d ? `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round"${dash}/>` : ''}${dots.join('')}</g>`);
  });
  // Legend, right of the plot.
  if (o.series.length) {
    const lx = px[1] + 14;
    const items = o.series.map((s, i) => {
      const color = s.color ?? palette[i % palette.length]!;
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
