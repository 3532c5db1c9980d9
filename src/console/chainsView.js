// The chains tab: each party's log as it verifies, the checkpoints exchanged and
// the conflicts between them.
import { $, ApiError, api, formatTime, h, latestOnly } from './consoleApi.js';

const chainsRequest = latestOnly();

export async function loadChains() {
  const current = chainsRequest();
  const { data, errors } = await api('ConsoleChains');
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
