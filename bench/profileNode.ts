// npx tsx bench/profileNode.ts [requests] [--scale <factor>] [--operation alerts|alert|floor] [--top <n>]
//
// A CPU profile of the XK node's read path in the production shape: the bench
// hub with each node in a process of its own, the XK node's run under V8's
// --cpu-prof; `requests` calls of the operation (default alerts(first: 20),
// 400 sequential) straight to the node, then the profile summarised by
// function (self time) and by where the code lives (our src/, each package,
// Node's internals, V8's idle and GC). The .cpuprofile is kept for a viewer.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchServers, stopBenchServers } from './benchServers.ts';
import { formatProfileSummary, mainThreadProfile, summariseProfile } from './cpuProfile.ts';
import { readCalls } from './readOperations.ts';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { scale: { type: 'string', default: '0.25' }, operation: { type: 'string', default: 'alerts' }, top: { type: 'string', default: '30' } },
  });
  const requests = Number(positionals[0] ?? 400);
  const operation = values.operation as 'alerts' | 'alert' | 'floor';
  const dir = await mkdtemp(join(tmpdir(), 'hub-profile-'));
  process.env.BENCH_CPU_PROF_DIR = dir;
  const log = (line: string) => console.error(`… ${line}`);
  try {
    const servers = await benchServers({ scale: Number(values.scale), log });
    const calls = await readCalls(servers);
    log(`${requests} × ${operation} straight to the XK node, sequential`);
    for (let i = 0; i < requests; i += 1) await calls.node[operation]();
  } finally {
    await stopBenchServers();
  }
  const { file, profile } = await mainThreadProfile(join(dir, 'XK'));
  const title = `XK node, ${requests} × ${operation} (plus start-up and the checks of readCalls); profile: ${file}`;
  console.log(formatProfileSummary(title, summariseProfile(profile), Number(values.top)).join('\n'));
}

await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
