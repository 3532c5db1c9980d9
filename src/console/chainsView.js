// The chains tab: each party's log as it verifies on its own and against the
// other parties' records of it (the scheduled check, as `audit verify --all`),
// the checkpoints exchanged and the conflicts between them. A party is red when
// either finds its log broken.
import { $, ApiError, api, formatTime, h, latestOnly } from './consoleApi.js';

const chainsRequest = latestOnly();

export async function loadChains() {
  const current = chainsRequest();
  const { data, errors } = await api('ConsoleChains');
  if (!current()) return data.auditChains ?? [];
  const chains = data.auditChains ?? [];
  const unavailable = errors.filter((error) => error.extensions?.code === 'AGENCY_UNAVAILABLE');
  const checks = await chainChecks();
  if (!current()) return chains;
  $('#chains').replaceChildren(
    ...chains.map((chain) => {
      const check = checks.find((one) => one.party === chain.party);
      const broken = !chain.verified || check?.status === 'BROKEN';
      return h(
        'article',
        { className: `chain ${broken ? 'broken' : 'verified'}`, 'data-party': chain.party },
        h('h3', {}, `${chain.party}: ${!broken ? 'verified' : `BROKEN at entry ${chain.verified ? check.firstBadSeq : chain.problem.seq}`}`),
        chain.verified ? null : h('p', { className: 'reason' }, chain.problem.reason),
        h('div', {}, `${chain.entryCount} entries; head #${chain.headSeq}`, chain.headAt ? ` at ${formatTime(chain.headAt)}` : ''),
        h('div', {}, 'head hash ', h('code', {}, chain.headHash)),
        h('div', { className: 'notice' }, `walked by ${chain.party} itself at ${formatTime(chain.checkedAt)}`),
        peerCheck(check),
      );
    }),
    ...unavailable.map((error) => h('article', { className: 'chain unavailable' }, h('h3', {}, 'Unavailable'), error.message)),
  );
  await loadCheckpoints();
  return chains;
}

/** The last scheduled checks against the peers; none when this hub's API does not offer them. */
async function chainChecks() {
  try {
    return (await api('ConsoleChainChecks')).data.auditChainChecks;
  } catch (error) {
    if (error instanceof ApiError && error.codes.includes('GRAPHQL_VALIDATION_FAILED')) return [];
    throw error;
  }
}

/** What the last check against the other parties' records found of one log. */
function peerCheck(check) {
  if (!check) return h('div', { className: 'notice peer-check' }, 'Not yet checked against the other parties\u2019 records (after the next checkpoint exchange).');
  const against = check.witnesses.length ? `against ${check.witnesses.join(', ')}` : 'with no other party answering';
  if (check.status === 'BROKEN') {
    return h('div', { className: 'peer-check' }, h('p', { className: 'reason' }, `Against the other parties: BROKEN at entry ${check.firstBadSeq}: ${check.reason}`), h('div', { className: 'notice' }, `checked ${against} at ${formatTime(check.checkedAt)}`));
  }
  const said = check.status === 'VERIFIED' ? `verified (${check.entryCount} entries)` : `not checked: ${check.reason}`;
  return h('div', { className: 'notice peer-check' }, `Against the other parties: ${said}, checked ${against} at ${formatTime(check.checkedAt)}`);
}

/** A panel of a query this hub may not have yet: "not available" when the API does not know the field. */
async function optionalPanel(target, name, render) {
  try {
    const { data } = await api(name);
    render(data);
  } catch (error) {
    if (error instanceof ApiError && error.codes.includes('GRAPHQL_VALIDATION_FAILED')) {
      target.replaceChildren(h('p', { className: 'notice' }, 'Not available: this hub’s API does not offer it yet.'));
    } else target.replaceChildren(h('p', { className: 'error' }, error.message));
  }
}

async function loadCheckpoints() {
  await optionalPanel($('#checkpoints'), 'ConsoleCheckpoints', (data) => {
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
    'ConsoleConflicts',
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
