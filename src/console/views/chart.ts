import { html, SafeHtml } from '../html';
import { Series } from '../console-overview.service';

const WIDTH = 600;
const HEIGHT = 120;
const PAD = 18;

/** A small bar chart as inline SVG (no script, no external asset): one bar per step, the peak labelled. */
export function barChart(series: Series, label: string, unit: string): SafeHtml {
  const points = series.points;
  const peak = Math.max(1, ...points.map((point) => point.count));
  const slot = (WIDTH - PAD) / Math.max(points.length, 1);
  const bars = points.map((point, index) => {
    const height = Math.round(((HEIGHT - PAD) * point.count) / peak);
    const x = PAD + index * slot;
    return html`<rect
      x="${x.toFixed(1)}"
      y="${HEIGHT - PAD - height}"
      width="${Math.max(1, slot - 1).toFixed(1)}"
      height="${height}"
      ><title>${point.at.toISOString().slice(11, 16)} UTC: ${point.count} ${unit}</title></rect
    >`;
  });
  const first = points[0]?.at.toISOString().slice(11, 16) ?? '';
  return html`<svg
    class="chart"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    role="img"
    aria-label="${label}"
    preserveAspectRatio="none"
  >
    <line x1="${PAD}" y1="${HEIGHT - PAD}" x2="${WIDTH}" y2="${HEIGHT - PAD}" class="axis" />
    <text x="0" y="10" class="tick">${peak}</text>
    <text x="0" y="${HEIGHT - PAD}" class="tick">0</text>
    ${bars}
    <text x="${PAD}" y="${HEIGHT - 4}" class="tick">${first}</text>
    <text x="${WIDTH}" y="${HEIGHT - 4}" class="tick" text-anchor="end">now</text>
  </svg>`;
}
