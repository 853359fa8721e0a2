import { type ReportSummary, type SegmentSummary, type TrendPoint, UNMANAGED_GROUP } from '../../domain/index.js';

/**
 * One self-contained HTML page: inline CSS, charts drawn server-side as inline
 * SVG, no script, font or image from anywhere else. A CSP meta tag forbids
 * any external load, so the page reads the same from an email link, a
 * ServiceNow attachment or a file on disk.
 */
export function renderReportHtml(summary: ReportSummary, options: { title?: string; reportId?: string } = {}): string {
  const title = options.title ?? `Patch compliance ${summary.period.start} – ${summary.period.end}`;
  const f = summary.fleet;
  const cards: [string, string][] = [
    ['Fleet compliance', pctText(f.compliancePct)],
    ['Instances', String(f.instances)],
    ['Non-compliant', String(f.nonCompliant)],
    ['Unreported', String(f.unreported)],
    ['Unmanaged', String(f.unmanaged)],
    ['Stale', String(f.stale)],
    ['Pending reboot', String(f.pendingReboot)],
    ['Mean time to remediate', f.meanTimeToRemediateDays === null ? '–' : `${f.meanTimeToRemediateDays} d`],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="meta">${summary.period.days} days, ${esc(summary.period.start)} to ${esc(summary.period.end)}${summary.live ? ' (last day: live state)' : ''} · generated ${esc(summary.generatedAt)}${options.reportId ? ` · report ${esc(options.reportId)}` : ''}</p>
</header>
<section class="cards">
${cards.map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`).join('\n')}
</section>
${summary.daysWithoutData.length > 0 ? `<p class="warn">No snapshot for ${summary.daysWithoutData.length} day(s): ${esc(summary.daysWithoutData.join(', '))}.</p>` : ''}
<section>
<h2>Compliance trend</h2>
${trendChart(f.trend)}
</section>
<section>
<h2>Compliance by patch group</h2>
${groupBars(summary.byPatchGroup)}
</section>
<section>
<h2>Patch groups</h2>
${segmentTable('Patch group', summary.byPatchGroup)}
</section>
<section>
<h2>Accounts</h2>
${segmentTable('Account', summary.byAccount)}
</section>
<section>
<h2>Worst offenders</h2>
${offenders(summary)}
</section>
<footer>patchbridge · compliance % = compliant instances ÷ all instances at the end of the period (unreported instances count against it).</footer>
</body>
</html>
`;
}

const CSS = `
:root{--ok:#2e7d32;--bad:#c62828;--mid:#f9a825;--ink:#1f2933;--mute:#616e7c;--line:#d9e2ec}
*{box-sizing:border-box}body{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--ink);margin:0 auto;max-width:1040px;padding:16px 20px;line-height:1.4}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.1rem;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.meta{color:var(--mute);margin:0}.warn{background:#fff8e1;border:1px solid var(--mid);padding:6px 10px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:16px}.card{flex:1 1 120px;border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.card .k{color:var(--mute);font-size:.8rem}.card .v{font-size:1.4rem;font-weight:600}
svg{display:block;width:100%;height:auto;max-width:1000px}svg text{font-family:inherit;font-size:11px;fill:var(--mute)}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line)}th{background:#f5f7fa}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.id{white-space:nowrap;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.8rem}footer{color:var(--mute);font-size:.8rem;margin-top:24px}
`;

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function pctText(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(1)}%`;
}

function colour(value: number | null): string {
  if (value === null) return '#9aa5b1';
  return value >= 95 ? '#2e7d32' : value >= 80 ? '#f9a825' : '#c62828';
}

/** Fleet compliance % per day as a line over 0–100 %. */
function trendChart(trend: readonly TrendPoint[]): string {
  const w = 1000;
  const h = 260;
  const left = 44;
  const right = 12;
  const top = 12;
  const bottom = 36;
  const plotW = w - left - right;
  const plotH = h - top - bottom;
  const x = (i: number) => left + (trend.length <= 1 ? plotW / 2 : (i * plotW) / (trend.length - 1));
  const y = (pct: number) => top + plotH - (pct / 100) * plotH;
  const grid = [0, 25, 50, 75, 100]
    .map((p) => `<line x1="${left}" x2="${w - right}" y1="${y(p)}" y2="${y(p)}" stroke="#d9e2ec"/><text x="${left - 6}" y="${y(p) + 4}" text-anchor="end">${p}%</text>`)
    .join('');
  const step = Math.max(1, Math.ceil(trend.length / 10));
  const labels = trend
    .map((t, i) => {
      if (i % step !== 0 && i !== trend.length - 1) return '';
      // The outermost labels hug the plot's edges so neither is cut off.
      const anchor = trend.length > 1 && i === trend.length - 1 ? 'end' : i === 0 && trend.length > 1 ? 'start' : 'middle';
      return `<text x="${x(i).toFixed(1)}" y="${h - 12}" text-anchor="${anchor}">${esc(t.date.slice(5))}</text>`;
    })
    .join('');
  // Days without data break the line rather than dropping to zero.
  const segments: string[][] = [];
  let current: string[] = [];
  trend.forEach((t, i) => {
    if (t.compliancePct === null) {
      if (current.length > 0) segments.push(current);
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(t.compliancePct).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current);
  const lines = segments
    .map((pts) => (pts.length === 1 ? '' : `<polyline class="trend-line" points="${pts.join(' ')}" fill="none" stroke="#1565c0" stroke-width="2.5"/>`))
    .join('');
  const dots = trend
    .map((t, i) =>
      t.compliancePct === null
        ? ''
        : `<circle class="trend-point" cx="${x(i).toFixed(1)}" cy="${y(t.compliancePct).toFixed(1)}" r="3.5" fill="#1565c0"><title>${esc(t.date)}: ${pctText(t.compliancePct)} (${t.compliant}/${t.instances})</title></circle>`,
    )
    .join('');
  return `<svg id="trend-chart" role="img" aria-label="Fleet compliance by day" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg">${grid}${labels}${lines}${dots}</svg>`;
}

/** Current compliance % per patch group, worst first. */
function groupBars(groups: readonly SegmentSummary[]): string {
  const MAX = 40;
  const shown = [...groups].sort((a, b) => (a.compliancePct ?? -1) - (b.compliancePct ?? -1) || a.key.localeCompare(b.key)).slice(0, MAX);
  const w = 1000;
  const label = 220;
  const valueW = 70;
  const barH = 18;
  const gap = 6;
  const h = Math.max(1, shown.length) * (barH + gap) + gap;
  const plotW = w - label - valueW;
  const bars = shown
    .map((g, i) => {
      const yy = gap + i * (barH + gap);
      const width = ((g.compliancePct ?? 0) / 100) * plotW;
      const name = g.key.length > 34 ? `${g.key.slice(0, 33)}…` : g.key;
      return `<text x="${label - 8}" y="${yy + 13}" text-anchor="end">${esc(name)}</text><rect x="${label}" y="${yy}" width="${plotW}" height="${barH}" fill="#eef2f7"/><rect class="group-bar" x="${label}" y="${yy}" width="${Math.max(width, 1).toFixed(1)}" height="${barH}" fill="${colour(g.compliancePct)}"><title>${esc(g.key)}: ${pctText(g.compliancePct)} (${g.compliant}/${g.instances})</title></rect><text x="${label + plotW + 8}" y="${yy + 13}">${pctText(g.compliancePct)}</text>`;
    })
    .join('');
  const more = groups.length > MAX ? `<p class="meta">${groups.length - MAX} more patch groups in the table below.</p>` : '';
  return `<svg id="group-bars" role="img" aria-label="Compliance by patch group" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>${more}`;
}

function segmentTable(first: string, rows: readonly SegmentSummary[]): string {
  const head = `<tr><th>${esc(first)}</th><th class="n">Instances</th><th class="n">Compliant</th><th class="n">Non-compliant</th><th class="n">Unreported</th><th class="n">Compliance</th><th class="n">Unmanaged</th><th class="n">Stale</th><th class="n">Pending reboot</th><th class="n">Mean TTR (d)</th></tr>`;
  const body = rows
    .map(
      (s) =>
        `<tr><td>${esc(s.key)}</td><td class="n">${s.instances}</td><td class="n">${s.compliant}</td><td class="n">${s.nonCompliant}</td><td class="n">${s.unreported}</td><td class="n">${pctText(s.compliancePct)}</td><td class="n">${s.unmanaged}</td><td class="n">${s.stale}</td><td class="n">${s.pendingReboot}</td><td class="n">${s.meanTimeToRemediateDays ?? '–'}</td></tr>`,
    )
    .join('\n');
  return `<table><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function offenders(summary: ReportSummary): string {
  if (summary.worstOffenders.length === 0) return '<p>No non-compliant instances at the end of the period.</p>';
  const head =
    '<tr><th>Instance</th><th>Account</th><th>Region</th><th>Patch group</th><th class="n">Critical</th><th class="n">Missing</th><th class="n">Failed</th><th class="n">Days non-compliant</th><th>Since</th></tr>';
  const body = summary.worstOffenders
    .map(
      (o) =>
        `<tr><td class="id">${esc(o.instance_id)}</td><td class="id">${esc(o.account_id)}</td><td class="id">${esc(o.region)}</td><td>${esc(o.patch_group ?? UNMANAGED_GROUP)}</td><td class="n">${o.critical_non_compliant_count}</td><td class="n">${o.missing_count}</td><td class="n">${o.failed_count}</td><td class="n">${o.days_non_compliant}</td><td class="id">${esc(o.first_non_compliant_date ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<table><thead>${head}</thead><tbody>${body}</tbody></table>`;
}
