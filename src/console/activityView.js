// The activity tab: a party's log in aggregate, drawn with Chart.js (served from
// this hub, see useConsole.ts).
import { $, api, formatTime, latestOnly, session } from './consoleApi.js';

const activityRequest = latestOnly();

/** The charts drawn, by canvas id: each is destroyed before it is drawn again, and at sign-out. */
export const charts = new Map();
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

export async function loadActivity() {
  const current = activityRequest();
  const form = new FormData($('#activity-form'));
  const party = String(form.get('party') || session.viewer.agency);
  const variables = { party };
  if (form.get('from')) variables.from = new Date(`${form.get('from')}T00:00:00Z`).toISOString();
  if (form.get('to')) variables.to = new Date(`${form.get('to')}T00:00:00Z`).toISOString();
  const { data } = await api('ConsoleActivity', variables);
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
