// The auditors' console: plain browser modules over the hub's public GraphQL
// API, nothing else. Every read goes to /graphql with the auditor's token and
// the purpose AUDIT, so the gateway logs it and the API decides what it shows.
// Text from the logs is attacker-controlled (operation names, variables):
// it is only ever set as text (textContent), never parsed as HTML.
import { download, toCsv, toJsonLines } from './csv.js';

const $ = (selector) => document.querySelector(selector);

/** An element with attributes and children (strings become text nodes). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'className') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) element.append(child instanceof Node ? child : String(child));
  return element;
}

/** The token is kept in memory only: closing or reloading the page signs out. */
let token = null;
let viewer = null;
let parties = [];

/** A GraphQL error as the console shows it: the API's message and its code. */
class ApiError extends Error {
  constructor(errors) {
    super(errors.map((error) => `${error.message}${error.extensions?.code ? ` (${error.extensions.code})` : ''}`).join('\n'));
    this.codes = errors.map((error) => error.extensions?.code);
  }
}

/** One operation against the public API, as any client sends it. Resolves with data; partial answers keep their errors. */
async function api(query, variables = {}) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}`, 'x-hub-purpose': 'AUDIT' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => ({ errors: [{ message: `The hub answered HTTP ${response.status}.` }] }));
  if (body.errors?.length && !body.data) throw new ApiError(body.errors);
  return { data: body.data, errors: body.errors ?? [] };
}

function showError(error) {
  const box = $('#error');
  box.textContent = error ? String(error.message ?? error) : '';
  box.hidden = !error;
}

/** Runs an action of the page, showing what went wrong instead of failing silently. */
const guarded = (action) => async (event) => {
  event?.preventDefault?.();
  try {
    showError(null);
    await action(event);
  } catch (error) {
    showError(error);
  }
};

/**
 * Marks the latest call of a loader: a slower answer to an earlier request
 * (a tab opened, then a filter applied) must not overwrite a later one.
 */
function latestOnly() {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}
const logRequest = latestOnly();
const chainsRequest = latestOnly();
const activityRequest = latestOnly();

// ---- Entries: the fields the API has --------------------------------------------------------

/** The selection of AuditEntry used when the API does not answer introspection (production). */
const fallbackEntrySelection =
  'seq party at kind actorSub actorAgency actorUnit actorRoles purpose caseReference operation documentHash variables records { agency id reference tier basis grantId } outcome errorCode clientAddress traceId details prevHash hash';
let entrySelection = fallbackEntrySelection;

const namedType = (type) => (type.ofType ? namedType(type.ofType) : type);
const typeQuery = `query EntryType($name: String!) { __type(name: $name) { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`;

/**
 * Selects every field AuditEntry has, whatever it is now (the log's fields
 * change as the hub does): scalars as they are, objects with their scalar
 * fields. Without introspection, the fields known when this was written.
 */
async function loadEntrySelection() {
  try {
    const { data } = await api(typeQuery, { name: 'AuditEntry' });
    const fields = data.__type?.fields;
    if (!fields) return;
    const parts = [];
    for (const field of fields) {
      const type = namedType(field.type);
      if (type.kind === 'SCALAR' || type.kind === 'ENUM') parts.push(field.name);
      else if (type.kind === 'OBJECT') {
        const inner = (await api(typeQuery, { name: type.name })).data.__type?.fields ?? [];
        const scalars = inner.filter((f) => ['SCALAR', 'ENUM'].includes(namedType(f.type).kind)).map((f) => f.name);
        if (scalars.length) parts.push(`${field.name} { ${scalars.join(' ')} }`);
      }
    }
    // In the log's own order (seq, party, at, …), fields unknown to this page after them: the columns of the export.
    const known = fallbackEntrySelection.replace(/\{[^}]*\}/g, '').split(/\s+/);
    const rank = (part) => (known.includes(part.split(' ')[0]) ? known.indexOf(part.split(' ')[0]) : known.length);
    if (parts.length) entrySelection = parts.sort((a, b) => rank(a) - rank(b)).join(' ');
  } catch {
    entrySelection = fallbackEntrySelection;
  }
}

// ---- Sign-in ----------------------------------------------------------------------------------

async function signIn(event) {
  token = new FormData(event.target).get('token').trim().replace(/^Bearer\s+/i, '');
  const { data } = await api('query ConsoleViewer { viewer { sub agency unit roles name } }');
  viewer = data.viewer;
  $('#who').textContent = `${viewer.name ? `${viewer.name}, ` : ''}${viewer.sub} · ${viewer.agency} · ${viewer.unit} · ${viewer.roles.join(', ')}`;
  $('#signin').hidden = true;
  $('#app').hidden = false;
  await loadEntrySelection();
  parties = [viewer.agency, 'GATEWAY'];
  const chains = await loadChains().catch((error) => {
    showError(error);
    return null;
  });
  if (chains) parties = [...new Set([viewer.agency, ...chains.map((chain) => chain.party)])];
  for (const select of document.querySelectorAll('select[name=party]')) {
    select.replaceChildren(...parties.map((party) => h('option', { value: party }, party)));
  }
  // The agreement's purposes as the API's enum has them, to pick from (without introspection: typed by hand).
  const purposes = await api('query ConsolePurposes { __type(name: "Purpose") { enumValues { name } } }').catch(() => null);
  $('#purposes').replaceChildren(...(purposes?.data.__type?.enumValues ?? []).map((value) => h('option', { value: value.name })));
  await loadLog(null);
}

function signOut() {
  token = null;
  viewer = null;
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
  return { party: String(form.get('party') || viewer.agency), filter };
}

const entriesQuery = () => /* GraphQL */ `
  query ConsoleAuditEntries($party: String!, $filter: AuditFilter, $first: Int!, $after: String) {
    auditEntries(party: $party, filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { ${entrySelection} } }
    }
  }`;

async function fetchEntries(after, first = pageSize) {
  const { party, filter } = currentFilter();
  const { data } = await api(entriesQuery(), { party, filter, first, after });
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

const formatTime = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace('Z', '') : '');

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
        `${record.agency} ${record.reference ?? record.id} ${record.tier ?? ''} ${record.basis ?? ''} `,
        h('button', { type: 'button', className: 'trail-link', onclick: guarded(() => openTrail(alertApiId(record))) }, 'Trail'),
      ),
    ),
  );
}

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
  const { data } = await api(
    `query ConsoleTrail($id: ID!) { recordDisclosures(alertId: $id) { seq party at kind actorSub actorAgency actorUnit purpose caseReference operation records { agency id reference tier basis } outcome errorCode } }`,
    { id: alertId },
  );
  const trail = data.recordDisclosures;
  $('#trail-summary').textContent = `${trail.length} entries across ${new Set(trail.map((entry) => entry.party)).size} parties, newest first.`;
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

// ---- Chains and checkpoints -------------------------------------------------------------------

async function loadChains() {
  const current = chainsRequest();
  const { data, errors } = await api(
    'query ConsoleChains { auditChains { party entryCount headSeq headHash headAt verified problem { seq reason } checkedAt } }',
  );
  if (!current()) return data.auditChains ?? [];
  const chains = data.auditChains ?? [];
  const unavailable = errors.filter((error) => error.extensions?.code === 'AGENCY_UNAVAILABLE');
  $('#chains').replaceChildren(
    ...chains.map((chain) =>
      h(
        'article',
        { className: `chain ${chain.verified ? 'verified' : 'broken'}`, 'data-party': chain.party },
        h('h3', {}, `${chain.party}: ${chain.verified ? 'verified' : `BROKEN at entry ${chain.problem.seq}`}`),
        chain.verified ? null : h('p', { className: 'reason' }, chain.problem.reason),
        h('div', {}, `${chain.entryCount} entries; head #${chain.headSeq}`, chain.headAt ? ` at ${formatTime(chain.headAt)}` : ''),
        h('div', {}, 'head hash ', h('code', {}, chain.headHash)),
        h('div', { className: 'notice' }, `walked by ${chain.party} itself at ${formatTime(chain.checkedAt)}`),
      ),
    ),
    ...unavailable.map((error) => h('article', { className: 'chain unavailable' }, h('h3', {}, 'Unavailable'), error.message)),
  );
  await loadCheckpoints();
  return chains;
}

/** A panel of a query this hub may not have yet: "not available" when the API does not know the field. */
async function optionalPanel(target, query, render) {
  try {
    const { data } = await api(query);
    render(data);
  } catch (error) {
    if (error instanceof ApiError && error.codes.includes('GRAPHQL_VALIDATION_FAILED')) {
      target.replaceChildren(h('p', { className: 'notice' }, 'Not available: this hub’s API does not offer it yet.'));
    } else target.replaceChildren(h('p', { className: 'error' }, error.message));
  }
}

async function loadCheckpoints() {
  await optionalPanel($('#checkpoints'), 'query ConsoleCheckpoints { auditCheckpoints { party seq headHash count at } }', (data) => {
    const rows = data.auditCheckpoints.map((checkpoint) =>
      h('tr', {}, h('td', {}, checkpoint.party), h('td', {}, checkpoint.seq), h('td', { className: 'mono' }, checkpoint.headHash), h('td', {}, formatTime(checkpoint.at))),
    );
    $('#checkpoints').replaceChildren(
      rows.length
        ? h('table', { className: 'entries' }, h('thead', {}, h('tr', {}, h('th', {}, 'Party'), h('th', {}, 'Entry'), h('th', {}, 'Head hash'), h('th', {}, 'Signed at'))), h('tbody', {}, rows))
        : h('p', { className: 'notice' }, 'No checkpoint exchanged yet.'),
    );
  });
  await optionalPanel(
    $('#conflicts'),
    'query ConsoleConflicts { auditCheckpointConflicts { party seq keptHeadHash receivedHeadHash detectedAt detectedBy } }',
    (data) => {
      const conflicts = data.auditCheckpointConflicts;
      $('#conflicts').replaceChildren(
        conflicts.length
          ? h(
              'div',
              {},
              conflicts.map((conflict) =>
                h(
                  'article',
                  { className: 'chain broken' },
                  h('h3', {}, `${conflict.party}: two heads signed for entry ${conflict.seq}`),
                  h('div', {}, 'kept ', h('code', {}, conflict.keptHeadHash)),
                  h('div', {}, 'received ', h('code', {}, conflict.receivedHeadHash)),
                  h('div', { className: 'notice' }, `detected by ${conflict.detectedBy} at ${formatTime(conflict.detectedAt)}`),
                ),
              ),
            )
          : h('p', { className: 'notice' }, 'No conflict: every checkpoint received agrees with the copies kept.'),
      );
    },
  );
}

// ---- Activity ---------------------------------------------------------------------------------

const charts = new Map();
const palette = ['#1f4e8c', '#e08a1e', '#2a9d8f', '#8e44ad', '#c0392b', '#7f8c8d', '#27ae60', '#d35400'];

/** Every UTC day of [from, to), so that quiet days show as zero. */
function daysOf(from, to) {
  const days = [];
  for (let day = new Date(from); day < new Date(to); day = new Date(day.getTime() + 86_400_000)) days.push(day.toISOString().slice(0, 10));
  return days;
}

function dailyChart(id, rows, days, type = 'bar') {
  const keys = [...new Set(rows.map((row) => row.key))].sort();
  const datasets = keys.map((key, index) => ({
    label: key,
    data: days.map((day) => rows.find((row) => row.day === day && row.key === key)?.count ?? 0),
    backgroundColor: palette[index % palette.length],
    borderColor: palette[index % palette.length],
  }));
  drawChart(id, { type, data: { labels: days, datasets }, options: { animation: false, responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } });
}

function drawChart(id, config) {
  charts.get(id)?.destroy();
  charts.set(id, new window.Chart(document.getElementById(id), config));
}

async function loadActivity() {
  const current = activityRequest();
  const form = new FormData($('#activity-form'));
  const party = String(form.get('party') || viewer.agency);
  const variables = { party };
  if (form.get('from')) variables.from = new Date(`${form.get('from')}T00:00:00Z`).toISOString();
  if (form.get('to')) variables.to = new Date(`${form.get('to')}T00:00:00Z`).toISOString();
  const { data } = await api(
    `query ConsoleActivity($party: String!, $from: DateTime, $to: DateTime) {
      auditActivity(party: $party, from: $from, to: $to) {
        party from to
        accessesByPurpose { day key count } accessesByUnit { day key count } denials { day key count }
        searches { median mad k threshold officers { actorSub actorAgency actorUnit count unusual } }
      }
    }`,
    variables,
  );
  if (!current()) return;
  const activity = data.auditActivity;
  const days = daysOf(activity.from.slice(0, 10), activity.to);
  $('#activity-summary').textContent = `${activity.party}: ${formatTime(activity.from)} to ${formatTime(activity.to)} (UTC), the entries of your scope.`;
  dailyChart('chart-purpose', activity.accessesByPurpose, days);
  dailyChart('chart-unit', activity.accessesByUnit, days);
  dailyChart('chart-denials', activity.denials, days);
  const searches = activity.searches;
  if (!searches) {
    charts.get('chart-searches')?.destroy();
    charts.delete('chart-searches');
    $('#unusual-rule').textContent = `The gateway's entries name the client's operation, not the fields it ran: searches are counted in each agency's log.`;
    return;
  }
  const officers = searches.officers;
  drawChart('chart-searches', {
    type: 'bar',
    data: {
      labels: officers.map((officer) => officer.actorSub),
      datasets: [{ label: 'searches', data: officers.map((officer) => officer.count), backgroundColor: officers.map((officer) => (officer.unusual ? '#b3261e' : '#1f4e8c')) }],
    },
    options: { animation: false, indexAxis: 'y', responsive: true, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  const unusual = officers.filter((officer) => officer.unusual).map((officer) => `${officer.actorSub} (${officer.count})`);
  $('#unusual-rule').textContent =
    `Searches count the watch entries registered too (a standing search). Unusual (red): more than median + k × MAD searches in the period, MAD being the median absolute deviation of the officers' counts (taken as at least 1): ` +
    `${searches.median} + ${searches.k} × ${Math.max(searches.mad, 1)} = ${searches.threshold}. ` +
    (unusual.length ? `Unusually many: ${unusual.join(', ')}.` : 'Nobody searched unusually often.');
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
    if (token) void guarded(() => loadLog(null))();
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
