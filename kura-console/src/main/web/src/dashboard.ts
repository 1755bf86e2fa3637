// The dashboard: what a person who runs storage for a team wants at a glance — is it healthy (and
// why not), how busy, how fast, how many errors, how full, is the data protected, who is hammering
// it. Every figure comes from /console/api/dashboard; where Kura has no source it says so.

import * as api from './api';
import { bar, lineChart, type Series } from './chart';
import { bytes, clear, h, millis, notice, percent, rate, when } from './ui';

const COLORS = ['#1f5fbf', '#b5400b', '#2a7d2e', '#7b3fa0', '#8a6d00', '#006d77', '#a4133c'];
const STATUS_WORDS: Record<string, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded — working, but needs attention',
  failing: 'Failing — cannot take writes',
};

const STEP = 2;
let timer: number | undefined;

export function stop(): void {
  if (timer !== undefined) window.clearInterval(timer);
  timer = undefined;
}

export async function show(main: HTMLElement): Promise<void> {
  stop();
  clear(main);
  const root = h('div', { class: 'dashboard' }, h('h1', {}, 'Dashboard'), h('p', { class: 'muted' }, 'Loading…'));
  main.appendChild(root);
  let mine: number | undefined;
  const refresh = async () => {
    try {
      const d = await api.dashboard();
      if (!root.isConnected) {
        // This page was left (a newer dashboard may be running): end only this one's polling.
        window.clearInterval(mine);
        return;
      }
      render(root, d);
    } catch (e) {
      if (e instanceof api.SignedOut) {
        stop();
      } else {
        console.error('dashboard refresh failed', e);
        notice(`The dashboard could not be refreshed: ${e instanceof Error ? e.message : String(e)}`, 'error');
      }
    }
  };
  mine = window.setInterval(refresh, 2000);
  timer = mine;
  await refresh();
}

function render(root: HTMLElement, d: any): void {
  const focused = document.activeElement?.id;
  clear(root);
  const status = d.status ?? { level: 'failing', reasons: ['no status'] };
  root.append(
    h('h1', {}, 'Dashboard'),
    h('section', { class: `status ${status.level}`, 'aria-labelledby': 'status-h', 'data-status': status.level },
      h('h2', { id: 'status-h' }, STATUS_WORDS[status.level] ?? status.level),
      h('ul', {}, ...status.reasons.map((r: string) => h('li', {}, r))),
      h('p', { class: 'muted' }, `Kura ${d.version}, up ${uptime(d.uptimeSeconds)}. Updated every ${d.stepSeconds} s; charts show the last 5 minutes.`)),
  );
  root.append(traffic(d.traffic ?? {}), capacity(d.capacity ?? {}), protection(d.protection ?? {}), hot(d.hotPrefixes));
  if (focused) document.getElementById(focused)?.focus();
}

function uptime(s: number): string {
  if (s < 120) return `${s} seconds`;
  if (s < 7200) return `${Math.round(s / 60)} minutes`;
  if (s < 172800) return `${Math.round(s / 3600)} hours`;
  return `${Math.round(s / 86400)} days`;
}

function card(title: string, ...body: (Node | string | null)[]): HTMLElement {
  const id = `c-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h3', { id }, title), ...body);
}

function traffic(t: any): HTMLElement {
  const series: any[] = t.series ?? [];
  const times = series.map((p) => p.t);
  const last = series.length ? series[series.length - 1] : null;
  const ops = new Set<string>();
  for (const p of series) for (const op of Object.keys(p.byOperation ?? {})) ops.add(op);
  const topOps = [...ops]
    .map((op) => [op, series.reduce((s, p) => s + (p.byOperation?.[op] ?? 0), 0)] as [string, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([op]) => op);
  const perOp: Series[] = topOps.map((op, i) => ({ name: op, color: COLORS[i % COLORS.length], values: series.map((p) => p.byOperation?.[op] ?? 0) }));
  const reqChart = lineChart('Requests per second by operation', times, perOp.length ? perOp : [{ name: 'all', color: COLORS[0], values: series.map((p) => p.requestsPerSecond) }], (v) => rate(v));
  const latChart = lineChart('Response time', times, [
    { name: 'typical (p50)', color: COLORS[0], values: series.map((p) => p.p50Millis) },
    { name: 'slowest 1% (p99)', color: COLORS[1], values: series.map((p) => p.p99Millis) },
  ], (v) => millis(v));
  const errChart = lineChart('Error rate', times, [
    { name: 'all errors', color: COLORS[1], values: series.map((p) => p.errorRate) },
    { name: 'server errors (5xx)', color: COLORS[6], values: series.map((p) => p.serverErrorRate) },
  ], (v) => percent(v));
  const bytesChart = lineChart('Data in and out', times, [
    { name: 'uploaded', color: COLORS[2], values: series.map((p) => p.bytesInPerSecond) },
    { name: 'downloaded', color: COLORS[0], values: series.map((p) => p.bytesOutPerSecond) },
  ], (v) => `${bytes(v)}/s`);
  const legend = (s: Series[]) => h('ul', { class: 'legend' }, ...s.map((x) => {
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = x.color; // CSSOM, allowed by the console's CSP (style attributes are not)
    return h('li', {}, swatch, x.name);
  }));
  const codes: any[] = t.topErrorCodes ?? [];
  const byOp: any[] = t.lastMinuteByOperation ?? [];
  const idle = `No requests in the last ${STEP} seconds`;
  const requests = card('Requests', h('p', { class: 'big' }, last ? `${rate(last.requestsPerSecond, ' per second')} in all` : 'waiting for the first samples'), reqChart, legend(perOp));
  // The plotted numbers, for tests and anyone who wants them as data: [time in ms, requests per second].
  requests.dataset.points = JSON.stringify(series.map((p) => [p.t, p.requestsPerSecond]));
  requests.id = 'requests-card';
  const section = h('section', { class: 'grid', 'aria-label': 'Traffic' },
    requests,
    card('Response time', h('p', { class: 'big' }, !last ? '—' : last.p50Millis === null ? idle : `${millis(last.p50Millis)} typical, ${millis(last.p99Millis)} slowest 1%`), latChart,
      legend([{ name: 'typical (p50)', color: COLORS[0], values: [] }, { name: 'slowest 1% (p99)', color: COLORS[1], values: [] }])),
    card('Errors', h('p', { class: 'big' }, !last ? '—' : last.errorRate === null ? idle : `${percent(last.errorRate)} of requests failed`), errChart,
      codes.length
        ? h('table', {}, h('caption', {}, `Most frequent error codes, last ${Math.round((t.errorWindowSeconds ?? 0) / 60) || '<1'} min`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Code'), h('th', { scope: 'col' }, 'Count'))),
          h('tbody', {}, ...codes.map((c) => h('tr', {}, h('td', {}, c.code), h('td', {}, String(c.count))))))
        : h('p', { class: 'muted' }, 'No errors in the last 5 minutes.')),
    card('Data in and out', h('p', { class: 'big' }, last ? `${bytes(last.bytesInPerSecond)}/s in, ${bytes(last.bytesOutPerSecond)}/s out` : '—'), bytesChart,
      legend([{ name: 'uploaded', color: COLORS[2], values: [] }, { name: 'downloaded', color: COLORS[0], values: [] }])),
  );
  if (byOp.length) {
    section.appendChild(card('Last minute by operation',
      h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Operation'), h('th', { scope: 'col' }, 'Requests/s'), h('th', { scope: 'col' }, 'p50'), h('th', { scope: 'col' }, 'p99'))),
        h('tbody', {}, ...byOp.map((o) => h('tr', {}, h('td', {}, o.operation), h('td', {}, rate(o.requestsPerSecond, '')), h('td', {}, millis(o.p50Millis)), h('td', {}, millis(o.p99Millis)))))),
      h('p', { class: 'hint' }, 'Percentiles are estimated from latency buckets (1 ms … 60 s), as Prometheus does.')));
  }
  const throttled = last ? last.throttledPerSecond : null;
  section.appendChild(card('Throttling', h('p', { class: 'big' }, throttled === null ? '—' : throttled > 0 ? `${rate(throttled)} requests turned away (503 Slow Down)` : 'No requests turned away'),
    h('p', { class: 'hint' }, 'Kura refuses requests beyond a partition\'s budget (3,500 writes and 5,500 reads a second by default) or when too many run at once; clients retry.')));
  return section;
}

function capacity(c: any): HTMLElement {
  const drives: any[] = c.drives ?? [];
  const zones: any[] = c.zones ?? [];
  return h('section', { class: 'grid', 'aria-label': 'Capacity' },
    card('Capacity by zone',
      zones.length ? h('ul', { class: 'bars' }, ...zones.map((z) => h('li', {},
        h('span', {}, `Zone ${z.zone}: ${bytes(z.usedBytes)} used, ${bytes(z.freeBytes)} free (${z.online} of ${z.drives} drives online)`),
        bar(z.usedBytes, z.usedBytes + z.freeBytes, `zone ${z.zone} used`)))) : h('p', {}, 'not available'),
      h('p', { class: 'hint' }, 'Space of the file systems holding the drives (other files on them count too).')),
    card('Drives',
      drives.length ? h('table', {}, h('thead', {}, h('tr', {}, ...['Drive', 'Zone', 'State', 'Used', 'Free'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...drives.map((d) => h('tr', {},
          h('td', { title: d.id ?? '' }, d.id ? d.id.slice(0, 8) : 'no id', h('div', { class: 'hint' }, d.path)), h('td', {}, d.zone ?? '—'),
          h('td', {}, h('span', { class: `pill ${d.state === 'online' ? 'ok' : 'bad'}` }, d.state), d.reason ? h('div', { class: 'hint' }, d.reason) : null),
          h('td', {}, bytes(d.usedBytes)), h('td', {}, bytes(d.freeBytes)))))) : h('p', {}, 'not available')),
  );
}

function protection(p: any): HTMLElement {
  const repair = (r: any, what: string) => !r ? 'not available'
    : r.state === 'idle' ? `no ${what} since start`
      : r.state === 'running' ? `running since ${when(r.startedAt)}: ${r.checked} checked, ${r.repaired} repaired`
        : `last finished ${when(r.finishedAt)}: ${r.checked} checked, ${r.repaired} repaired, ${r.failed} could not be repaired`;
  return h('section', { class: 'grid', 'aria-label': 'Protection' },
    card('Protection',
      h('dl', { class: 'facts' },
        h('dt', {}, 'Drives offline'), h('dd', {}, `${p.drivesOffline ?? 'not available'} of ${p.drivesTotal ?? '?'}`),
        h('dt', {}, 'Repairs waiting'), h('dd', {}, p.repairsQueued === null || p.repairsQueued === undefined ? 'not available' : `${p.repairsQueued} (found by reads that had to rebuild data)`),
        h('dt', {}, 'Last heal'), h('dd', {}, repair(p.heal, 'heal')),
        h('dt', {}, 'Last scrub'), h('dd', {}, repair(p.scrub, 'scrub'))),
      (p.warnings ?? []).length ? h('ul', { class: 'warnings' }, ...p.warnings.map((w: string) => h('li', {}, w))) : null,
      h('p', { class: 'hint' }, 'Shards still to heal are counted by a heal pass (kura admin heal); between passes Kura knows only the repairs queued by reads.')),
  );
}

function hot(rows: any[] | null): HTMLElement {
  return h('section', { class: 'grid', 'aria-label': 'Hot prefixes' },
    card('Busiest key ranges',
      rows === null ? h('p', {}, 'not available')
        : !rows.length ? h('p', { class: 'muted' }, 'No traffic in the last second.')
          : h('table', {}, h('thead', {}, h('tr', {}, ...['Bucket', 'Keys from', 'to', 'Reads/s', 'Writes/s', 'Turned away'].map((x) => h('th', { scope: 'col' }, x)))),
            h('tbody', {}, ...rows.map((r) => h('tr', {}, h('td', {}, r.bucket), h('td', {}, r.start || '(start)'), h('td', {}, r.end ?? '(end)'),
              h('td', {}, rate(r.readsPerSecond, '')), h('td', {}, rate(r.writesPerSecond, '')), h('td', {}, String(r.throttledTotal)))))),
      ...(rows ?? []).filter((r) => r.advice).map((r) => h('p', { class: 'advice' }, `${r.bucket}: ${r.advice}`))),
  );
}
