// What the joint picture asks and how it turns answers into rows: plain
// functions of the API's answers, so that Node's tests run the very code the
// browser runs.

const cellFields = 'agency period values suppressed alerts firearms rounds explosivesKg threat vulnerability impact';
const tableFields = 'agency protected minimumCellSize countWithheld suppressedCells measures';

/** The breakdowns the page shows besides the map, the series and the CIRAM matrix: one table each. */
export const breakdowns = [
  { alias: 'byType', dimension: 'FIREARM_TYPE', title: 'Firearm type' },
  { alias: 'byCategory', dimension: 'EU_CATEGORY', title: 'EU category' },
  { alias: 'byConversion', dimension: 'CONVERTED_GAS_ALARM', title: 'Converted gas / alarm weapon' },
  { alias: 'byPrinting', dimension: 'PRINTED_3D', title: '3D-printed' },
  { alias: 'byReactivation', dimension: 'REACTIVATED', title: 'Reactivated' },
  { alias: 'byMunicipality', dimension: 'MUNICIPALITY', title: 'Municipality' },
];

/** The joint measure beside the agencies' tables: null when the agreement does not share it. */
const arrestsFields = 'arrests { agency party grid periods protected minimumCellSize suppressedCells cells { period suppressed personsArrested } }';

/**
 * One document for the whole page: every table it shows, each a jointPicture
 * of its own. Agreed in contracts/trusted-documents.graphql under the same
 * name, so that a hub that runs trusted documents only has a picture.
 */
export const pictureQuery = `query PictureJointPicture($from: String!, $to: String!) {
  viewer { sub agency unit roles }
  statisticsPlaces { code kind name latitude longitude }
  byPlace: jointPicture(input: { dimensions: [PLACE], from: $from, to: $to }) {
    periods unavailableAgencies tables { ${tableFields} } cells { ${cellFields} }
    ciram { agency place period suppressed alerts threat vulnerability impact level }
    ciramTrends { agency place direction slope periods }
  }
  total: jointPicture(input: { dimensions: [], from: $from, to: $to }) { periods tables { ${tableFields} } cells { ${cellFields} } ${arrestsFields} }
${breakdowns.map((b) => `  ${b.alias}: jointPicture(input: { dimensions: [${b.dimension}], from: $from, to: $to }) { tables { ${tableFields} } cells { ${cellFields} } }`).join('\n')}
}`;

/** A month input's value (`2026-03`) is the grid's period name already. */
export const periodOf = (monthInput) => monthInput;

/** The last `count` months up to the month of `now`, as the page's default. */
export function defaultRange(now = new Date(), count = 12) {
  const name = (date) => `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
  return { from: name(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (count - 1), 1))), to: name(now) };
}

/**
 * What one agency's cells say of one key over all periods: the sum of the
 * released cells, and how many were suppressed (a partial sum, never a guess
 * of what was withheld).
 */
export function summarise(cells, agency, key = () => '') {
  const byKey = new Map();
  for (const cell of cells) {
    if (cell.agency !== agency) continue;
    const k = key(cell);
    const entry = byKey.get(k) ?? { alerts: 0, firearms: 0, released: 0, suppressed: 0 };
    if (cell.suppressed) entry.suppressed += 1;
    else {
      entry.released += 1;
      entry.alerts += cell.alerts ?? 0;
      entry.firearms += cell.firearms ?? 0;
    }
    byKey.set(k, entry);
  }
  return byKey;
}

/**
 * Every cell of every table of an answer, one row each, for the CSV export;
 * the joint arrests as rows of the table `arrests`, agency JOINT.
 */
export function pictureRows(data) {
  const rows = [];
  for (const [alias, picture] of Object.entries(data)) {
    if (!picture || !Array.isArray(picture.cells)) continue;
    for (const cell of picture.cells) {
      rows.push({
        table: alias,
        agency: cell.agency,
        period: cell.period,
        breakdown: cell.values.join(' / '),
        suppressed: cell.suppressed,
        alerts: cell.alerts,
        firearms: cell.firearms,
        rounds: cell.rounds,
        explosivesKg: cell.explosivesKg,
        threat: cell.threat,
        vulnerability: cell.vulnerability,
        impact: cell.impact,
        personsArrested: null,
      });
    }
    for (const cell of picture.arrests?.cells ?? []) {
      rows.push({
        table: 'arrests',
        agency: picture.arrests.agency,
        period: cell.period,
        breakdown: '',
        suppressed: cell.suppressed,
        alerts: null,
        firearms: null,
        rounds: null,
        explosivesKg: null,
        threat: null,
        vulnerability: null,
        impact: null,
        personsArrested: cell.personsArrested,
      });
    }
  }
  return rows;
}
