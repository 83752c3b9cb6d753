import { Router } from 'express';
import type { ApiContext } from '../api/deps';
import { KpiQuery } from '../api/ops-schemas';
import { computeKpis } from '../api/services/kpis';
import { parseInput } from '../api/validate';
import { countQueue } from '../store/inbox-queries';
import { AGE_BUCKETS, cohortSummary } from '../store/kpi-queries';
import { barChart, dataTable, lineChart, type Bar, type Point } from './charts';
import { html, qs } from './html';
import { page } from './layout';
import { actorOfUser } from './session';

const DAY_MS = 86_400_000;
const WEEKS = 8;
const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)} %`);

/** GET /app/ops: the KPIs of GET /v1/kpis as pictures, each linked to the queue it counts. */
export function opsRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/ops', async (req, res) => {
    const actor = actorOfUser(req);
    const now = new Date();
    const kpis = await computeKpis(ctx, actor, parseInput(KpiQuery, {}, 'query'), now);
    const sites = actor.sites.includes('*') ? undefined : actor.sites;
    // weekly cohorts, oldest first: MTTR and auto-resolution over time
    const weeks = await Promise.all(
      Array.from({ length: WEEKS }, (_, i) => {
        const to = new Date(now.getTime() - (WEEKS - 1 - i) * 7 * DAY_MS);
        const from = new Date(to.getTime() - 7 * DAY_MS);
        return cohortSummary(ctx.db, { sites, from, to }).then((s) => ({ label: from.toISOString().slice(5, 10), s }));
      }),
    );
    const breachedOpen = await countQueue(ctx.db, { visibleSites: sites, breached: true }, actor.userId);

    const age: Bar[] = AGE_BUCKETS.map((b, i) => ({
      label: `open ${b}`,
      value: kpis.openByAge.buckets[b],
      tone: i >= 3 ? 'bad' : i === 2 ? 'warn' : 'ok',
      href: `/app${qs({ all: '1' })}`,
    }));
    const mttr: Point[] = weeks.map((w) => ({ label: w.label, value: w.s.mttr.p50Seconds === null ? null : w.s.mttr.p50Seconds / 3600 }));
    const auto: Point[] = weeks.map((w) => ({ label: w.label, value: w.s.closed === 0 ? null : (100 * w.s.autoResolved) / w.s.closed }));
    const fp: Bar[] = kpis.falsePositiveRate.map((r) => ({
      label: `${r.kind.replace(/_/g, ' ')} · ${r.site}`,
      value: r.rate === null ? 0 : Math.round(r.rate * 100),
      text: `${pct(r.rate)} of ${r.decided}`,
      tone: (r.rate ?? 0) > 0.3 ? 'bad' : (r.rate ?? 0) > 0.1 ? 'warn' : 'ok',
      href: `/app${qs({ kind: r.kind, site: r.site, status: 'closed', all: '1' })}`,
    }));
    // record accuracy by site, with the counts behind each figure (a small sample shows as such)
    const ira = kpis.inventoryRecordAccuracy;
    const iraBars: Bar[] = ira.bySite.map((r) => ({
      label: r.site,
      value: r.rate === null ? 0 : Math.round(r.rate * 100),
      text: `${pct(r.rate)} of ${r.counts} counts`,
      tone: (r.rate ?? 1) < 0.95 ? 'bad' : (r.rate ?? 1) < 0.98 ? 'warn' : 'ok',
      href: `/app${qs({ kind: 'count_variance', site: r.site, all: '1' })}`,
    }));
    const breaches: Bar[] = Object.entries(breachedOpen.bySite)
      .sort((a, b) => b[1] - a[1])
      .map(([site, n]) => ({ label: site, value: n, tone: 'bad', href: `/app${qs({ site, breached: '1', all: '1' })}` }));

    res.type('html').send(
      page(
        req,
        'Operations',
        'ops',
        html`<h1>Operations</h1>
<p class="muted">Cases opened ${kpis.period.from.slice(0, 10)} – ${kpis.period.to.slice(0, 10)}${sites ? ` at ${sites.join(', ')}` : ', all sites'}. Click a bar to open those cases.</p>
<dl class="kpis">
  <div><dt>Cases opened</dt><dd>${kpis.volume.total}</dd></div>
  <div><dt>Open now</dt><dd><a href="/app?all=1">${kpis.openByAge.total}</a></dd></div>
  <div><dt>Auto-resolved</dt><dd>${pct(kpis.autoResolutionRate.rate)}</dd></div>
  <div><dt>MTTR (median)</dt><dd>${kpis.mttr.p50Seconds === null ? '—' : `${(kpis.mttr.p50Seconds / 3600).toFixed(1)} h`}</dd></div>
  <div><dt>SLA breach rate</dt><dd><a href="/app?breached=1&amp;all=1">${pct(kpis.slaBreachRate.rate)}</a></dd></div>
  <div><dt>Inventory record accuracy</dt><dd id="ira">${ira.overall.counts === 0 ? html`<span class="muted">no counts yet</span>` : `${pct(ira.overall.rate)} of ${ira.overall.counts} counts (${pct(ira.overall.valueRate)} by value)`}</dd></div>
</dl>
<div class="charts">
${barChart('chart-age', 'Open cases by age', age)}
${dataTable('Open cases by age', ['age', 'open cases'], AGE_BUCKETS.map((b) => [b, kpis.openByAge.buckets[b]]))}
${lineChart('chart-mttr', 'Median time to resolve, by week opened (hours)', mttr, { unit: 'h', href: '/app?status=closed&all=1' })}
${dataTable('Median time to resolve', ['week from', 'hours'], mttr.map((p) => [p.label, p.value === null ? '—' : p.value.toFixed(1)]))}
${lineChart('chart-auto', 'Auto-resolution rate, by week opened', auto, { unit: '%', max: 100, href: '/app?status=closed&all=1' })}
${dataTable('Auto-resolution rate', ['week from', 'auto-resolved'], auto.map((p) => [p.label, p.value === null ? '—' : `${Math.round(p.value)} %`]))}
${barChart('chart-fp', 'False-positive rate by kind and site', fp, { max: 100 })}
${dataTable('False-positive rate', ['kind', 'site', 'false positives', 'decided'], kpis.falsePositiveRate.map((r) => [r.kind, r.site, r.falsePositives, r.decided]))}
${barChart('chart-breaches', 'Open cases past their SLA, by site', breaches)}
${dataTable('Open cases past their SLA', ['site', 'cases'], breaches.map((b) => [b.label, b.value]))}
${barChart('chart-ira', 'Inventory record accuracy by site (share of counted bins within tolerance)', iraBars, { max: 100 })}
${dataTable('Inventory record accuracy', ['site', 'counts', 'within tolerance', 'by value'], ira.bySite.map((r) => [r.site, r.counts, pct(r.rate), pct(r.valueRate)]))}
</div>`,
      ),
    );
  });
  return router;
}
