// Reading V8's CPU profiles (`--cpu-prof`) of the hub's processes in the
// bench: self time per function and per place (our src/, each package,
// Node's internals, V8's idle and GC), for bench/profileNode.ts and
// bench/profileLive.ts.

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
export interface CpuProfile {
  /** Microseconds of the system's monotonic clock (process.hrtime's, in every process of the machine). */
  startTime: number;
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

export interface ProfileSummary {
  totalMs: number;
  functions: [string, number][];
  places: [string, number][];
}

/** A stretch of the monotonic clock, in microseconds (see {@link monotonicMicros}). */
export interface ProfileWindow {
  from: number;
  to: number;
}

/** Now on the clock V8's profiles are stamped with. */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** Self time per function and per place, in milliseconds, largest first; only the samples within `window` when given. */
export function summariseProfile(profile: CpuProfile, window?: ProfileWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let totalMs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index] ?? 0;
    if (window && (at < window.from || at > window.to)) return;
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

/**
 * The profile of the thread that ran the hub's code, of those V8 wrote into
 * `dir` (one per thread: tsx's module loader runs in a thread of its own).
 */
export async function mainThreadProfile(dir: string): Promise<{ file: string; profile: CpuProfile }> {
  const profiles = await Promise.all(
    (await readdir(dir)).map(async (name) => ({ file: join(dir, name), profile: JSON.parse(await readFile(join(dir, name), 'utf8')) as CpuProfile })),
  );
  const ours = (profile: CpuProfile) => profile.nodes.filter((node) => node.callFrame.url.includes('/src/')).length;
  const chosen = profiles.sort((a, b) => ours(b.profile) - ours(a.profile))[0];
  if (!chosen) throw new Error(`no CPU profile in ${dir}`);
  return chosen;
}

/**
 * The summary as lines: the time on CPU (waiting for PostgreSQL or the next
 * request is V8's idle), then the top places and functions with their share of it.
 */
export function formatProfileSummary(title: string, summary: ProfileSummary, top: number): string[] {
  const busyMs = summary.totalMs - (summary.places.find(([place]) => place === '(idle)')?.[1] ?? 0);
  const line = ([name, ms]: [string, number]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / busyMs).toFixed(1).padStart(5)} %  ${name}`;
  // Idle is the rest of the sampled time, said in the title: as a share of the time on CPU it would read over 100 %.
  const busy = (entries: [string, number][]) => entries.filter(([name]) => name !== '(idle)').slice(0, top);
  return [
    `${title}: ${summary.totalMs.toFixed(0)} ms sampled, ${busyMs.toFixed(0)} ms on CPU (the % are of that)`,
    '',
    'Self time by place:',
    ...busy(summary.places).map(line),
    '',
    'Self time by function:',
    ...busy(summary.functions).map(line),
  ];
}
