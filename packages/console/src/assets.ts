// The console's stylesheet and script, served from /ui/assets (no CDN, no inline code: the pages' CSP allows only
// 'self'). The script only swaps in HTML the server rendered (escaped) for each live event.

export const CSS = `
:root { --ink: #1d2433; --dim: #667085; --line: #e4e7ec; --bg: #f6f7f9; --card: #fff; --accent: #3b5bdb;
  --ok: #127a3f; --ok-bg: #e3f6ea; --bad: #b42318; --bad-bg: #fdeceb; --warn: #9a6700; --warn-bg: #fff4d6;
  --idle: #475467; --idle-bg: #eef0f3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--bg); }
header { display: flex; align-items: center; gap: 24px; padding: 12px 28px; background: #111827; color: #fff; }
header a { color: #cbd5e1; text-decoration: none; }
header .brand { color: #fff; font-weight: 700; font-size: 16px; letter-spacing: .2px; }
header nav { display: flex; gap: 4px; }
header nav a { padding: 6px 12px; border-radius: 6px; }
header nav a.active, header nav a:hover { background: #1f2937; color: #fff; }
.header-right { margin-left: auto; display: flex; align-items: center; gap: 12px; }
header form { margin: 0; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent);
  color: #fff; cursor: pointer; }
button.quiet { background: transparent; border-color: #475467; color: #cbd5e1; }
.config { color: #e5e7eb; font-size: 13px; }
.config .dim { color: #94a3b8; }
.live { width: 8px; height: 8px; border-radius: 50%; background: #64748b; display: inline-block; }
.live.on { background: #22c55e; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 16px; margin: 0 0 8px; }
a { color: var(--accent); }
.dim { color: var(--dim); }
.small { font-size: 12px; }
.summary { margin: 0 0 16px; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line);
  border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 9px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { white-space: nowrap; background: #f9fafb; font-size: 12px; text-transform: uppercase; letter-spacing: .4px; color: var(--dim); }
tr:last-child td { border-bottom: 0; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.era { white-space: nowrap; }
table.kv th { width: 240px; }
td.error { color: var(--bad); font-size: 12px; max-width: 320px; overflow-wrap: anywhere; }
.name { font-weight: 600; text-decoration: none; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: var(--idle-bg); color: var(--idle); margin-right: 4px; }
.badge.ready { background: var(--ok-bg); color: var(--ok); }
.badge.degraded { background: var(--bad-bg); color: var(--bad); }
.badge.starting { background: var(--warn-bg); color: var(--warn); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 0 0 16px; }
.search { display: flex; gap: 8px; margin: 0 0 16px; }
.search input { flex: 1; font: inherit; padding: 9px 12px; border: 1px solid var(--line); border-radius: 6px; }
.results ol { margin: 0; padding-left: 22px; }
.results li { padding: 8px 0; border-bottom: 1px solid var(--line); }
.results li:last-child { border-bottom: 0; }
.score { margin-left: 8px; font-size: 12px; color: var(--dim); }
.why { margin-top: 4px; }
.chip { display: inline-block; font-size: 12px; padding: 0 8px; margin: 2px 4px 0 0; border-radius: 4px;
  background: #eef2ff; color: #3730a3; }
.chip.synonym { background: #f0fdf4; color: #166534; }
.chip.meaning { background: #fdf4ff; color: #86198f; }
.chip.warn { background: var(--bad-bg); color: var(--bad); }
table.tools td.tool-name { width: 30%; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
table.tools, table.kv { border: 0; }
pre { background: #0f172a; color: #e2e8f0; padding: 14px; border-radius: 6px; overflow: auto; font-size: 13px; }
.description { white-space: pre-wrap; }
.subtitle { color: var(--dim); margin-top: -8px; }
.notice { background: var(--warn-bg); color: var(--warn); padding: 10px 14px; border-radius: 6px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
body.login { display: grid; place-items: center; min-height: 100vh; }
body.login form { width: 360px; }
body.login label { display: block; margin: 12px 0; }
body.login input { display: block; width: 100%; margin-top: 6px; font: inherit; padding: 8px 10px;
  border: 1px solid var(--line); border-radius: 6px; }
`;

export const SCRIPT = `
(() => {
  const replace = (id, html) => { const node = document.getElementById(id); if (node && html) node.outerHTML = html; };
  const source = new EventSource('/ui/events');
  const dot = document.createElement('span');
  dot.className = 'live';
  dot.title = 'live updates';
  document.querySelector('.header-right')?.prepend(dot);
  source.onopen = () => { dot.className = 'live on'; };
  source.onerror = () => { dot.className = 'live'; };
  source.addEventListener('backend', (event) => {
    const { id, html, summary } = JSON.parse(event.data);
    replace(id, html);
    replace('summary', summary);
  });
  source.addEventListener('config', (event) => replace('config', JSON.parse(event.data).html));
  source.addEventListener('call', (event) => {
    const body = document.getElementById('activity');
    if (!body) return;
    body.insertAdjacentHTML('afterbegin', JSON.parse(event.data).html);
    while (body.rows.length > Number(body.dataset.capacity)) body.deleteRow(-1);
    document.getElementById('no-activity')?.remove();
  });
  const format = (s) => s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s'
    : Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  setInterval(() => {
    for (const cell of document.querySelectorAll('[data-uptime]')) {
      if (cell.dataset.uptime === '') continue;
      const seconds = Number(cell.dataset.uptime) + 1;
      cell.dataset.uptime = String(seconds);
      cell.textContent = format(seconds);
    }
  }, 1000);
})();
`;
