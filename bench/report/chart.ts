// The latency–throughput chart of GetVideo as plain SVG text: achieved req/s across,
// latency up (p50 solid, p99 dashed), one colour per server. Each curve
// runs from the lowest offered rate to the unlimited (peak) run. Both axes are log
// scales, as the servers' peaks lie an order of magnitude apart.

export interface CurvePoint {
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface Curve {
  readonly label: string;
  readonly points: readonly CurvePoint[];
}

const width = 860;
const height = 520;
const margin = { left: 70, right: 230, top: 50, bottom: 60 };
const colours = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** 1, 2 and 5 times every power of ten from `min` to `max` (both powers of ten). */
function gridValues(min: number, max: number): number[] {
  const values: number[] = [];
  for (let decade = min; decade <= max * 1.0001; decade *= 10) {
    for (const factor of [1, 2, 5]) if (decade * factor <= max * 1.0001) values.push(decade * factor);
  }
  return values;
}

function isDecade(value: number): boolean {
  return Math.abs(Math.log10(value) - Math.round(Math.log10(value))) < 1e-9;
}

function label(value: number): string {
  if (value >= 1000) return `${value / 1000}k`;
  return value >= 1 ? String(Math.round(value)) : String(Number(value.toPrecision(1)));
}

/** The SVG document for `curves`, titled `title`. */
export function latencyThroughputSvg(title: string, subtitle: string, curves: readonly Curve[]): string {
  const points = curves.flatMap((curve) => curve.points).filter((p) => p.reqPerSec > 0 && p.p50Ms > 0 && p.p99Ms > 0);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  // Both axes logarithmic: the servers' peaks differ by an order of magnitude or more.
  const xMin = 10 ** Math.floor(Math.log10(Math.min(...points.map((p) => p.reqPerSec), 10)));
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(...points.map((p) => p.reqPerSec), 100)));
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...points.map((p) => p.p50Ms), 1)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...points.map((p) => p.p99Ms), 10)));
  const scale = (value: number, min: number, max: number) => (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
  const x = (reqPerSec: number) => margin.left + scale(reqPerSec, xMin, xMax) * plotWidth;
  const y = (ms: number) => margin.top + plotHeight - scale(ms, yMin, yMax) * plotHeight;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${margin.left}" y="22" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  parts.push(`<text x="${margin.left}" y="40" fill="#555">${escapeXml(subtitle)}</text>`);
  // Grid lines at 1, 2 and 5 of every decade, labelled.
  for (const value of gridValues(yMin, yMax)) {
    const major = isDecade(value);
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="${major ? '#ccc' : '#eee'}"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" fill="${major ? '#000' : '#888'}">${label(value)}</text>`);
  }
  for (const value of gridValues(xMin, xMax)) {
    const major = isDecade(value);
    parts.push(`<line x1="${x(value).toFixed(1)}" x2="${x(value).toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="${major ? '#ccc' : '#eee'}"/>`);
    parts.push(`<text x="${x(value).toFixed(1)}" y="${margin.top + plotHeight + 18}" text-anchor="middle" fill="${major ? '#000' : '#888'}">${label(value)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#000"/>`);
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 16}" text-anchor="middle">achieved throughput (req/s, log scale)</text>`);
  parts.push(`<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">latency (ms, log scale)</text>`);
  curves.forEach((curve, index) => {
    const colour = colours[index % colours.length]!;
    const sorted = [...curve.points].filter((p) => p.reqPerSec > 0).sort((a, b) => a.reqPerSec - b.reqPerSec);
    for (const [key, dash] of [['p50Ms', ''], ['p99Ms', ' stroke-dasharray="6 4"']] as const) {
      const path = sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.reqPerSec).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
      parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
      for (const p of sorted) {
        parts.push(`<circle cx="${x(p.reqPerSec).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3.5" fill="${key === 'p50Ms' ? colour : 'white'}" stroke="${colour}"/>`);
      }
    }
    const legendY = margin.top + 14 + index * 40;
    const legendX = margin.left + plotWidth + 16;
    parts.push(`<line x1="${legendX}" x2="${legendX + 26}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="2"/>`);
    parts.push(`<text x="${legendX + 32}" y="${legendY + 4}">${escapeXml(curve.label)} p50</text>`);
    parts.push(`<line x1="${legendX}" x2="${legendX + 26}" y1="${legendY + 16}" y2="${legendY + 16}" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${legendX + 32}" y="${legendY + 20}">${escapeXml(curve.label)} p99</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
