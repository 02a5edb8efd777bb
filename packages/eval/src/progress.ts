import { formatNumber } from './metrics.js';

/**
 * `'auto'` (and `true`): a bar redrawn in place on a TTY, plain lines otherwise; `'bar'` or
 * `'lines'` force one; `false` prints nothing.
 */
export type ProgressMode = boolean | 'auto' | 'bar' | 'lines';

/** Where progress goes: process.stderr by default (where there is one); anything with `write` (and optionally isTTY/columns). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  total: number;
  label?: string;
  mode?: ProgressMode;
  stream?: ProgressStream;
  /** Seconds between plain lines (default 5); the bar redraws at most every 0.1 s. */
  interval?: number;
  /** Unit of the rate (default "it", shown as it/s). */
  unit?: string;
  /** Count already done before this session (a resumed run): shown, but not counted in the rate. */
  initial?: number;
  /** Clock in seconds (for tests). */
  now?: () => number;
}

export type ProgressInfo = Record<string, number | string | null | undefined>;

/** "1:05", "2:03:04", "?" */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function formatInfo(info: ProgressInfo): string {
  return Object.entries(info)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v, 4) : v === null ? '—' : v}`)
    .join(' ');
}

/** A one-line progress display: count, rate, ETA and the latest metrics. */
export class Progress {
  readonly mode: 'bar' | 'lines' | 'off';
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly start: number;
  private readonly initial: number;
  private readonly interval: number;
  private done: number;
  private info: ProgressInfo = {};
  private lastDraw = -Infinity;
  private drawn = false;
  private finished = false;
  private dirty = true;

  constructor(private readonly o: ProgressOptions) {
    // In a page there is no process.stderr: without a stream given, progress is off there.
    const stream = o.stream ?? (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr;
    this.stream = stream ?? { write: () => undefined };
    const m = o.mode ?? 'auto';
    this.mode = m === false || !stream ? 'off' : m === 'bar' || m === 'lines' ? m : this.stream.isTTY ? 'bar' : 'lines';
    this.now = o.now ?? (() => performance.now() / 1000);
    this.start = this.now();
    this.initial = o.initial ?? 0;
    this.done = this.initial;
    this.interval = o.interval ?? 5;
  }

  /** Items per second since this display started (excluding `initial`). */
  rate(): number {
    const dt = this.now() - this.start;
    return dt > 0 ? (this.done - this.initial) / dt : 0;
  }

  /** The text of the current line (without control characters). */
  line(): string {
    const { total, label, unit = 'it' } = this.o;
    const rate = this.rate();
    const eta = rate > 0 ? (total - this.done) / rate : NaN;
    const parts: string[] = [];
    if (label) parts.push(label);
    if (this.mode === 'bar') {
      const w = 20;
      const fill = total > 0 ? Math.round((Math.min(this.done, total) / total) * w) : 0;
      parts.push(`[${'█'.repeat(fill)}${'░'.repeat(w - fill)}]`);
    }
    const pct = total > 0 ? Math.floor((100 * this.done) / total) : 100;
    parts.push(`${this.done}/${total} (${pct}%)`, `${formatNumber(rate, 3)} ${unit}/s`);
    parts.push(this.done >= total ? `in ${formatDuration(this.now() - this.start)}` : `ETA ${formatDuration(eta)}`);
    const info = formatInfo(this.info);
    return parts.join(' ') + (info ? ` | ${info}` : '');
  }

  /** Set the count (and merge metrics to show); redraws when due. */
  update(done: number, info?: ProgressInfo): void {
    this.done = done;
    if (info) Object.assign(this.info, info);
    this.dirty = true;
    if (this.mode === 'off' || this.finished) return;
    const t = this.now();
    const minGap = this.mode === 'bar' ? 0.1 : this.interval;
    if (t - this.lastDraw >= minGap || (this.mode === 'bar' && done >= this.o.total)) this.draw(t);
  }

  /** Print a line of text without garbling the bar. */
  log(text: string): void {
    if (this.mode === 'off') return;
    if (this.mode === 'bar' && this.drawn) this.stream.write('\r\x1b[K');
    this.stream.write(text + '\n');
    if (this.mode === 'bar' && this.drawn && !this.finished) this.draw(this.now());
  }

  /** Draw the last state and end the line. */
  finish(info?: ProgressInfo): void {
    if (info) Object.assign(this.info, info);
    if (this.mode === 'off' || this.finished) return;
    if (this.mode === 'bar' || this.dirty || info) this.draw(this.now());
    if (this.mode === 'bar') this.stream.write('\n');
    this.finished = true;
  }

  private draw(t: number): void {
    this.lastDraw = t;
    this.dirty = false;
    let text = this.line();
    if (this.mode === 'bar') {
      const cols = this.stream.columns ?? 120;
      if (text.length > cols - 1) text = text.slice(0, Math.max(0, cols - 2)) + '…';
      this.stream.write(`\r${text}\x1b[K`);
      this.drawn = true;
    } else {
      this.stream.write(text + '\n');
    }
  }
}
