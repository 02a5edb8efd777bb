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

  it('places x = 10 and x = 100 one decade apart on a log axis', () => {
    const s = lineChart({ logX: true, series: [{ name: 'a', points: [1, 10, 100, 1000].map((x) => ({ x, y: Math.log10(x) })) }] });
    const [p] = paths(s);
    const xs = p!.map((v) => v[0]!);
    expect(xs).toHaveLength(4);
    expect(xs[2]! - xs[1]!).toBeCloseTo(xs[1]! - xs[0]!, 1);
    expect(xs[3]! - xs[2]!).toBeCloseTo(xs[2]! - xs[1]!, 1);
    const ticks = [...s.matchAll(/text-anchor="middle" fill="#333">([^<]+)</g)].map((m) => m[1]);
    expect(ticks).toEqual(['1', '10', '100', '1k']);
    checkXml(s);
  });

  it('skips null, NaN and (on a log axis) non-positive x, breaking the line there', () => {
    const s = lineChart({
      logX: true,
      series: [{ name: 'a', points: [{ x: 0, y: 1 }, { x: 10, y: 1 }, { x: 20, y: 2 }, { x: 30, y: null }, { x: 40, y: NaN }, { x: 50, y: 3 }, { x: 60, y: 4 }, { x: 70, y: Infinity }, { x: 80, y: 5 }] }],
    });
    expect(s).not.toMatch(/NaN|Infinity/);
    const [p] = paths(s);
    expect(p).toHaveLength(4);
    expect((s.match(/<path d="[^"]*"/)![0].match(/M/g) ?? []).length).toBe(2);
    expect((s.match(/<circle/g) ?? []).length).toBe(1); // the lone point at x = 80
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
  it('log scales cover whole decades, with 2 and 5 ticks over short spans', () => {
    const s = logScale(3, 4000, [0, 400]);
    expect(s.domain).toEqual([1, 10000]);
    expect(s.ticks).toEqual([1, 10, 100, 1000, 10000]);
    expect(s(100)).toBeCloseTo(200, 9);
    expect(logScale(1, 100, [0, 1]).ticks).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(() => logScale(0, 10, [0, 1])).toThrow(/positive domain/);
  });
  it('formats ticks compactly', () => {
    expect(formatTick(20000, [0, 10000, 20000])).toBe('20k');
    expect(formatTick(1500, [0, 500, 1000, 1500])).toBe('1.5k');
    expect(formatTick(2e6, [0, 1e6, 2e6])).toBe('2M');
    expect(formatTick(0.25, [0, 0.25, 0.5])).toBe('0.25');
    expect(formatTick(0.5, [0, 0.25, 0.5])).toBe('0.50');
  });
});
