// Hand-drawn SVG line charts: one or more series over time, a labelled y axis, a title the screen
// reader reads (role="img" with aria-label summarising the latest values).

const NS = 'http://www.w3.org/2000/svg';

export interface Series {
  name: string;
  color: string;
  values: (number | null)[];
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** A line chart of series sharing the time axis; format() labels the y axis and the legend. */
export function lineChart(title: string, times: number[], series: Series[], format: (v: number) => string): SVGSVGElement {
  const W = 560;
  const H = 200;
  const L = 64;
  const R = 10;
  const T = 12;
  const B = 26;
  let max = 0;
  for (const s of series) for (const v of s.values) if (v !== null && Number.isFinite(v)) max = Math.max(max, v);
  max = max <= 0 ? 1 : niceCeil(max);
  const latest = series.map((s) => {
    const v = [...s.values].reverse().find((x) => x !== null);
    return `${s.name} ${v === undefined || v === null ? 'no data' : format(v)}`;
  });
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${title}: ${latest.join(', ')}` });
  const desc = svg('title', {});
  desc.textContent = `${title}: ${latest.join(', ')}`;
  root.appendChild(desc);
  for (let i = 0; i <= 4; i++) {
    const y = T + ((H - T - B) * i) / 4;
    root.appendChild(svg('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }));
    const label = svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' });
    label.textContent = format(max * (1 - i / 4));
    root.appendChild(label);
  }
  const t0 = times.length ? times[0] : 0;
  const t1 = times.length ? times[times.length - 1] : 1;
  const span = Math.max(1, t1 - t0);
  const x = (t: number) => L + ((W - L - R) * (t - t0)) / span;
  const y = (v: number) => T + (H - T - B) * (1 - v / max);
  const left = svg('text', { x: L, y: H - 6, class: 'axis' });
  left.textContent = times.length ? `${Math.round((t1 - t0) / 60000) || '<1'} min ago` : 'waiting for data';
  root.appendChild(left);
  const right = svg('text', { x: W - R, y: H - 6, 'text-anchor': 'end', class: 'axis' });
  right.textContent = 'now';
  root.appendChild(right);
  for (const s of series) {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    if (d) root.appendChild(svg('path', { d, stroke: s.color, class: 'line' }));
  }
  return root;
}

function niceCeil(v: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** A horizontal bar (used / total) with a text equivalent. */
export function bar(used: number, total: number, label: string): HTMLElement {
  const outer = document.createElement('div');
  outer.className = 'bar';
  outer.setAttribute('role', 'meter');
  outer.setAttribute('aria-label', label);
  outer.setAttribute('aria-valuemin', '0');
  outer.setAttribute('aria-valuemax', String(total));
  outer.setAttribute('aria-valuenow', String(used));
  const inner = document.createElement('div');
  const share = total > 0 ? used / total : 0;
  inner.className = share > 0.9 ? 'fill high' : share > 0.75 ? 'fill mid' : 'fill';
  inner.style.width = `${Math.min(100, share * 100).toFixed(1)}%`;
  outer.appendChild(inner);
  return outer;
}
