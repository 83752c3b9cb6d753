import type { CaseView } from '../api/services/discrepancies';
import { EVIDENCE_SOURCES, type Evidence } from '../domain';
import type { CaseRow } from '../store/discrepancy-queries';
import { formatDuration, html, money, words, type Html } from './html';

/** The read-only parts of the case page: the discrepancy, evidence, score, hold, related cases, timeline. */

const SOURCE_LABELS: Record<string, string> = {
  wmsBalance: 'WMS balance',
  erpOnHand: 'ERP on hand',
  openAllocations: 'Open allocations',
  inbound: 'Inbound documents (ASN, PO, receipts)',
  transfersInTransit: 'Transfers in transit',
  returnsPending: 'Returns without disposition',
  recentTransactions: 'Recent transactions',
  recentAdjustments: 'Recent adjustments',
  countHistory: 'Count history',
  priorCases: 'Earlier cases',
};

const cell = (v: unknown): string =>
  v === null || v === undefined ? '—' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
const header = (k: string) => k.replace(/([A-Z])/g, ' $1').toLowerCase();

function evidenceTable(items: Record<string, unknown>[]): Html {
  const keys = [...new Set(items.flatMap((i) => Object.keys(i)))];
  return html`<div class="table-wrap"><table class="evidence"><thead><tr>${keys.map((k) => html`<th scope="col">${header(k)}</th>`)}</tr></thead>
<tbody>${items.map((i) => html`<tr>${keys.map((k) => html`<td>${cell(i[k])}</td>`)}</tr>`)}</tbody></table></div>`;
}

export function discrepancySection(c: CaseView): Html {
  const qtyNow = c.live ? c.live.observedQty : c.observedQty;
  return html`<section aria-labelledby="h-discrepancy" class="card">
<h2 id="h-discrepancy">Discrepancy</h2>
<dl class="facts">
  <div><dt>Expected</dt><dd id="expected-qty">${c.expectedQty}</dd></div>
  <div><dt>Observed</dt><dd id="observed-qty">${qtyNow}${qtyNow !== c.observedQty ? html` <span class="muted">(reported ${c.observedQty}; recounted since)</span>` : ''}</dd></div>
  <div><dt>Variance</dt><dd>${c.variance > 0 ? '+' : ''}${c.variance}</dd></div>
  <div><dt>Value at stake</dt><dd>${money(c.valueAtRisk)} <span class="muted">(${money(c.unitCost)} each)</span></dd></div>
  <div><dt>SKU class</dt><dd>${c.skuClass}</dd></div>
  <div><dt>Site · location</dt><dd>${c.site}${c.location ? html` · ${c.location}` : ''}</dd></div>
  <div><dt>Reported by</dt><dd>${c.source}${c.sourceEventIds.length ? html` <span class="muted">(${c.sourceEventIds.join(', ')})</span>` : ''}</dd></div>
  ${c.reference ? html`<div><dt>Reference</dt><dd>${c.reference.kind} ${c.reference.id}${c.reference.line ? ` line ${c.reference.line}` : ''}</dd></div>` : ''}
  <div><dt>Occurrences</dt><dd>${c.occurrences}</dd></div>
  <div><dt>Opened</dt><dd><time datetime="${c.openedAt}">${c.openedAt.replace('T', ' ').slice(0, 19)} UTC</time></dd></div>
</dl>
</section>`;
}

export function scoreSection(c: CaseView): Html {
  const score = (c.score ?? null) as { causes?: { cause: string; probability: number; explanation: string }[]; recommendedAction?: string } | null;
  return html`<section aria-labelledby="h-score" class="card">
<h2 id="h-score">Why Reckon thinks so</h2>
<p class="explanation" id="explanation">${c.explanation ?? 'Not scored yet.'}</p>
<dl class="facts">
  <div><dt>Confidence</dt><dd>${c.confidence === null ? '—' : `${Math.round(c.confidence * 100)} %`}</dd></div>
  <div><dt>Priority</dt><dd>${c.priority ?? '—'}${c.triageBand ? ` (${c.triageBand})` : ''}</dd></div>
  <div><dt>Recommended</dt><dd>${words(score?.recommendedAction ?? '—')}</dd></div>
  <div><dt>Scorer</dt><dd>${c.scorerVersion ?? '—'}${c.policyVersion ? ` · policy v${c.policyVersion}${c.live?.policyLayer ? ` (${c.live.policyLayer} layer)` : ''}` : ''}</dd></div>
</dl>
${c.rootCauses.length
    ? html`<h3>Root-cause probabilities</h3>
<ul class="bars" id="root-causes">${c.rootCauses.map(
        (r) => html`<li><span class="bar-label">${words(r.cause)}</span><meter min="0" max="1" value="${r.probability}" aria-label="${words(r.cause)}">${Math.round(r.probability * 100)} %</meter><span class="bar-value">${Math.round(r.probability * 100)} %</span></li>`,
      )}</ul>
${c.topFactors.length ? html`<h3>What points there</h3><ul>${c.topFactors.map((f) => html`<li>${f}</li>`)}</ul>` : ''}`
    : score?.causes?.length
      ? html`<h3>Causes considered</h3><ul>${score.causes.map((k) => html`<li><strong>${words(k.cause)}</strong> (${Math.round(k.probability * 100)} %): ${k.explanation}</li>`)}</ul>`
      : ''}
</section>`;
}

export function evidenceSection(c: CaseView): Html {
  const ev = (c.live?.evidence ?? c.evidence ?? null) as Evidence | null;
  if (!ev) return html`<section aria-labelledby="h-evidence" class="card"><h2 id="h-evidence">Evidence</h2><p>No evidence gathered yet.</p></section>`;
  const bag = ev as unknown as Record<string, unknown>;
  return html`<section aria-labelledby="h-evidence" class="card" id="evidence">
<h2 id="h-evidence">Evidence</h2>
${EVIDENCE_SOURCES.map((s) => {
    const v = bag[s];
    const missing = ev.missing.includes(s);
    const body = missing
      ? html`<p class="warn">Could not be read (the source failed or timed out).</p>`
      : v === undefined || v === null
        ? html`<p class="muted">Nothing on record.</p>`
        : Array.isArray(v)
          ? v.length === 0
            ? html`<p class="muted">None.</p>`
            : evidenceTable(v as Record<string, unknown>[])
          : html`<p>${Object.entries(v as Record<string, unknown>).map(([k, x]) => html`${header(k)}: <strong>${cell(x)}</strong> `)}</p>`;
    return html`<div class="source" data-source="${s}"><h3>${SOURCE_LABELS[s] ?? s}</h3>${body}</div>`;
  })}
${ev.notes?.length ? html`<div class="source"><h3>Notes</h3><ul>${ev.notes.map((n) => html`<li>${n.at.slice(0, 19)} ${n.from}: ${n.text}</li>`)}</ul></div>` : ''}
</section>`;
}

export function stateSection(c: CaseView): Html {
  const s = c.live;
  const hold = s?.hold;
  const left = c.slaDeadline ? Date.parse(c.slaDeadline) - Date.now() : null;
  return html`<section aria-labelledby="h-state" class="card">
<h2 id="h-state">Where it stands</h2>
<dl class="facts">
  <div><dt>Status</dt><dd id="case-status">${words(c.status)}${c.resolution ? ` · ${words(c.resolution)}` : ''}</dd></div>
  <div><dt>Severity</dt><dd><span class="badge sev-${c.severity ?? 'none'}">${c.severity ?? '—'}</span></dd></div>
  <div><dt>Owner</dt><dd>${words(c.ownerRole ?? '—')}${c.escalationLevel ? ` (escalated ${c.escalationLevel}×)` : ''}</dd></div>
  <div><dt>Assignee</dt><dd id="assignee">${c.assignee ?? 'nobody yet'}</dd></div>
  <div><dt>SLA</dt><dd>${left === null ? '—' : html`<span class="sla ${left <= 0 ? 'sla-breached' : left < 3_600_000 ? 'sla-near' : 'sla-ok'}" data-deadline="${c.slaDeadline}">${left <= 0 ? `breached ${formatDuration(-left)} ago` : formatDuration(left)}</span>`}${c.live?.slaDeadlineLocal ? html` <span class="muted">(due ${c.live.slaDeadlineLocal}, business hours)</span>` : ''}${c.live?.route ? html`<br><span class="muted">routed: ${c.live.route}</span>` : ''}</dd></div>
  <div><dt>Approvals</dt><dd>${s ? `${s.approvals.length}${s.approvals.length ? ` (${s.approvals.map((a) => a.userId).join(', ')})` : ''}` : '—'}</dd></div>
  <div><dt>Hold on stock</dt><dd id="hold">${hold ? `${hold.qty} held (${hold.holdId})${hold.released ? ', released' : ''}` : 'none'}</dd></div>
  ${s?.involvedUsers.length ? html`<div><dt>Involved (may not decide)</dt><dd>${s.involvedUsers.join(', ')}</dd></div>` : ''}
</dl>
${c.liveError ? html`<p class="warn">Live state unavailable: ${c.liveError}</p>` : ''}
</section>`;
}

export function relatedSection(c: CaseView, related: CaseRow[]): Html {
  return html`<section aria-labelledby="h-related" class="card">
<h2 id="h-related">Related</h2>
${c.incidents.length
    ? html`<ul>${c.incidents.map((i) => html`<li>Incident <strong>${i.id}</strong>: same ${words(i.link.kind)} ${i.link.key} (${i.status})</li>`)}</ul>`
    : html`<p class="muted">Not part of an incident.</p>`}
${related.length
    ? html`<h3>Other open cases for ${c.sku} at ${c.site}</h3><ul>${related.map((r) => html`<li><a href="/app/cases/${encodeURIComponent(r.id)}">${words(r.kind)} at ${r.location ?? '—'}</a> · ${words(r.status)}</li>`)}</ul>`
    : ''}
</section>`;
}

export function timelineSection(c: CaseView): Html {
  return html`<section aria-labelledby="h-timeline" class="card">
<h2 id="h-timeline">Timeline</h2>
<ol class="timeline" id="timeline">${c.timeline.map((t) => {
    const d = (t.detail ?? {}) as Record<string, unknown>;
    const note = [d.reasonCode, d.comment, d.text, d.assignee ? `→ ${String(d.assignee)}` : undefined, d.rule].filter((x) => typeof x === 'string' && x).join(' · ');
    return html`<li><time datetime="${t.at}">${t.at.replace('T', ' ').slice(0, 19)}</time> <strong>${words(t.action)}</strong> <span class="muted">by ${t.actorKind} ${t.actorId}</span>${note ? html` — ${note}` : ''}</li>`;
  })}</ol>
</section>`;
}
