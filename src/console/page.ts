/**
 * The console page: static HTML, CSS and a script, served from this process
 * (no CDN, works offline). Nothing secret is in it: the session is an HttpOnly
 * cookie, and every value shown is inserted as text, never as HTML.
 */
import { ID_SOURCES } from '../domain/index.js';

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>patchbridge console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/app.css">
<script src="/console/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>patchbridge</h1>
  <nav aria-label="Sections">
    <ul>
      <li><a href="#overview">Overview</a></li>
      <li><a href="#sandbox">Sandbox</a></li>
      <li><a href="#incidents">Incidents</a></li>
      <li><a href="#runs">Patch runs</a></li>
      <li><a href="#windows">Maintenance windows</a></li>
      <li><a href="#reports">Reports</a></li>
    </ul>
  </nav>
  <p id="role" class="muted"></p>
</header>
<main id="main">
  <p id="status" role="status" aria-live="polite"></p>
  <section id="overview" aria-labelledby="overview-h">
    <h2 id="overview-h">Overview</h2>
    <div class="cards">
      <div class="card"><h3>Readiness</h3><p id="ready-state">…</p><ul id="ready-checks"></ul></div>
      <div class="card"><h3>Events received</h3><dl id="events"></dl></div>
      <div class="card"><h3>Outbox</h3><p><span id="outbox-depth">…</span> deliveries pending</p></div>
      <div class="card"><h3>Next jobs</h3><ul id="jobs"></ul></div>
    </div>
    <h3>Dead letters</h3>
    <table><caption class="sr-only">Dead letters</caption><thead><tr><th scope="col">Id</th><th scope="col">Source</th><th scope="col">Error</th><th scope="col">Attempts</th><th scope="col">Failed at</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead><tbody id="dead-letters"></tbody></table>
  </section>
  <section id="sandbox" aria-labelledby="sandbox-h" hidden>
    <h2 id="sandbox-h">Sandbox</h2>
    <p>Drives the bundled simulators. Change <strong id="sb-change"></strong>: approval <span id="sb-approval"></span>, state <span id="sb-state"></span>. <span id="sb-down"></span></p>
    <div class="actions">
      <button type="button" id="run-window">Run the window (with failures)</button>
      <button type="button" data-change="approve">Approve the change</button>
      <button type="button" data-change="reject">Reject the change</button>
      <button type="button" data-change="cancel">Cancel the change</button>
      <button type="button" id="sn-down">Take ServiceNow down for a minute</button>
    </div>
  </section>
  <section id="incidents" aria-labelledby="incidents-h">
    <h2 id="incidents-h">Incidents</h2>
    <table><caption class="sr-only">Incidents patchbridge raised</caption><thead><tr><th scope="col">Number</th><th scope="col">Correlation key</th><th scope="col">Summary</th><th scope="col">State</th><th scope="col">Updated</th></tr></thead><tbody id="incident-rows"></tbody></table>
  </section>
  <section id="runs" aria-labelledby="runs-h">
    <h2 id="runs-h">Patch runs</h2>
    <form id="run-form">
      <label>Change <input name="change" id="run-change" required pattern="${ID_SOURCES.changeNumber}"></label>
      <label>Patch group <select name="group" id="run-group"></select></label>
      <label>or instance ids <input name="instances" id="run-instances" placeholder="i-0123…, i-0456…" size="30"></label>
      <label>Operation <select name="operation"><option>Scan</option><option>Install</option></select></label>
      <label>Max concurrency <input name="concurrency" value="10%" required pattern="[0-9]{1,3}%?" size="5"></label>
      <button type="submit">Start run</button>
    </form>
    <table><caption class="sr-only">Patch runs, newest first</caption><thead><tr><th scope="col">Run</th><th scope="col">Change</th><th scope="col">Targets</th><th scope="col">Status</th><th scope="col">Progress</th></tr></thead><tbody id="run-rows"></tbody></table>
  </section>
  <section id="windows" aria-labelledby="windows-h">
    <h2 id="windows-h">Maintenance windows</h2>
    <table><caption class="sr-only">Maintenance windows and their gates</caption><thead><tr><th scope="col">Window</th><th scope="col">Name</th><th scope="col">Enabled</th><th scope="col">Gate</th><th scope="col">Covering change</th><th scope="col">Next run</th></tr></thead><tbody id="window-rows"></tbody></table>
  </section>
  <section id="reports" aria-labelledby="reports-h">
    <h2 id="reports-h">Reports</h2>
    <button type="button" id="request-report">Request a 7-day report</button>
    <div id="report-list"></div>
  </section>
</main>
</body>
</html>
`;

export const CONSOLE_CSS = `:root{color-scheme:light;--fg:#1b1b1b;--bg:#fff;--muted:#4a4a4a;--accent:#0b5cad;--ok:#136f2d;--bad:#a4161a;--line:#c8c8c8}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#10243e;color:#fff;padding:.75rem 1.5rem}header h1{margin:0;font-size:1.4rem}
header nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:.5rem 0 0;padding:0}header a{color:#fff}
header .muted{color:#dfe7f1;margin:.25rem 0 0}
main{padding:1rem 1.5rem;max-width:80rem}section{margin:1.5rem 0;border-top:1px solid var(--line)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:1rem}.card{border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem}
.card h3{margin:.25rem 0}table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
.ok{color:var(--ok);font-weight:600}.bad{color:var(--bad);font-weight:600}.muted{color:var(--muted)}
button{font:inherit;padding:.4rem .8rem;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:4px;cursor:pointer}
button:disabled{background:#6b6b6b;border-color:#6b6b6b}.actions{display:flex;flex-wrap:wrap;gap:.5rem}
:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
form{display:flex;flex-wrap:wrap;gap:1rem;align-items:end;margin:.5rem 0}label{display:flex;flex-direction:column;font-weight:600}
input,select{font:inherit;padding:.3rem;border:1px solid #6b6b6b;border-radius:4px}
progress{width:12rem;height:1rem}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;color:#000;padding:.5rem;z-index:1}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.report{border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;margin:.5rem 0}svg text{font-size:12px;fill:var(--fg)}
`;

export const CONSOLE_JS = `'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { overview: undefined, groupsFilled: false };
  const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
    return el;
  }
  function fill(tbody, rows, empty, cols) {
    tbody.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: cols, class: 'muted' }, empty))]));
  }
  function say(text, bad) {
    const s = $('status');
    s.textContent = text;
    s.className = bad ? 'bad' : '';
  }
  async function api(path, options) {
    const write = options && options.method && options.method !== 'GET';
    const headers = { accept: 'application/json' };
    if (write) { headers['x-patchbridge-console'] = '1'; headers['content-type'] = 'application/json'; headers['idempotency-key'] = crypto.randomUUID(); }
    const res = await fetch(path, { credentials: 'same-origin', ...options, headers });
    const body = res.status === 204 ? undefined : await res.json().catch(() => undefined);
    if (!res.ok && res.status !== 503) throw new Error((body && (body.detail || body.title || body.code)) || res.status + ' ' + res.statusText);
    return body;
  }
  const fmt = (iso) => (iso ? new Date(iso).toLocaleString() : '-');

  async function overview() {
    const [ready, ov] = await Promise.all([api('/readyz'), api('/console/api/overview')]);
    state.overview = ov;
    $('role').textContent = 'Signed in as ' + ov.role + (ov.role === 'viewer' ? ' (read-only)' : '');
    $('ready-state').textContent = ready.status === 'ready' ? 'Ready' : 'Not ready';
    $('ready-state').className = ready.status === 'ready' ? 'ok' : 'bad';
    $('ready-checks').replaceChildren(
      ...Object.entries(ready.checks).map(([name, c]) => h('li', {}, h('span', { class: c.ok ? 'ok' : 'bad' }, c.ok ? 'ok' : 'failing'), ' ' + name + (c.detail ? ': ' + c.detail : ''))),
      ...ready.missing.map((m) => h('li', {}, h('span', { class: 'bad' }, 'missing'), ' ' + m.setting + ': ' + m.why)),
    );
    $('events').replaceChildren(...Object.entries(ov.events).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
    $('outbox-depth').textContent = String(ov.outboxDepth);
    $('jobs').replaceChildren(...ov.nextJobs.map((j) => h('li', {}, j.job + ': ' + fmt(j.at))));
    fill($('dead-letters'), ov.deadLetters.map((d) => h('tr', {}, h('td', {}, d.id), h('td', {}, d.source), h('td', {}, d.code), h('td', {}, String(d.attempts)), h('td', {}, fmt(d.createdAt)),
      h('td', {}, h('button', { type: 'button', disabled: ov.role !== 'operator', onclick: () => act('Replaying ' + d.id, () => api('/console/api/dead-letters/' + encodeURIComponent(d.id) + '/replay', { method: 'POST' })) }, 'Replay')))), 'No dead letters.', 6);
    const sb = ov.sandbox;
    $('sandbox').hidden = !sb;
    if (sb) {
      $('sb-change').textContent = sb.change.number;
      $('sb-approval').textContent = sb.change.approval;
      $('sb-state').textContent = sb.change.state;
      $('sb-down').textContent = sb.servicenowDownUntil ? 'ServiceNow is down until ' + fmt(sb.servicenowDownUntil) + '.' : '';
      if (!state.groupsFilled) {
        $('run-change').value = sb.change.number;
        $('run-group').replaceChildren(...sb.patchGroups.map((g) => h('option', {}, g)));
        state.groupsFilled = true;
      }
    }
    for (const b of document.querySelectorAll('#sandbox button, #run-form button, #request-report')) b.disabled = ov.role !== 'operator';
  }

  async function incidents() {
    const { items } = await api('/console/api/incidents');
    fill($('incident-rows'), items.map((i) => h('tr', {},
      h('td', {}, i.link ? h('a', { href: i.link, rel: 'noreferrer' }, i.number) : i.number),
      h('td', {}, h('code', {}, i.correlation_id)), h('td', {}, i.short_description), h('td', {}, i.active === 'true' ? 'open (' + i.state + ')' : 'closed (' + i.state + ')'), h('td', {}, i.sys_updated_on))), 'No incidents yet.', 5);
  }

  async function runs() {
    const list = await api('/v1/patch-runs?limit=10');
    const detailed = await Promise.all(list.items.map((r) => (TERMINAL.has(r.status) ? r : api('/v1/patch-runs/' + r.id + '?limit=1').catch(() => r))));
    fill($('run-rows'), detailed.map((r) => {
      const c = r.counts || {};
      const done = (c.succeeded || 0) + (c.failed || 0) + (c.timedOut || 0) + (c.cancelled || 0);
      const total = c.total || 0;
      const label = done + ' of ' + total + ' done, ' + (c.failed || 0) + ' failed';
      return h('tr', { 'data-run': r.id, 'data-status': r.status },
        h('td', {}, h('code', {}, r.id.slice(0, 8))), h('td', {}, r.changeRequest), h('td', {}, (r.targets.patchGroups || r.targets.instanceIds || []).join(', ')),
        h('td', { class: r.status === 'Success' ? 'ok' : TERMINAL.has(r.status) ? 'bad' : '' }, r.status),
        h('td', {}, h('progress', { max: String(total || 1), value: String(TERMINAL.has(r.status) && total === 0 ? 1 : done), 'aria-label': 'Run ' + r.id.slice(0, 8) + ': ' + label }), ' ', h('span', { class: 'progress-text' }, label)));
    }), 'No patch runs yet.', 5);
  }

  async function windows() {
    const ov = state.overview;
    const account = ov && ((ov.sandbox && ov.sandbox.accountId) || ov.home.accountId);
    const region = ov && ((ov.sandbox && ov.sandbox.region) || ov.home.region);
    if (!account || ov.role !== 'operator') { fill($('window-rows'), [], 'Windows are listed for operators of a configured account.', 6); return; }
    const list = await api('/v1/maintenance-windows?account=' + encodeURIComponent(account) + '&region=' + encodeURIComponent(region));
    fill($('window-rows'), list.items.map((w) => h('tr', {}, h('td', {}, h('code', {}, w.windowId)), h('td', {}, w.name), h('td', {}, w.enabled ? 'yes' : 'no'), h('td', {}, w.gateState), h('td', {}, w.gate ? w.gate.changeRequest : '-'), h('td', {}, fmt(w.nextExecutionTime)))), 'No windows.', 6);
  }

  function chart(groups) {
    const ns = 'http://www.w3.org/2000/svg';
    const width = 420, bar = 18, gap = 8, left = 120;
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(groups.length * (bar + gap) + gap));
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'Compliance per patch group: ' + groups.map((g) => g.key + ' ' + (g.compliancePct ?? 0) + '%').join(', '));
    groups.forEach((g, i) => {
      const y = gap + i * (bar + gap);
      const pct = g.compliancePct ?? 0;
      const label = document.createElementNS(ns, 'text');
      label.setAttribute('x', '0'); label.setAttribute('y', String(y + bar - 4)); label.textContent = g.key;
      const rect = document.createElementNS(ns, 'rect');
      rect.setAttribute('x', String(left)); rect.setAttribute('y', String(y)); rect.setAttribute('height', String(bar));
      rect.setAttribute('width', String(((width - left - 50) * pct) / 100)); rect.setAttribute('fill', pct >= 90 ? '#136f2d' : '#a4161a');
      const value = document.createElementNS(ns, 'text');
      value.setAttribute('x', String(left + ((width - left - 50) * pct) / 100 + 4)); value.setAttribute('y', String(y + bar - 4)); value.textContent = pct + '%';
      svg.append(label, rect, value);
    });
    return svg;
  }

  async function reports() {
    const list = await api('/v1/compliance/reports?limit=5');
    $('report-list').replaceChildren(...(list.items.length ? list.items.map((r) => {
      const s = r.summary;
      return h('article', { class: 'report', 'data-report': r.id, 'data-status': r.status },
        h('h3', {}, 'Report ' + r.id.slice(0, 8) + ' (' + r.request.period.days + ' days): ' + r.status),
        s ? h('p', {}, 'Fleet ' + (s.fleet.compliancePct ?? '-') + '% compliant: ' + s.fleet.compliant + ' of ' + s.fleet.instances + ' instances, ' + s.fleet.nonCompliant + ' non-compliant, ' + s.fleet.unreported + ' unreported.') : null,
        s ? chart(s.byPatchGroup) : null,
        r.files.length ? h('ul', {}, r.files.filter((f) => f.url).map((f) => h('li', {}, h('a', { href: f.url, download: f.name }, 'Download ' + f.format.toUpperCase() + ' (' + f.name + ')')))) : null,
        r.error ? h('p', { class: 'bad' }, r.error) : null);
    }) : [h('p', { class: 'muted' }, 'No reports yet.')]));
  }

  async function act(label, fn) {
    say(label + '…');
    try { const r = await fn(); say(label + ': done.'); await refresh(); return r; } catch (e) { say(label + ' failed: ' + e.message, true); return undefined; }
  }

  let busy = false;
  async function refresh() {
    if (busy) return;
    busy = true;
    try {
      await overview();
      await Promise.all([incidents(), runs(), windows(), reports()]);
    } catch (e) { say('Refresh failed: ' + e.message, true); } finally { busy = false; }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('run-window').addEventListener('click', async () => {
      const r = await act('Running the window', () => api('/console/api/sandbox/run-window', { method: 'POST', body: '{}' }));
      if (r) say('Running the window: done. Windows of ' + r.executions.map((e) => e.patchGroup).join(' and ') + ' started; made to fail: ' + r.failingInstances.join(', ') + '.');
    });
    $('sn-down').addEventListener('click', () => act('Taking ServiceNow down', () => api('/console/api/sandbox/servicenow-down', { method: 'POST', body: '{}' })));
    for (const b of document.querySelectorAll('[data-change]')) b.addEventListener('click', () => act(b.textContent, () => api('/console/api/sandbox/change', { method: 'POST', body: JSON.stringify({ action: b.dataset.change }) })));
    $('run-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const ov = state.overview || {};
      const sb = ov.sandbox || {};
      const instanceIds = String(f.get('instances') || '').split(/[\\s,]+/).filter(Boolean);
      act('Starting a run', () => api('/v1/patch-runs', { method: 'POST', body: JSON.stringify({ changeRequest: f.get('change'), accountId: sb.accountId || ov.home.accountId, region: sb.region || ov.home.region, targets: instanceIds.length ? { instanceIds } : { patchGroups: [f.get('group')] }, operation: f.get('operation'), rebootOption: 'RebootIfNeeded', maxConcurrency: f.get('concurrency'), maxErrors: '100%' }) }));
    });
    $('request-report').addEventListener('click', () => act('Requesting a report', () => api('/v1/compliance/reports', { method: 'POST', body: JSON.stringify({ period: { days: 7 }, formats: ['csv', 'html', 'json'] }) })));
    refresh();
    setInterval(refresh, 2000);
  });
})();
`;
