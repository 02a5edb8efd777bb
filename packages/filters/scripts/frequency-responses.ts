/**
 * Print a Markdown table of |1 + H(ω)| for the built-in filters and write
 * assets/frequency-response.svg (log-frequency axis). Run: npx tsx scripts/frequency-responses.ts
 */
import { writeFileSync } from 'node:fs';
import { butterworth, specToCoefficients, transferAt, type ResponseSource } from '../src/index.js';

const filters: [string, ResponseSource, string][] = [
  ['EMA α=0.98, λ=2', { kind: 'ema', alpha: 0.98, lamb: 2 }, '#1f77b4'],
  ['EMA α=0.8, λ=0.1', { kind: 'ema', alpha: 0.8, lamb: 0.1 }, '#9467bd'],
  ['MA w=100, λ=5 (mean)', { kind: 'ma', windowSize: 100, lamb: 5, filterType: 'mean' }, '#ff7f0e'],
  ['Butterworth N=2, cutoff 0.02, λ=2', { kind: 'lti', ...butterworth({ order: 2, cutoff: 0.02 }), lamb: 2 }, '#2ca02c'],
  ['Butterworth N=4, cutoff 0.02, λ=2', { kind: 'lti', ...butterworth({ order: 4, cutoff: 0.02 }), lamb: 2 }, '#d62728'],
];

const gain = (src: ResponseSource, w: number) => {
  const { b, a } = specToCoefficients(src);
  const [re, im] = transferAt(b, a, w);
  return Math.hypot(1 + re, im);
};

const cols = [0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
const lines = [
  `| filter | ${cols.map((c) => `ω=${c}π`).join(' | ')} |`,
  `|---|${cols.map(() => '---:').join('|')}|`,
  ...filters.map(([name, src]) => `| ${name} | ${cols.map((c) => gain(src, c * Math.PI).toFixed(3)).join(' | ')} |`),
];
console.log(lines.join('\n'));

// SVG: x = log10(ω/π) from −3 to 0, y = |1+H| from 0 to 6.5
const [W, H, L, R, T, B] = [720, 400, 60, 250, 20, 50];
const x = (v: number) => L + ((Math.log10(v) + 3) / 3) * (W - L - R);
const y = (v: number) => T + (1 - v / 6.5) * (H - T - B);
const parts: string[] = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
  `<rect width="${W}" height="${H}" fill="white"/>`,
];
for (const d of [0.001, 0.01, 0.1, 1]) {
  parts.push(`<line x1="${x(d)}" y1="${T}" x2="${x(d)}" y2="${H - B}" stroke="#ddd"/>`);
  parts.push(`<text x="${x(d)}" y="${H - B + 16}" text-anchor="middle">${d}π</text>`);
}
for (let v = 0; v <= 6; v++) {
  parts.push(`<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#eee"/>`);
  parts.push(`<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
}
parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">frequency ω (radians per step, log scale)</text>`);
parts.push(`<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">|1 + H(ω)|</text>`);
filters.forEach(([name, src, color], i) => {
  const pts: string[] = [];
  for (let k = 0; k <= 300; k++) {
    const v = 10 ** (-3 + (3 * k) / 300);
    pts.push(`${x(v).toFixed(1)},${y(gain(src, v * Math.PI)).toFixed(1)}`);
  }
  parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
  parts.push(`<line x1="${W - R + 12}" y1="${T + 14 + i * 20}" x2="${W - R + 32}" y2="${T + 14 + i * 20}" stroke="${color}" stroke-width="2"/>`);
  parts.push(`<text x="${W - R + 38}" y="${T + 18 + i * 20}">${name}</text>`);
});
parts.push('</svg>');
writeFileSync(new URL('../assets/frequency-response.svg', import.meta.url), parts.join('\n') + '\n');
