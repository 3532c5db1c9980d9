// npx tsx bench/profileLive.ts [part] [--scale <factor>] [--top <n>]
//
// The CPU profiles that explain a real-time part's latency: runs one part of
// the bench (default hitLatency) with every process it starts under V8's
// --cpu-prof (each node in a process of its own, each `hub gateway`
// process), prints the part's figures, then each process's profile during
// each of the part's measured loads summarised by place and by function
// (bench/cpuProfile.ts). The
// .cpuprofile files are kept for a viewer.

import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProfileSummary, mainThreadProfile, summariseProfile, type ProfileWindow } from './cpuProfile.ts';
import { measuredWindows } from './liveHits.ts';
import { benchParts } from './parts/index.ts';

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { scale: { type: 'string', default: '1' }, top: { type: 'string', default: '25' } } });
  const name = positionals[0] ?? 'hitLatency';
  const part = benchParts.find((candidate) => candidate.name === name);
  if (!part) throw new Error(`unknown part ${name}`);
  const dir = await mkdtemp(join(tmpdir(), 'hub-profile-'));
  // Read by bench/benchHub.ts (node processes) and bench/liveHits.ts (gateway processes).
  process.env.BENCH_CPU_PROF_DIR = dir;
  const figures = await part.run({ scale: Number(values.scale), log: (line) => console.error(`… ${line}`) });
  for (const figure of figures) console.log(`${figure.name}: ${figure.value.toFixed(1)} ${figure.unit}${figure.note ? ` (${figure.note})` : ''}`);
  // Each measured load of the part on its own, when it says when they were (set-up, a thousand watch entries and sockets, is not what a push costs).
  const windows: [string, ProfileWindow | undefined][] = measuredWindows.size > 0 ? [...measuredWindows] : [[`the whole of ${name}`, undefined]];
  for (const [load, window] of windows) {
    const during = window ? `the measured load ${load} of ${name} (${((window.to - window.from) / 1e6).toFixed(1)} s)` : load;
    for (const process of (await readdir(dir)).sort()) {
      const { file, profile } = await mainThreadProfile(join(dir, process));
      console.log(['', ...formatProfileSummary(`${process}, ${during}; profile ${file}`, summariseProfile(profile, window), Number(values.top))].join('\n'));
    }
  }
}

await main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
