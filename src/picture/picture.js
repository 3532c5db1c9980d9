// The analysts' joint picture: plain browser modules over the DOM and SVG,
// the map drawn with d3-geo from Natural Earth (world-atlas), served by the
// hub. Everything comes from /graphql under the purpose RISK_ANALYSIS, so the
// gateway logs every table and the owners' nodes decide what it shows.

import { download, toCsv } from '/picture/csv.js';
import { breakdowns, defaultRange, pictureQuery, pictureRows, summarise } from '/picture/pictureData.js';

const svgNs = 'http://www.w3.org/2000/svg';
const $ = (selector) => document.querySelector(selector);
let token = null;
let answer = null;
let world = null;

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined && value !== null) element.setAttribute(name, value);
  for (const child of children.flat()) element.append(child instanceof Node ? child : String(child));
  return element;
}

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  for (const child of children.flat()) element.append(child instanceof Node ? child : String(child));
  return element;
}

function showError(message) {
  const box = $('#error');
  box.textContent = message;
  box.hidden = !message;
}

// How this hub takes the page's operation: as text, or by the id of its agreed document (trusted documents only).
const hub = fetch('/picture/hub.json').then((response) => response.json()).catch(() => ({ trustedDocuments: false, documentIds: {} }));

async function ask(variables) {
  const { trustedDocuments, documentIds } = await hub;
  const document = trustedDocuments ? { documentId: documentIds.PictureJointPicture } : { query: pictureQuery };
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}`, 'x-hub-purpose': 'RISK_ANALYSIS' },
    body: JSON.stringify({ ...document, variables }),
  });
  const body = await response.json();
  if (body.errors?.length && !body.data?.byPlace) throw new Error(body.errors.map((error) => `${error.extensions?.code ?? 'ERROR'}: ${error.message}`).join('\n'));
  return body;
}

const agenciesOf = (data) => data.byPlace.tables.map((table) => table.agency);
const placeName = (data, code) => data.statisticsPlaces.find((place) => place.code === code)?.name ?? code;

function legend(data) {
  const legendBox = $('#legend');
  legendBox.replaceChildren(
    ...data.byPlace.tables.flatMap((table) => [
      h('span', { class: `swatch ${table.agency}` }),
      `${table.agency}: ${table.protected ? `partner's statistics, cells under ${table.minimumCellSize} alerts suppressed` : 'your agency, whole'}`,
    ]),
    ...(data.total.arrests ? [h('span', { class: 'swatch JOINT' }), `JOINT: joint operations of ${data.total.arrests.party}, protected`] : []),
    h('span', { class: 'swatch suppressed' }),
    'suppressed cell',
  );
  if (data.byPlace.unavailableAgencies.length) legendBox.append(` · unavailable: ${data.byPlace.unavailableAgencies.join(', ')}`);
}

function hatch() {
  return s('defs', {}, s('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    s('rect', { width: 6, height: 6, fill: '#fff' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#888', 'stroke-width': 3 })));
}

async function drawMap(data) {
  world ??= await (await fetch('/picture/countries-50m.json')).json();
  const { geoMercator, geoPath } = globalThis.d3;
  const countries = globalThis.topojson.feature(world, world.objects.countries).features;
  const focus = new Set(['Kosovo', 'Macedonia', 'North Macedonia']);
  const projection = geoMercator().fitExtent([[10, 10], [630, 410]], { type: 'MultiPoint', coordinates: [[20.6, 41.95], [21.85, 42.4]] });
  const path = geoPath(projection);
  const border = globalThis.topojson.mesh(world, world.objects.countries, (a, b) => a !== b && focus.has(a.properties.name) && focus.has(b.properties.name));
  const svg = $('#map');
  svg.replaceChildren(hatch());
  for (const country of countries) svg.append(s('path', { class: `country${focus.has(country.properties.name) ? ' focus' : ''}`, d: path(country) }));
  svg.append(s('path', { class: 'border', d: path(border) }));
  for (const [name, lon, lat] of [['KOSOVO', 20.9, 42.34], ['NORTH MACEDONIA', 21.05, 41.99]]) {
    const [x, y] = projection([lon, lat]);
    svg.append(s('text', { class: 'country-label', x, y }, name));
  }
  const agencies = agenciesOf(data);
  const byPlace = new Map(agencies.map((agency) => [agency, summarise(data.byPlace.cells, agency, (cell) => cell.values[0])]));
  data.statisticsPlaces.forEach((place, order) => {
    const [x, y] = projection([place.longitude, place.latitude]);
    const words = [];
    agencies.forEach((agency, index) => {
      const entry = byPlace.get(agency).get(place.code);
      // Each agency's mark on its own side of the line: XK north, MK south.
      const dy = (index === 0 ? -1 : 1) * 9;
      const radius = 4 + Math.sqrt(entry?.alerts ?? 0) * 2.2;
      const suppressed = Boolean(entry?.suppressed);
      const attributes = { class: `mark ${agency}${suppressed && !entry.released ? ' suppressed' : ''}`, 'data-place': place.code, 'data-agency': agency };
      const title = s('title', {}, `${agency} at ${place.name}: ${entry ? `${entry.alerts} alerts in released cells${suppressed ? `, ${entry.suppressed} period(s) suppressed` : ''}` : 'no alert'}`);
      svg.append(
        place.kind === 'GREEN_BORDER_SECTOR'
          ? s('rect', { ...attributes, x: x - radius, y: y + dy - radius, width: 2 * radius, height: 2 * radius }, title)
          : s('circle', { ...attributes, cx: x, cy: y + dy, r: radius }, title),
      );
      words.push(`${agency} ${entry?.alerts ?? 0}${suppressed ? '+s' : ''}`);
    });
    // Labels stacked by the places' order, so that neighbouring crossings (the road and rail ones at Hani i Elezit) do not cover each other.
    const labelY = y + (order % 2 ? 26 : -22) + (order % 4 >= 2 ? 10 : 0);
    svg.append(s('line', { x1: x, y1: y, x2: x + 18, y2: labelY - 4, stroke: '#8895a3', 'stroke-width': 0.6 }));
    svg.append(s('text', { class: 'place-label', x: x + 20, y: labelY }, `${place.name.split(' (')[0].split(' / ')[0].split(' – ')[0]}: ${words.join(' · ')}`));
  });
}

function drawSeries(data) {
  const svg = $('#series');
  svg.replaceChildren(hatch());
  const periods = data.total.periods;
  const agencies = agenciesOf(data);
  const cells = data.total.cells;
  const max = Math.max(1, ...cells.map((cell) => cell.alerts ?? 0));
  const [left, top, width, height] = [36, 10, 590, 250];
  const slot = width / Math.max(1, periods.length);
  const barWidth = Math.max(2, (slot - 4) / agencies.length);
  for (let tick = 0; tick <= 4; tick += 1) {
    const y = top + height - (tick / 4) * height;
    svg.append(s('text', { class: 'axis', x: 2, y: y + 3 }, String(Math.round((tick / 4) * max))));
    svg.append(s('line', { x1: left, x2: left + width, y1: y, y2: y, stroke: '#e3e8ee' }));
  }
  periods.forEach((period, p) => {
    agencies.forEach((agency, a) => {
      const cell = cells.find((candidate) => candidate.agency === agency && candidate.period === period);
      const x = left + p * slot + 2 + a * barWidth;
      const suppressed = Boolean(cell?.suppressed);
      const value = suppressed ? max * 0.04 : cell?.alerts ?? 0;
      const barHeight = (value / max) * height;
      svg.append(
        s('rect', { class: `bar ${agency}${suppressed ? ' suppressed' : ''}`, 'data-period': period, 'data-agency': agency, x, y: top + height - barHeight, width: barWidth - 1, height: barHeight },
          s('title', {}, `${agency} ${period}: ${suppressed ? 'suppressed' : `${cell?.alerts ?? 0} alerts, ${cell?.firearms ?? 0} firearms`}`)),
      );
    });
    if (periods.length <= 12 || p % 3 === 0) svg.append(s('text', { class: 'axis', x: left + p * slot + 2, y: top + height + 14 }, period));
  });
}

/** The joint measure: persons arrested in the joint operations of the analyst's agency, one bar per period (JOINT: both parties' data). */
function drawArrests(data) {
  const svg = $('#arrests');
  svg.replaceChildren(hatch());
  const arrests = data.total.arrests;
  if (!arrests) {
    $('#arrests-note').textContent = 'The exchange agreement shares no arrest statistics (measure PERSONS_ARRESTED).';
    return;
  }
  $('#arrests-note').textContent =
    `JOINT: the joint operations of which ${arrests.party} is a party, from the ARREST entries of their timelines. A period is shown only if every ` +
    `operation arrested at least ${arrests.minimumCellSize} persons in it; otherwise it is suppressed (hatched).`;
  const periods = arrests.periods;
  const max = Math.max(1, ...arrests.cells.map((cell) => cell.personsArrested ?? 0));
  const [left, top, width, height] = [36, 10, 590, 160];
  const slot = width / Math.max(1, periods.length);
  for (let tick = 0; tick <= 2; tick += 1) {
    const y = top + height - (tick / 2) * height;
    svg.append(s('text', { class: 'axis', x: 2, y: y + 3 }, String(Math.round((tick / 2) * max))));
    svg.append(s('line', { x1: left, x2: left + width, y1: y, y2: y, stroke: '#e3e8ee' }));
  }
  periods.forEach((period, p) => {
    const cell = arrests.cells.find((candidate) => candidate.period === period);
    const suppressed = Boolean(cell?.suppressed);
    const value = suppressed ? max * 0.06 : cell?.personsArrested ?? 0;
    const barHeight = (value / max) * height;
    svg.append(
      s('rect', { class: `bar JOINT${suppressed ? ' suppressed' : ''}`, 'data-period': period, 'data-agency': 'JOINT', x: left + p * slot + 2, y: top + height - barHeight, width: Math.max(2, slot - 4), height: barHeight },
        s('title', {}, `JOINT ${period}: ${suppressed ? 'suppressed' : `${cell?.personsArrested ?? 0} persons arrested`}`)),
    );
    if (periods.length <= 12 || p % 3 === 0) svg.append(s('text', { class: 'axis', x: left + p * slot + 2, y: top + height + 14 }, period));
  });
}

function valueCell(cell, format = (value) => value) {
  if (!cell) return h('td', {}, '–');
  if (cell.suppressed) return h('td', { class: 'suppressed' }, 'suppressed');
  return h('td', {}, format(cell));
}

function drawCiram(data) {
  const agencies = agenciesOf(data);
  const last = data.byPlace.periods.at(-1);
  const header = h('tr', {}, h('th', { class: 'label' }, 'Place'), ...agencies.map((agency) => h('th', { colspan: 6 }, `${agency} · ${last}`)));
  const sub = h('tr', {}, h('th', {}), ...agencies.flatMap(() => ['Alerts', 'Threat', 'Vulnerability', 'Impact', 'Level', 'Trend'].map((name) => h('th', {}, name))));
  const rows = data.statisticsPlaces.map((place) =>
    h('tr', { 'data-place': place.code }, h('td', { class: 'label' }, place.name), ...agencies.flatMap((agency) => {
      const assessment = data.byPlace.ciram.find((entry) => entry.agency === agency && entry.place === place.code && entry.period === last);
      const trend = data.byPlace.ciramTrends.find((entry) => entry.agency === agency && entry.place === place.code);
      if (assessment?.suppressed) return [h('td', { class: 'suppressed', colspan: 5 }, 'suppressed'), h('td', {}, trend?.direction ?? '–')];
      if (!assessment) return [h('td', {}, '0'), h('td', {}, '–'), h('td', {}, '–'), h('td', {}, '–'), h('td', {}, '–'), h('td', {}, trend?.direction ?? '–')];
      return [
        h('td', {}, assessment.alerts ?? '–'),
        h('td', {}, assessment.threat ?? '–'),
        h('td', {}, assessment.vulnerability ?? '–'),
        h('td', {}, assessment.impact ?? '–'),
        h('td', { class: assessment.level ?? '' }, assessment.level ?? '–'),
        h('td', {}, trend ? `${trend.direction}${trend.slope === null ? '' : ` (${trend.slope > 0 ? '+' : ''}${trend.slope}/period)`}` : '–'),
      ];
    })),
  );
  $('#ciram').replaceChildren(h('thead', {}, header, sub), h('tbody', {}, ...rows));
}

function drawBreakdowns(data) {
  const agencies = agenciesOf(data);
  $('#breakdowns').replaceChildren(...breakdowns.map(({ alias, title }) => {
    const picture = data[alias];
    const values = [...new Set(picture.cells.map((cell) => cell.values[0]))].sort();
    const sums = new Map(agencies.map((agency) => [agency, summarise(picture.cells, agency, (cell) => cell.values[0])]));
    const body = values.map((value) =>
      h('tr', {}, h('td', { class: 'label' }, value), ...agencies.map((agency) => {
        const entry = sums.get(agency).get(value);
        if (!entry) return h('td', {}, '0');
        if (!entry.released) return h('td', { class: 'suppressed' }, 'suppressed');
        return h('td', { class: entry.suppressed ? 'partial' : '' }, `${entry.alerts}${entry.suppressed ? ` + ${entry.suppressed} suppressed` : ''}`);
      })),
    );
    return h('div', { class: 'breakdown', 'data-table': alias }, h('h3', {}, `${title} (alerts)`),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', { class: 'label' }, ''), ...agencies.map((agency) => h('th', {}, agency)))), h('tbody', {}, ...body)));
  }));
}

async function show() {
  showError('');
  const from = $('#from').value;
  const to = $('#to').value;
  try {
    answer = await ask({ from, to });
    const data = answer.data;
    $('#who').textContent = `${data.viewer.sub} · ${data.viewer.unit} (${data.viewer.agency})`;
    legend(data);
    await drawMap(data);
    drawSeries(data);
    drawArrests(data);
    drawCiram(data);
    drawBreakdowns(data);
    if (answer.errors?.length) showError(answer.errors.map((error) => error.message).join('\n'));
  } catch (error) {
    showError(error.message);
  }
}

$('#signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  token = $('#token').value.trim();
  const range = defaultRange();
  $('#from').value ||= range.from;
  $('#to').value ||= range.to;
  $('#signin').hidden = true;
  $('#app').hidden = false;
  await show();
});
$('#period').addEventListener('submit', (event) => {
  event.preventDefault();
  void show();
});
$('#signout').addEventListener('click', () => {
  token = null;
  answer = null;
  $('#token').value = '';
  $('#app').hidden = true;
  $('#signin').hidden = false;
  $('#who').textContent = '';
});
$('#export-csv').addEventListener('click', () => {
  if (answer) download(`joint-picture-${$('#from').value}-${$('#to').value}.csv`, 'text/csv', toCsv(pictureRows(answer.data)));
});
$('#export-json').addEventListener('click', () => {
  if (answer) download(`joint-picture-${$('#from').value}-${$('#to').value}.json`, 'application/json', JSON.stringify(answer.data, null, 2));
});
