// The auditors' console: plain browser modules over the hub's public GraphQL
// API, nothing else. Every read goes to /graphql with the auditor's token and
// the purpose AUDIT, so the gateway logs it and the API decides what it shows.
// Text from the logs is attacker-controlled (operation names, variables):
// it is only ever set as text (textContent), never parsed as HTML.
import { charts, loadActivity } from './activityView.js';
import { loadChains } from './chainsView.js';
import { $, api, formatTime, guarded, h, latestOnly, session, showError } from './consoleApi.js';
import { purposes } from './consoleDocuments.js';
import { download, toCsv, toJsonLines } from './csv.js';

let parties = [];
const logRequest = latestOnly();

// ---- Sign-in ----------------------------------------------------------------------------------

async function signIn(event) {
  session.token = new FormData(event.target).get('token').trim().replace(/^Bearer\s+/i, '');
  const { data } = await api('ConsoleViewer');
  const viewer = (session.viewer = data.viewer);
  $('#who').textContent = `${viewer.name ? `${viewer.name}, ` : ''}${viewer.sub} · ${viewer.agency} · ${viewer.unit} · ${viewer.roles.join(', ')}`;
  $('#signin').hidden = true;
  $('#app').hidden = false;
  parties = [viewer.agency, 'GATEWAY'];
  const chains = await loadChains().catch((error) => {
    showError(error);
    return null;
  });
  if (chains) parties = [...new Set([viewer.agency, ...chains.map((chain) => chain.party)])];
  for (const select of document.querySelectorAll('select[name=party]')) {
    select.replaceChildren(...parties.map((party) => h('option', { value: party }, party)));
  }
  // The agreement's purposes, to pick from.
  $('#purposes').replaceChildren(...purposes.map((purpose) => h('option', { value: purpose })));
  await loadLog(null);
}

function signOut() {
  session.token = null;
  session.viewer = null;
  $('#app').hidden = true;
  $('#signin').hidden = false;
  $('#who').textContent = '';
  $('#token').value = '';
  // Nothing of the last auditor's stays on the page.
  for (const selector of ['#log-table tbody', '#entry', '#trail', '#chains', '#checkpoints', '#conflicts']) $(selector).replaceChildren();
  for (const selector of ['#log-summary', '#trail-summary', '#unusual-rule', '#activity-summary']) $(selector).textContent = '';
  for (const chart of charts.values()) chart.destroy();
  charts.clear();
  shownEntries = [];
  pageCursors = [null];
  $('#log-filter').reset();
  selectTab('log');
  showError(null);
}

// ---- The log ----------------------------------------------------------------------------------

const pageSize = 50;
/** Cursors of the pages shown so far: `after` of each, the first page's null. */
let pageCursors = [null];
let shownEntries = [];

/** The filter of the form, as AuditFilter takes it: empty fields left out, times read as UTC. */
function currentFilter() {
  const form = new FormData($('#log-filter'));
  const filter = {};
  for (const name of ['actorSub', 'actorUnit', 'actorAgency', 'recordId', 'purpose', 'caseReference', 'outcome', 'kind']) {
    const value = String(form.get(name) ?? '').trim();
    if (value) filter[name] = value;
  }
  for (const name of ['from', 'to']) {
    const value = String(form.get(name) ?? '');
    if (value) filter[name] = new Date(`${value.length === 16 ? `${value}:00` : value}Z`).toISOString();
  }
  return { party: String(form.get('party') || session.viewer.agency), filter };
}

async function fetchEntries(after, first = pageSize) {
  const { party, filter } = currentFilter();
  const { data } = await api('ConsoleAuditEntries', { party, filter, first, after });
  return { party, ...data.auditEntries };
}

async function loadLog(after) {
  const current = logRequest();
  const page = await fetchEntries(after);
  if (!current()) return;
  shownEntries = page.edges.map((edge) => edge.node);
  const index = pageCursors.indexOf(after);
  pageCursors = index >= 0 ? pageCursors.slice(0, index + 1) : [...pageCursors, after];
  const at = pageCursors.length - 1;
  $('#log-summary').textContent = `${page.party}: ${page.totalCount} entries match; showing ${at * pageSize + (shownEntries.length ? 1 : 0)}–${at * pageSize + shownEntries.length}, newest first.`;
  $('#log-table tbody').replaceChildren(
    ...shownEntries.map((entry) =>
      h(
        'tr',
        { 'data-seq': entry.seq, onclick: (event) => openEntry(entry, event.currentTarget) },
        h('td', {}, entry.seq),
        h('td', {}, formatTime(entry.at)),
        h('td', {}, entry.kind),
        h('td', {}, entry.actorSub ?? ''),
        h('td', {}, entry.actorUnit ?? ''),
        h('td', {}, entry.purpose ?? ''),
        h('td', {}, entry.caseReference ?? ''),
        h('td', {}, entry.operation ?? ''),
        h('td', {}, Array.isArray(entry.records) ? entry.records.map((record) => record.reference ?? record.id).join(', ') : ''),
        h('td', { className: `outcome-${entry.outcome}` }, entry.outcome, entry.errorCode ? ` ${entry.errorCode}` : ''),
      ),
    ),
  );
  $('#log-prev').disabled = at === 0;
  $('#log-next').disabled = !page.pageInfo.hasNextPage;
  $('#log-next').dataset.after = page.pageInfo.endCursor ?? '';
  $('#entry').hidden = true;
}

/** A value of an entry as text: JSON (variables, details) pretty-printed, whatever its shape. */
function displayValue(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value);
      if (parsed && typeof parsed === 'object') return JSON.stringify(parsed, null, 2);
    } catch {
      // Not JSON: the text itself.
    }
    return value;
  }
  return typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value);
}

/** The entry in full: every field the API gave, the records with a link to each one's trail. */
function openEntry(entry, row) {
  for (const selected of document.querySelectorAll('#log-table tr.selected')) selected.classList.remove('selected');
  row?.classList.add('selected');
  const rows = Object.entries(entry).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, name === 'records' ? recordsView(value) : displayValue(value))]);
  $('#entry').replaceChildren(h('h2', {}, `Entry ${entry.seq} of ${entry.party}`), h('dl', {}, rows));
  $('#entry').hidden = false;
}

function recordsView(records) {
  if (!Array.isArray(records) || records.length === 0) return '—';
  return h(
    'ul',
    {},
    records.map((record) =>
      h(
        'li',
        {},
        `${record.type ? `${record.type} ` : ''}${record.agency} ${record.reference ?? record.id} ${record.tier ?? ''} ${record.basis ?? ''} `,
        isAlert(record) ? h('button', { type: 'button', className: 'trail-link', onclick: guarded(() => openTrail(alertApiId(record))) }, 'Trail') : null,
      ),
    ),
  );
}

/**
 * Only an alert has a trail (recordDisclosures): a record of an entry written before records had
 * a type is an alert when it has a reference (a watch entry never had one).
 */
const isAlert = (record) => (record.type ? record.type === 'ALERT' : Boolean(record.reference));

/** The API id of an alert from what an entry names (its owner and owner id): base64("Alert:<agency>:<id>"), see globalId.ts. */
const alertApiId = (record) => btoa(`Alert:${record.agency}:${record.id}`);

/** Every entry of the current filter, page after page, for export (at most 10,000). */
async function allFilteredEntries() {
  const entries = [];
  let after = null;
  for (;;) {
    const page = await fetchEntries(after, 100);
    entries.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage || entries.length >= 10_000) return { party: page.party, entries };
    after = page.pageInfo.endCursor;
  }
}

async function exportEntries(format) {
  const { party, entries } = await allFilteredEntries();
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  if (format === 'csv') download(`audit-${party}-${stamp}.csv`, 'text/csv', toCsv(entries));
  else download(`audit-${party}-${stamp}.jsonl`, 'application/jsonl', toJsonLines(entries));
  $('#log-summary').textContent = `Exported ${entries.length} entries of ${party} as ${format === 'csv' ? 'CSV' : 'JSON Lines'}.`;
}

// ---- A record's trail ------------------------------------------------------------------------

async function openTrail(alertId) {
  selectTab('trail');
  $('#trail-form').elements.alertId.value = alertId;
  const { data } = await api('ConsoleTrail', { id: alertId });
  const trail = data.recordDisclosures;
  const partyCount = new Set(trail.map((entry) => entry.party)).size;
  $('#trail-summary').textContent = trail.length
    ? `${trail.length} ${trail.length === 1 ? 'entry' : 'entries'} across ${partyCount} ${partyCount === 1 ? 'party' : 'parties'}, newest first.`
    : 'No entry of any party you may read names this alert: check the id (an alert’s id, as the API gives it).';
  $('#trail').replaceChildren(
    ...trail.map((entry) => {
      const record = entry.records.find((r) => btoa(`Alert:${r.agency}:${r.id}`) === alertId) ?? entry.records[0];
      return h(
        'li',
        { className: `outcome-${entry.outcome}`, 'data-party': entry.party },
        h('time', {}, formatTime(entry.at)),
        h('span', { className: 'party' }, entry.party),
        ` ${entry.kind} #${entry.seq} · ${entry.actorSub ?? '—'} (${entry.actorAgency ?? '?'} ${entry.actorUnit ?? ''}) · ${entry.purpose ?? 'no purpose'}`,
        entry.caseReference ? ` · ${entry.caseReference}` : '',
        record?.tier ? ` · tier ${record.tier}${record.basis ? ` (${record.basis})` : ''}` : '',
        ` · ${entry.outcome}${entry.errorCode ? ` ${entry.errorCode}` : ''} · ${entry.operation ?? ''}`,
      );
    }),
  );
}

// ---- Tabs and wiring --------------------------------------------------------------------------

function selectTab(name) {
  for (const button of document.querySelectorAll('#tabs [data-tab]')) button.classList.toggle('active', button.dataset.tab === name);
  for (const tab of document.querySelectorAll('.tab')) tab.hidden = tab.id !== `tab-${name}`;
}

$('#signin-form').addEventListener('submit', guarded(signIn));
$('#signout').addEventListener('click', signOut);
$('#log-filter').addEventListener('submit', guarded(() => loadLog(null)));
$('#log-filter').addEventListener('reset', () =>
  setTimeout(() => {
    if (session.token) void guarded(() => loadLog(null))();
  }),
);
$('#log-next').addEventListener('click', guarded((event) => loadLog(event.currentTarget.dataset.after)));
$('#log-prev').addEventListener('click', guarded(() => loadLog(pageCursors.at(-2) ?? null)));
$('#export-jsonl').addEventListener('click', guarded(() => exportEntries('jsonl')));
$('#export-csv').addEventListener('click', guarded(() => exportEntries('csv')));
$('#trail-form').addEventListener('submit', guarded((event) => openTrail(new FormData(event.target).get('alertId').trim())));
$('#chains-refresh').addEventListener('click', guarded(loadChains));
$('#activity-form').addEventListener('submit', guarded(loadActivity));
for (const button of document.querySelectorAll('#tabs [data-tab]')) {
  button.addEventListener(
    'click',
    guarded(async () => {
      selectTab(button.dataset.tab);
      if (button.dataset.tab === 'chains') await loadChains();
      if (button.dataset.tab === 'activity') await loadActivity();
    }),
  );
}
