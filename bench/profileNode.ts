// npx tsx bench/profileNode.ts [requests] [--scale <factor>] [--operation alerts|alert|floor] [--top <n>]
//
// A CPU profile of the XK node's read path in the production shape: the bench
// hub with each node in a process of its own, the XK node's run under V8's
// --cpu-prof; `requests` calls of the operation (default alerts(first: 20),
// 400 sequential) straight to the node, then the profile summarised by
// function (self time) and by where the code lives (our src/, each package,
// Node's internals, V8's idle and GC). The .cpuprofile is kept for a viewer.

import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { benchServers, stopBenchServers } from './benchServers.ts';
import { readCalls } from './readOperations.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function's code lives: our source, a package, Node's internals, or V8's own entries. */
function placeOf({ url, functionName }: CallFrame): string {
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'anonymous'})`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  if (url.startsWith('node:')) return 'node: internals';
  const source = url.indexOf('/src/');
  return source >= 0 ? url.slice(source + 1).split('/').slice(0, 2).join('/') : relative(process.cwd(), url.replace(/^file:\/\//, ''));
}

/** Self time per function and per place, in milliseconds, largest first. */
export function summariseProfile(profile: CpuProfile): { totalMs: number; functions: [string, number][]; places: [string, number][] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const frame = byId.get(id)!;
    totalMs += ms;
    const file = frame.url === '' ? '' : ` ${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/')}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || '(anonymous)'}${file}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const place = placeOf(frame);
    places.set(place, (places.get(place) ?? 0) + ms);
  });
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalMs, functions: sorted(functions), places: sorted(places) };
}

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
  // One profile per thread: the node's is the one that ran our source (the other is tsx's module loader).
  const profiles = await Promise.all(
    (await readdir(join(dir, 'XK'))).map(async (name) => ({ file: join(dir, 'XK', name), profile: JSON.parse(await readFile(join(dir, 'XK', name), 'utf8')) as CpuProfile })),
  );
  const ours = (profile: CpuProfile) => profile.nodes.filter((node) => node.callFrame.url.includes('/src/node/')).length;
  const { file, profile } = profiles.sort((a, b) => ours(b.profile) - ours(a.profile))[0]!;
  const summary = summariseProfile(profile);
  const top = Number(values.top);
  // Shares of the time on CPU: waiting for PostgreSQL or the next request is V8's (idle).
  const busyMs = summary.totalMs - (summary.places.find(([place]) => place === '(idle)')?.[1] ?? 0);
  const line = ([name, ms]: [string, number]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / busyMs).toFixed(1).padStart(5)} %  ${name}`;
  console.log(`XK node, ${requests} × ${operation} (plus start-up and the checks of readCalls), ${summary.totalMs.toFixed(0)} ms sampled, ${busyMs.toFixed(0)} ms on CPU (the % are of that); profile: ${file}`);
  console.log('\nSelf time by place:');
  for (const entry of summary.places.slice(0, top)) console.log(line(entry));
  console.log('\nSelf time by function:');
  for (const entry of summary.functions.slice(0, top)) console.log(line(entry));
}

await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
