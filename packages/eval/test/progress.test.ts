import { describe, expect, it } from 'vitest';
import { Progress, formatDuration } from '../src/index.js';

function fake(isTTY: boolean) {
  return { out: '', isTTY, columns: 100, write(s: string) { this.out += s; } };
}

describe('Progress', () => {
  it('redraws one line in place on a TTY with count, rate, ETA and metrics', () => {
    let t = 0;
    const stream = fake(true);
    const p = new Progress({ total: 100, label: 'run', stream, now: () => t });
    t = 2;
    p.update(50, { valAcc: 0.5 });
    expect(stream.out).toBe('\rrun [██████████░░░░░░░░░░] 50/100 (50%) 25 it/s ETA 0:02 | valAcc 0.5\x1b[K');
    t = 2.05;
    p.update(51);
    expect(stream.out.split('\r')).toHaveLength(2); // rate-limited: no redraw within 0.1 s
    t = 4;
    p.finish();
    expect(stream.out.split('\r')[2]).toBe('run [██████████░░░░░░░░░░] 51/100 (51%) 12.8 it/s ETA 0:04 | valAcc 0.5\x1b[K\n');
  });

  it('truncates to the terminal width', () => {
    const stream = fake(true);
    stream.columns = 30;
    const p = new Progress({ total: 10, stream, now: () => 1 });
    p.update(1, { aVeryLongMetricName: 1, another: 2 });
    const line = stream.out.replace('\r', '').replace('\x1b[K', '');
    expect(line.length).toBe(29);
    expect(line.endsWith('…')).toBe(true);
  });

  it('prints plain lines at an interval when not a TTY, and nothing when off', () => {
    let t = 0;
    const stream = fake(false);
    const p = new Progress({ total: 10, stream, interval: 5, now: () => t, unit: 'run' });
    for (let i = 1; i <= 10; i++) {
      t = i;
      p.update(i);
    }
    p.finish();
    const lines = stream.out.trim().split('\n');
    expect(lines).toEqual(['1/10 (10%) 1 run/s ETA 0:09', '6/10 (60%) 1 run/s ETA 0:04', '10/10 (100%) 1 run/s in 0:10']);
    const off = fake(true);
    const q = new Progress({ total: 3, stream: off, mode: false });
    q.update(3);
    q.log('x');
    q.finish();
    expect(off.out).toBe('');
  });

  it('counts a resumed run from its initial step, and logs above the bar', () => {
    let t = 0;
    const stream = fake(true);
    const p = new Progress({ total: 100, initial: 50, stream, now: () => t });
    t = 5;
    p.update(60);
    expect(p.rate()).toBe(2);
    p.log('checkpoint written');
    expect(stream.out).toContain('\r\x1b[Kcheckpoint written\n\r');
  });

  it('does not repeat the last plain line on finish', () => {
    let t = 0;
    const stream = fake(false);
    const p = new Progress({ total: 2, stream, interval: 0, now: () => t });
    t = 1;
    p.update(1);
    t = 2;
    p.update(2);
    p.finish();
    expect(stream.out).toBe('1/2 (50%) 1 it/s ETA 0:01\n2/2 (100%) 1 it/s in 0:02\n');
  });

  it('formats durations', () => {
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(7384)).toBe('2:03:04');
    expect(formatDuration(NaN)).toBe('?');
  });
});
