import { describe, expect, it } from 'vitest';
import { compareChart, curve, lineChart, runChart, stepsToThreshold } from '../src/index.js';
import { checkXml } from './helpers.js';

// memorises at step 30, generalises at step 120
const records = Array.from({ length: 16 }, (_, i) => {
  const step = 10 * i;
  return { step, trainAcc: Math.min(1, step / 30), valAcc: step < 120 ? 0.05 : 0.97, valLoss: step < 120 ? 4 + step / 100 : 0.1, wallSeconds: i };
});

describe('runChart', () => {
  it('puts train and validation accuracy on one chart, loss on a right axis, and marks where each reaches the threshold', () => {
    const c = runChart(records, { title: 'seed 0' });
    expect(c.series.map((s) => [s.name, s.axis ?? 'left', !!s.dashed])).toEqual([
      ['train acc', 'left', true],
      ['val acc', 'left', false],
      ['val loss', 'right', false],
    ]);
    expect(c.series[1]!.points.map((p) => p.x)).toEqual(records.map((r) => r.step)); // step 0 kept
    expect(c.logY2).toBe(true);
    expect(c.markers!.map((m) => [m.x, m.y])).toEqual([[30, 0.95], [120, 0.95]]);
    expect(c.markers!.map((m) => m.label)).toEqual(['train ≥ 95% at 30', 'val ≥ 95% at 120']);
    const svg = lineChart(c);
    expect(checkXml(svg)).toBe('svg');
    expect(svg.match(/<g class="marker"/g)).toHaveLength(2);
  });

  it('marks only the curves that reach the threshold, and leaves out losses that were not logged', () => {
    const c = runChart(records.map(({ valLoss: _, ...r }) => r), { threshold: 0.99 });
    expect(c.markers!.map((m) => m.label)).toEqual(['train ≥ 99% at 30']);
    expect(c.series.every((s) => s.axis !== 'right')).toBe(true);
    expect(c.y2Label).toBeUndefined();
  });
});

describe('compareChart', () => {
  it('draws one metric of every run with a marker in its colour at its crossing', () => {
    const late = records.map((r) => ({ ...r, valAcc: r.step >= 150 ? 0.96 : 0.1 }));
    const never = records.map((r) => ({ ...r, valAcc: 0.5 }));
    const c = compareChart([{ name: 'EMA', records }, { name: 'baseline', records: late, color: '#000000' }, { name: 'none', records: never }]);
    expect(c.series.map((s) => s.name)).toEqual(['EMA', 'baseline', 'none']);
    expect(c.markers).toEqual([
      { x: stepsToThreshold(curve(records, 'valAcc'), 0.95), y: 0.95, label: 'EMA ≥ 95% at 120', color: c.series[0]!.color },
      { x: 150, y: 0.95, label: 'baseline ≥ 95% at 150', color: '#000000' },
    ]);
  });
});
