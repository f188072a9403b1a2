// The bar chart of scripts/bench_fanout.ts (docs/fanout.svg): deliveries/s per
// runtime, lhttp beside the raw reference, the ratio above each pair.

/** One runtime's pair of bars. */
export interface Bar {
  /** Runtime name, the label under the pair. */
  runtime: string;
  /** lhttp deliveries/s. */
  lhttp: number;
  /** The raw reference's deliveries/s. */
  raw: number;
}

/**
 * The SVG text of the chart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { svgChart } from "./chart.ts";
 * const svg = svgChart([{ runtime: "bun", lhttp: 900, raw: 1000 }]);
 * assert.match(svg, />0\.90×</);
 * ```
 */
export function svgChart(
  bars: Bar[],
  title = "Fan-out deliveries/s: lhttp (blue) vs raw runtime (grey)",
): string {
  const width = 560, height = 300, left = 90, bottom = 40, top = 30;
  const max = Math.max(...bars.flatMap((bar) => [bar.lhttp, bar.raw]), 1);
  const group = (width - left - 20) / Math.max(bars.length, 1);
  const scale = (value: number) => ((height - top - bottom) * value) / max;
  const parts = bars.map((bar, i) => {
    const x = left + i * group + group * 0.15;
    const w = group * 0.33;
    const rect = (dx: number, value: number, fill: string) =>
      `<rect x="${(x + dx).toFixed(1)}" y="${(height - bottom - scale(value)).toFixed(1)}" ` +
      `width="${w.toFixed(1)}" height="${scale(value).toFixed(1)}" fill="${fill}"/>`;
    return [
      rect(0, bar.lhttp, "#2563eb"),
      rect(w + 4, bar.raw, "#9ca3af"),
      `<text x="${(x + w).toFixed(1)}" y="${
        height - bottom + 18
      }" text-anchor="middle">${bar.runtime}</text>`,
      `<text x="${(x + w / 2).toFixed(1)}" y="${
        (height - bottom - scale(bar.lhttp) - 4).toFixed(1)
      }" ` +
      `text-anchor="middle" font-size="11">${(bar.lhttp / bar.raw).toFixed(2)}×</text>`,
    ].join("");
  });
  const ticks = [0, 0.5, 1].map((f) =>
    `<text x="${left - 8}" y="${(height - bottom - (height - top - bottom) * f + 4).toFixed(1)}" ` +
    `text-anchor="end" font-size="11">${(max * f / 1e6).toFixed(1)}M</text>`
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 16}" ` +
    `font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="${left}" y="18" font-weight="bold">${title}</text>` +
    `<g transform="translate(0,16)">${ticks.join("")}${parts.join("")}</g></svg>\n`;
}
