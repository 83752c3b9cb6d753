import { html, type Html } from './html';

/**
 * Hand-drawn SVG charts, rendered on the server: no chart library, no script. Each chart is an
 * image with a title and a description, and the same figures follow as a table for screen readers.
 */
export interface Bar {
  label: string;
  value: number;
  /** the queue filtered to what the bar counts */
  href?: string;
  /** text shown at the end of the bar (default: the value) */
  text?: string;
  tone?: 'ok' | 'warn' | 'bad';
}

const W = 520;

export function barChart(id: string, title: string, bars: Bar[], opts: { max?: number; unit?: string } = {}): Html {
  const rowH = 30;
  const labelW = 170;
  const h = Math.max(1, bars.length) * rowH + 10;
  const max = opts.max ?? Math.max(1, ...bars.map((b) => b.value));
  const span = W - labelW - 70;
  return html`<figure class="chart" id="${id}">
<figcaption>${title}</figcaption>
<svg viewBox="0 0 ${W} ${h}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMinYMin meet">
<title id="${id}-t">${title}</title>
<desc id="${id}-d">${bars.map((b) => `${b.label}: ${b.text ?? b.value}`).join('; ') || 'no data'}</desc>
${bars.length === 0 ? html`<text x="10" y="24" class="axis">No data in this period.</text>` : ''}
${bars.map((b, i) => {
  const y = 5 + i * rowH;
  const w = Math.max(b.value > 0 ? 2 : 0, Math.round((b.value / max) * span));
  const bar = html`<text x="${labelW - 8}" y="${y + 19}" text-anchor="end" class="label">${b.label}</text>
<rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 10}" rx="3" class="bar ${b.tone ?? ''}"></rect>
<text x="${labelW + w + 6}" y="${y + 19}" class="value">${b.text ?? `${b.value}${opts.unit ?? ''}`}</text>`;
  return b.href ? html`<a href="${b.href}" aria-label="${b.label}: ${b.text ?? b.value} — open the queue">${bar}</a>` : bar;
})}
</svg>
</figure>`;
}

export interface Point {
  label: string;
  value: number | null;
}

/** A line over time; gaps where a period has no value. */
export function lineChart(id: string, title: string, points: Point[], opts: { unit: string; max?: number; href?: string }): Html {
  const h = 180;
  const left = 56;
  const bottom = 26;
  const plotW = W - left - 16;
  const plotH = h - bottom - 14;
  const vals = points.map((p) => p.value).filter((v): v is number => v !== null);
  const max = opts.max ?? Math.max(1, ...vals) * 1.1;
  const x = (i: number) => left + (points.length <= 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const y = (v: number) => 14 + plotH - (v / max) * plotH;
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
  });
  if (current.length) segments.push(current.join(' '));
  const fmt = (v: number) => (opts.unit === '%' ? `${Math.round(v)} %` : `${v.toFixed(1)} ${opts.unit}`);
  const svg = html`<svg viewBox="0 0 ${W} ${h}" role="img" aria-labelledby="${id}-t ${id}-d" preserveAspectRatio="xMinYMin meet">
<title id="${id}-t">${title}</title>
<desc id="${id}-d">${points.map((p) => `${p.label}: ${p.value === null ? 'no cases' : fmt(p.value)}`).join('; ')}</desc>
<line x1="${left}" y1="${14 + plotH}" x2="${left + plotW}" y2="${14 + plotH}" class="axis-line"></line>
<text x="${left - 6}" y="18" text-anchor="end" class="axis">${fmt(max)}</text>
<text x="${left - 6}" y="${14 + plotH}" text-anchor="end" class="axis">0</text>
${segments.map((s) => html`<polyline points="${s}" class="line"></polyline>`)}
${points.map((p, i) => (p.value === null ? '' : html`<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3.5" class="dot"><title>${p.label}: ${fmt(p.value)}</title></circle>`))}
${points.map((p, i) => (i % Math.ceil(points.length / 6) === 0 ? html`<text x="${x(i).toFixed(1)}" y="${h - 6}" text-anchor="middle" class="axis">${p.label}</text>` : ''))}
</svg>`;
  return html`<figure class="chart" id="${id}"><figcaption>${title}</figcaption>${opts.href ? html`<a href="${opts.href}" aria-label="${title} — open the queue">${svg}</a>` : svg}</figure>`;
}

/** The figures as a table, for readers that do not see the picture. */
export function dataTable(caption: string, head: string[], rows: (string | number)[][]): Html {
  return html`<details class="figures"><summary>${caption}: the figures</summary><table><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table></details>`;
}
