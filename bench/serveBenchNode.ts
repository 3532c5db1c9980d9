// One agency node of the bench hub in a process of its own, as in production
// (one container per party), so that the nodes a merged page fans out to do
// not take turns on the gateway's event loop. Started by benchHub.ts over IPC
// with the node's database and the hub's development keys; stops when told
// to or when its parent goes away.
//
//   child of: bench/benchHub.ts      argv: <agency> <database url> <keys dir> <agencies, comma-separated>

import pino from 'pino';
import { ensureDevelopmentKeys } from '../src/identity/developmentKeys.ts';
import { createTrustList } from '../src/identity/trustList.ts';
import { createNode } from '../src/node/createNode.ts';

/** What the child tells its parent. */
export type NodeProcessMessage = { ready: string } | { error: string };

if (!process.send) throw new Error('serveBenchNode.ts runs as a child of benchHub.ts (an IPC channel is needed)');
const send = (message: NodeProcessMessage) => process.send!(message);

const [agency, databaseUrl, keysDir, agencyList] = process.argv.slice(2);
if (!agency || !databaseUrl || !keysDir || !agencyList) throw new Error('usage: serveBenchNode.ts <agency> <database url> <keys dir> <agencies>');
const agencies = agencyList.split(',');

try {
  // The keys the parent made: loaded from its folder, not created anew.
  const keys = await ensureDevelopmentKeys(keysDir, agencies);
  const node = createNode({
    agency,
    databaseUrl,
    trustList: createTrustList(keys.trustList),
    agencies,
    auditDigestKey: keys.auditDigests.get(agency)!,
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
  });
  const url = await node.start();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await node.stop().catch(() => {});
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  send({ ready: url.href });
} catch (error) {
  console.error(error);
  send({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
