/**
 * A small accuracy chart on a canvas: train and validation accuracy against the step, with axis
 * titles, a dashed 95% line and a labelled vertical marker wherever the filter changed.
 */

export interface ChartPoint {
  step: number;
  trainAcc: number;
  valAcc: number;
}

export interface ChartMarker {
  step: number;
  label: string;
}

const COLORS = { train: '#2f6fdf', val: '#e0582b', grid: '#d8dce3', text: '#4a5160', marker: '#8a8f99' };
const PAD = { left: 62, right: 16, top: 14, bottom: 46 };

export class AccuracyChart {
  private points: ChartPoint[] = [];
  private markers: ChartMarker[] = [];
  private pending = false;

  constructor(private readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.requestDraw()).observe(canvas);
  }

  get size(): number {
    return this.points.length;
  }

  add(p: ChartPoint): void {
    this.points.push(p);
    this.requestDraw();
  }

  mark(m: ChartMarker): void {
    this.markers.push(m);
    this.requestDraw();
  }

  clear(): void {
    this.points = [];
    this.markers = [];
    this.requestDraw();
  }

  /** Redraw once per animation frame at most, however many points arrive. */
  private requestDraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private draw(): void {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '11px system-ui, sans-serif';

    const plotW = Math.max(1, w - PAD.left - PAD.right);
    const plotH = Math.max(1, h - PAD.top - PAD.bottom);
    const last = this.points.at(-1)?.step ?? 0;
    const maxStep = niceCeil(Math.max(10, last));
    const x = (step: number) => PAD.left + (step / maxStep) * plotW;
    const y = (acc: number) => PAD.top + (1 - acc) * plotH;

    // grid and axes labels
    ctx.strokeStyle = COLORS.grid;
    ctx.fillStyle = COLORS.text;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let a = 0; a <= 1.0001; a += 0.25) {
      line(ctx, PAD.left, y(a), PAD.left + plotW, y(a));
      ctx.fillText(`${Math.round(a * 100)}%`, PAD.left - 6, y(a));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let i = 0; i <= 5; i++) {
      const s = (maxStep * i) / 5;
      line(ctx, x(s), PAD.top, x(s), PAD.top + plotH);
      ctx.fillText(String(Math.round(s)), x(s), PAD.top + plotH + 6);
    }
    // axis titles
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'bottom';
    ctx.fillText('training step (optimizer updates)', PAD.left + plotW / 2, h - 4);
    ctx.save();
    ctx.translate(14, PAD.top + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText('accuracy', 0, 0);
    ctx.restore();
    ctx.font = '11px system-ui, sans-serif';

    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = COLORS.text;
    line(ctx, PAD.left, y(0.95), PAD.left + plotW, y(0.95));

    // filter changes
    ctx.strokeStyle = COLORS.marker;
    ctx.fillStyle = COLORS.marker;
    ctx.textAlign = 'left';
    for (const m of this.markers) {
      line(ctx, x(m.step), PAD.top, x(m.step), PAD.top + plotH);
      ctx.fillText(m.label, x(m.step) + 3, PAD.top + 2);
    }
    ctx.setLineDash([]);

    // the two curves
    ctx.lineWidth = 2;
    for (const [key, color] of [['trainAcc', COLORS.train], ['valAcc', COLORS.val]] as const) {
      ctx.strokeStyle = color;
      ctx.beginPath();
      this.points.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.step), y(p[key])) : ctx.lineTo(x(p.step), y(p[key]))));
      ctx.stroke();
    }
  }
}

function line(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

/** The smallest of 1, 2, 2.5, 5 × 10^k that is at least v, so the step axis grows in round numbers. */
function niceCeil(v: number): number {
  const base = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * base >= v) return m * base;
  return 10 * base;
}
