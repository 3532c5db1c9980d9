// npx tsx bench/profileNode.ts [requests] [--scale <factor>] [--operation alerts|alert|floor] [--target node|gateway] [--top <n>]
//
// A CPU profile of the read path in the production shape: the bench hub with
// each node in a process of its own and the gateway in another; the XK node's
// (default) or the gateway's process run under V8's --cpu-prof; `requests`
// calls of the operation (default alerts(first: 20), 400 sequential) straight
// to the XK node or through the gateway (the page merged over both nodes),
// then the profile summarised by function (self time) and by where the code
// lives (our src/, each package, Node's internals, V8's idle and GC). The
// .cpuprofile is kept for a viewer.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchServers, stopBenchServers } from './benchServers.ts';
import { formatProfileSummary, mainThreadProfile, monotonicMicros, summariseProfile, type ProfileWindow } from './cpuProfile.ts';
import { readCalls } from './readOperations.ts';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      scale: { type: 'string', default: '0.25' },
      operation: { type: 'string', default: 'alerts' },
      target: { type: 'string', default: 'node' },
      top: { type: 'string', default: '30' },
    },
  });
  const requests = Number(positionals[0] ?? 400);
  const operation = values.operation as 'alerts' | 'alert' | 'floor';
  const gateway = values.target === 'gateway';
  if (gateway && operation === 'floor') throw new Error('--operation floor is the node\'s floor: profile it with --target node');
  const dir = await mkdtemp(join(tmpdir(), 'hub-profile-'));
  process.env.BENCH_CPU_PROF_DIR = dir;
  // The gateway's process ('hub' in bench/benchHub.ts's cpuProfileFlags), or the XK node's.
  const profiled = gateway ? 'hub' : 'XK';
  process.env.BENCH_CPU_PROF_PROCESSES = profiled;
  const log = (line: string) => console.error(`… ${line}`);
  let window: ProfileWindow | undefined;
  try {
    const servers = await benchServers({ scale: Number(values.scale), log });
    const calls = await readCalls(servers);
    log(`${requests} × ${operation} ${gateway ? 'through the gateway' : 'straight to the XK node'}, sequential`);
    const call = gateway ? calls.gateway[operation as 'alerts' | 'alert'] : calls.node[operation];
    // Only the requests' stretch is summarised: start-up, seeding and readCalls' checks are left out.
    const from = monotonicMicros();
    for (let i = 0; i < requests; i += 1) await call();
    window = { from, to: monotonicMicros() };
  } finally {
    await stopBenchServers();
  }
  const { file, profile } = await mainThreadProfile(join(dir, profiled));
  const title = `${gateway ? 'gateway' : 'XK node'}, ${requests} × ${operation}, the requests' ${((window!.to - window!.from) / 1e6).toFixed(1)} s only; profile: ${file}`;
  console.log(formatProfileSummary(title, summariseProfile(profile, window), Number(values.top)).join('\n'));
}

await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
