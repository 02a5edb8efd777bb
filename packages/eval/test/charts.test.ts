import { describe, expect, it } from 'vitest';
import { formatTick, lineChart, linearScale, logScale, seriesFromRecords } from '../src/index.js';
import { checkXml } from './helpers.js';

/** The [x, y] vertices of every path in the SVG, per path. */
function paths(svg: string): number[][][] {
  return [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => [...m[1]!.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((v) => [Number(v[1]), Number(v[2])]));
}

describe('lineChart', () => {
  const svg = lineChart({
    title: 'Accuracy <mod 97>',
    xLabel: 'step',
    yLabel: 'accuracy',
    series: [
      { name: 'train & val', points: [{ x: 0, y: 0.1 }, { x: 100, y: 0.5 }, { x: 200, y: 1 }] },
      { name: 'val', points: [{ x: 0, y: 0 }, { x: 200, y: 0.9 }], dashed: true },
    ],
  });

  it('is well-formed SVG with a viewBox, a title, axis labels and a legend', () => {
    expect(checkXml(svg)).toBe('svg');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 640 400"/);
    expect(svg).toContain('Accuracy &lt;mod 97&gt;');
    expect(svg).toContain('>step</text>');
    expect(svg).toContain('rotate(-90');
    expect(svg).toContain('>train &amp; val</text>');
    expect(svg).toContain('stroke-dasharray');
    expect(paths(svg)).toHaveLength(2);
  });

  it('puts round ticks on the axes', () => {
    const xt = [...svg.matchAll(/text-anchor="middle" fill="#333">([^<]+)</g)].map((m) => m[1]);
    expect(xt).toEqual(['0', '50', '100', '150', '200']);
    const yt = [...svg.matchAll(/text-anchor="end" fill="#333">([^<]+)</g)].map((m) => m[1]);
    expect(yt[0]).toBe('0.0');
    expect(yt[yt.length - 1]).toBe('1.0');
  });

  it('fits the x axis to the data: step 0 at the left edge, the last step at the right one', () => {
    const s = lineChart({ width: 640, series: [{ name: 'a', points: [0, 10, 20, 1130].map((x) => ({ x, y: x / 1130 })) }] });
    const [p] = paths(s);
    const frame = /<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*fill="none"/.exec(s)!;
    const [left, right] = [Number(frame[1]), Number(frame[1]) + Number(frame[2])];
    expect(p![0]![0]).toBe(left);
    expect(p![3]![0]).toBeCloseTo(right, 1);
    const xt = [...s.matchAll(/text-anchor="middle" fill="#333">([^<]+)</g)].map((m) => m[1]);
    expect(xt[0]).toBe('0');
    expect(xt[xt.length - 1]).toBe('1k'); // ticks inside the data's range, no padding to 1200
  });

  it('places decades about equally apart on a log x axis that keeps step 0, with no padding to the next decade', () => {
    const s = lineChart({ logX: true, series: [{ name: 'a', points: [0, 1, 10, 100, 1000, 2000].map((x) => ({ x, y: 1 })) }] });
    const [p] = paths(s);
    const xs = p!.map((v) => v[0]!);
    expect(xs).toHaveLength(6);
    const decade = xs[4]! - xs[3]!;
    expect(xs[3]! - xs[2]!).toBeCloseTo(decade, 0);
    expect(Math.abs(xs[2]! - xs[1]! - decade) / decade).toBeLessThan(0.01);
    expect(xs[1]! - xs[0]!).toBeGreaterThan(decade / 2); // 0 sits left of 1, apart from it
    expect(xs[5]! - xs[4]!).toBeCloseTo(decade * Math.log10(2), 0); // 2000 ends the axis, not 10000
    const ticks = [...s.matchAll(/text-anchor="middle" fill="#333">([^<]+)</g)].map((m) => m[1]);
    expect(ticks).toEqual(['0', '1', '10', '100', '1k']);
    checkXml(s);
  });

  it('skips null, NaN and ±∞, breaking the line there', () => {
    const s = lineChart({
      logX: true,
      series: [{ name: 'a', points: [{ x: 0, y: 1 }, { x: 10, y: 1 }, { x: 20, y: 2 }, { x: 30, y: null }, { x: 40, y: NaN }, { x: 50, y: 3 }, { x: 60, y: 4 }, { x: 70, y: Infinity }, { x: 80, y: 5 }] }],
    });
    expect(s).not.toMatch(/NaN|Infinity/);
    const [p] = paths(s);
    expect(p).toHaveLength(5);
    expect((s.match(/<path d="[^"]*"/)![0].match(/M/g) ?? []).length).toBe(2);
    expect((s.match(/<circle/g) ?? []).length).toBe(1); // the lone point at x = 80
    checkXml(s);
  });

  it('draws series on a right axis with its own ticks and label', () => {
    const s = lineChart({
      yRange: [0, 1],
      y2Label: 'loss',
      logY2: true,
      series: [
        { name: 'acc', points: [{ x: 0, y: 0 }, { x: 10, y: 1 }] },
        { name: 'loss', axis: 'right', points: [{ x: 0, y: 5 }, { x: 10, y: 0.01 }] },
      ],
    });
    const [acc, loss] = paths(s);
    expect(loss![0]![1]).toBeCloseTo(acc![1]![1]!, 0); // the largest loss at the top, like accuracy 1
    expect(loss![1]![1]).toBeCloseTo(acc![0]![1]!, 0); // the smallest at the bottom
    const right = [...s.matchAll(/text-anchor="start" fill="#333">([^<]+)</g)].map((m) => m[1]);
    expect(right).toEqual(expect.arrayContaining(['0.1', '1']));
    expect(s).toContain('>loss</text>');
    checkXml(s);
  });

  it('draws markers: a line at x, a ring at y and the label', () => {
    const s = lineChart({ yRange: [0, 1], series: [{ name: 'val', points: [{ x: 0, y: 0 }, { x: 100, y: 1 }] }], markers: [{ x: 50, y: 0.5, label: 'val ≥ 50% at 50', color: '#D55E00' }, { x: 500, label: 'off the axis' }] });
    const [p] = paths(s);
    const mid = [(p![0]![0] + p![1]![0]) / 2, (p![0]![1] + p![1]![1]) / 2];
    const g = /<g class="marker" data-x="50">(.*?)<\/g>/.exec(s)![1]!;
    expect(Number(/<line x1="([\d.]+)"/.exec(g)![1])).toBeCloseTo(mid[0]!, 1);
    const ring = /<circle cx="([\d.]+)" cy="([\d.]+)"/.exec(g)!;
    expect(Number(ring[2])).toBeCloseTo(mid[1]!, 1);
    expect(g).toContain('val ≥ 50% at 50');
    expect(s).not.toContain('off the axis');
    checkXml(s);
  });

  it('honours yRange (clipping) and draws an empty chart without data', () => {
    const s = lineChart({ yRange: [0, 1], series: [{ name: 'a', points: [{ x: 0, y: 2 }, { x: 1, y: 0.5 }] }] });
    expect(s).toContain('clip-path="url(#');
    const yt = [...s.matchAll(/text-anchor="end" fill="#333">([^<]+)</g)].map((m) => m[1]);
    expect(yt[0]).toBe('0.0');
    expect(yt[yt.length - 1]).toBe('1.0');
    const empty = lineChart({ series: [{ name: 'none', points: [{ x: 1, y: null }] }] });
    expect(empty).toContain('no data');
    checkXml(empty);
  });

  it('builds series from eval records', () => {
    const s = seriesFromRecords([{ step: 0, acc: 0.1 }, { step: 10, acc: null }], ['acc']);
    expect(s).toEqual([{ name: 'acc', points: [{ x: 0, y: 0.1 }, { x: 10, y: null }] }]);
  });
});

describe('scales and ticks', () => {
  it('linear scales widen to round ticks', () => {
    const s = linearScale(0.03, 0.97, [0, 100]);
    expect(s.domain).toEqual([0, 1]);
    expect(s.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(s(0.5)).toBe(50);
  });
  it('log scales keep 0, fit the domain and tick the decades inside it (2 and 5 too over short spans)', () => {
    const s = logScale(3, 4000, [0, 400]);
    expect(s.domain[0]).toBeCloseTo(3, 9);
    expect(s.domain[1]).toBeCloseTo(4000, 6);
    expect(s.ticks).toEqual([10, 100, 1000]);
    expect(s(3)).toBeCloseTo(0, 9);
    expect(s(4000)).toBeCloseTo(400, 9);
    expect(logScale(1, 100, [0, 1]).ticks).toEqual([1, 2, 5, 10, 20, 50, 100]);
    const z = logScale(0, 2000, [0, 1], { threshold: 1 });
    expect(z.ticks).toEqual([0, 10, 100, 1000]);
    expect(z(0)).toBe(0);
    expect(z(1000) - z(100)).toBeCloseTo(z(100) - z(10), 2);
    expect(() => logScale(0, 10, [0, 1], { threshold: 0 })).toThrow(/positive threshold, got 0/);
  });
  it('formats ticks compactly', () => {
    expect(formatTick(20000, [0, 10000, 20000])).toBe('20k');
    expect(formatTick(1500, [0, 500, 1000, 1500])).toBe('1.5k');
    expect(formatTick(2e6, [0, 1e6, 2e6])).toBe('2M');
    expect(formatTick(0.25, [0, 0.25, 0.5])).toBe('0.25');
    expect(formatTick(0.5, [0, 0.25, 0.5])).toBe('0.50');
  });
});
