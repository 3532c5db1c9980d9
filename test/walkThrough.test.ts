import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { templateDatabases } from './globalSetup.ts';
import { adminQuery, createTestDatabase, waitUntil, type TestDatabase } from './helpers.ts';
import { fencedBlocks, markdownFiles, repositoryRoot, type FencedBlock } from './markdownExamples.ts';

// A reader's walk through the README and docs/: every ```sh block, as written,
// in a shell, against a hub started with `npm start` on a free port and its own
// DATA_DIR (its databases fresh ones of the test cluster, so that no second
// PostgreSQL is set up). The commands find that hub as a reader's do: through
// `hub url` and DATA_DIR/running-hub.json. Each step checks what its block prints.

const dataDir = await mkdtemp(join(tmpdir(), 'hub-walk-'));

/** A reader's shell: their environment (no test runner's), this hub's DATA_DIR. */
const readerEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'DATABASE_URL')),
  DATA_DIR: dataDir,
};

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a block as a reader pastes it into bash, stopping at the first failing command. */
function sh(script: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: repositoryRoot, env: readerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a block and expects it to succeed. */
async function succeeds(script: string): Promise<string> {
  const ran = await sh(script);
  expect(ran, `${script}\n${ran.stderr}`).toMatchObject({ code: 0 });
  return ran.stdout;
}

/** A terminal left running: its lines as they come, and Ctrl-C (SIGINT to its process group). */
interface Terminal {
  lines: string[];
  output: () => string;
  interrupt(): Promise<number | null>;
}

/** Waits for a terminal to get somewhere, and shows what it printed if it does not. */
async function watching(what: string, shown: Terminal, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  try {
    await waitUntil(what, async () => (await check()) || null, timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message}; it printed:\n${shown.output()}`);
  }
}

function terminal(command: string, args: string[]): Terminal {
  const child: ChildProcess = spawn(command, args, { cwd: repositoryRoot, env: readerEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  let output = '';
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return {
    lines,
    output: () => output,
    async interrupt() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGINT');
      return exited;
    },
  };
}

const blocks = markdownFiles().flatMap((file) => fencedBlocks(file)).filter((block) => block.language === 'sh');

/** The ```sh block of a file that begins with this line. */
function block(file: string, firstLine: string): FencedBlock {
  const found = blocks.filter((candidate) => candidate.file === file && candidate.text.split('\n')[0] === firstLine);
  expect(found.map((candidate) => `${candidate.file}:${candidate.line}`), `one sh block of ${file} beginning "${firstLine}"`).toHaveLength(1);
  return found[0]!;
}

/** Every ```sh block, by file and first line, with what this test does with it (in the order below). */
const claimed = new Set<string>();
const claim = (file: string, firstLine: string) => {
  claimed.add(`${file}: ${firstLine}`);
  return block(file, firstLine);
};

let hubDatabase: TestDatabase;
const nodeDatabases: TestDatabase[] = [];
let hub: Terminal | undefined;

const subscriptions = async () =>
  (await adminQuery<{ n: number }>(hubDatabase.name, `select count(*)::int as n from audit.entry where operation = 'subscription Hits'`))[0]!.n;

beforeAll(async () => {
  hubDatabase = await createTestDatabase('walk_hub', templateDatabases.hub);
  for (const agency of ['xk', 'mk']) nodeDatabases.push(await createTestDatabase(`walk_${agency}`));
  // The services log in as hub_app, a role of the whole cluster: with the password the other test files use.
  await writeFile(join(dataDir, 'application-db-password'), inject('applicationPassword'), { mode: 0o600 });
  Object.assign(readerEnv, { PORT: '0', HUB_DATABASE_URL: hubDatabase.url, XK_DATABASE_URL: nodeDatabases[0]!.url, MK_DATABASE_URL: nodeDatabases[1]!.url });
  const start = claim('README.md', 'npm install');
  // `npm install` is what set up this checkout (npm ci): not run again here, under the other tests' feet.
  expect(start.text).toBe('npm install\nnpm start');
  hub = terminal('npm', ['start']);
  await watching('npm start to print its banner', hub, () => hub!.output().includes('Ctrl-C stops everything'), 180_000);
  expect(hub.output()).toContain('Border Exchange Hub is running.');
  for (const name of ['PORT', 'HUB_DATABASE_URL', 'XK_DATABASE_URL', 'MK_DATABASE_URL'] as const) delete readerEnv[name];
}, 240_000);

afterAll(async () => {
  if (hub) {
    // Ctrl-C reaches npm and the hub alike: npm ends by the signal, the hub cleans up and exits 0.
    await hub.interrupt();
    await waitUntil('the hub to stop cleanly (its running-hub.json removed)', async () => !existsSync(join(dataDir, 'running-hub.json')), 60_000);
  }
  await Promise.all([hubDatabase, ...nodeDatabases].map((database) => database?.[Symbol.asyncDispose]()));
  await rm(dataDir, { recursive: true, force: true });
}, 120_000);

describe('the walk through the README and docs/', () => {
  it('npm test: the run this test is part of', () => {
    // Not run from here: it would run this test again. CI runs it (.ci/run).
    expect(claim('README.md', 'npm test').text).toBe('npm test');
  });

  it('the first query from the command line: merged alerts of both agencies, each with its tier', async () => {
    const answer = JSON.parse(await succeeds(claim('README.md', 'HUB=$(npm run -s hub -- url)').text));
    expect(answer.errors).toBeUndefined();
    const alerts = answer.data.alerts.edges.map((edge: { node: unknown }) => edge.node);
    expect(alerts).toHaveLength(3);
    for (const alert of alerts) expect(alert).toMatchObject({ reference: expect.any(String), owner: { code: expect.stringMatching(/^(XK|MK)$/) }, access: { tier: expect.any(String) } });
  }, 180_000);

  let follower: Terminal;
  let seizures: string[] = [];
  const terminal2 = () => block('README.md', '# Terminal 2: MK watches a plate, then XK seizes a car with it');

  it('one hit: terminal 1 follows the unit, terminal 2 watches a plate and seizes a car with it, terminal 1 prints the hit', async () => {
    const before = await subscriptions();
    follower = terminal('bash', ['-e', '-c', claim('README.md', '# Terminal 1, MK border police at Blace: follow the unit\'s hits (one JSON line per hit)').text]);
    await watching('terminal 1 to subscribe', follower, async () => (await subscriptions()) > before, 180_000);
    const [watched, seized] = (await succeeds(claim('README.md', terminal2().text.split('\n')[0]!).text)).trim().split('\n').map((line) => JSON.parse(line));
    expect(watched).toEqual({ data: { createWatchEntry: { id: expect.any(String), status: 'ACTIVE' } } });
    seizures.push(seized.data.createAlert.reference);
    await watching('terminal 1 to print the hit', follower, () => follower.lines.length > 0, 60_000);
    const hit = JSON.parse(follower.lines[0]!);
    expect(hit).toMatchObject({ match: 'EXACT', alert: { reference: seizures[0], owner: { code: 'XK' }, access: { tier: 'HIT' }, personalData: null } });
    expect(hit.alert.contactPoint).toMatchObject({ unitName: expect.any(String) });
  }, 240_000);

  it('resuming: Ctrl-C, two more seizures, then hub subscribe --after the last cursor prints the two, in order', async () => {
    expect(await follower.interrupt()).not.toBeNull();
    const cursor = JSON.parse(follower.lines.at(-1)!).cursor as string;
    // "the last q xk-border-officer … line of terminal 2, twice", after its set-up lines.
    const lines = terminal2().text.split('\n').filter((line) => !line.startsWith('#') && !line.startsWith('q mk-border-officer'));
    const seize = lines.at(-1)!;
    const output = await succeeds([...lines.slice(0, -1), seize, seize].join('\n'));
    seizures = output.trim().split('\n').map((line) => JSON.parse(line).data.createAlert.reference);
    expect(seizures).toHaveLength(2);
    const again = claim('docs/realtime.md', '# Terminal 1 again: first the hits missed since the last line, then new ones');
    expect(again.text).toContain("'<cursor of the last line>'");
    const resumed = terminal('bash', ['-e', '-c', again.text.replace('<cursor of the last line>', cursor)]);
    try {
      await watching('the resumed terminal to print the two missed hits', resumed, () => resumed.lines.length >= 2, 180_000);
      expect(resumed.lines.map((line) => JSON.parse(line).alert.reference)).toEqual(seizures);
    } finally {
      await resumed.interrupt();
    }
  }, 240_000);

  it('consentEvents: the duty desk sees the request at once, and the requester the decision', async () => {
    const subscribed = async () =>
      (await adminQuery<{ n: number }>(hubDatabase.name, `select count(*)::int as n from audit.entry where operation = 'subscription ConsentEvents'`))[0]!.n;
    const before = await subscribed();
    const desk = terminal('bash', ['-e', '-c', claim('docs/realtime.md', "# Terminal 1, XK duty desk: consent requests to XK's records (one JSON line per event)").text]);
    const go = join(dataDir, 'decide');
    let requester: Terminal | undefined;
    try {
      await watching('terminal 1 to subscribe', desk, async () => (await subscribed()) > before, 180_000);
      // Terminal 2 as written; then, once the reader saw the request in terminal 1, the grant, typed in the same shell.
      const ask = claim('docs/realtime.md', "# Terminal 2, MK border police at Blace: follow the unit's requests (in the background), then ask").text;
      const grant = claim('docs/realtime.md', "# Terminal 2: XK's duty officer grants FULL until 1 March 2027").text;
      requester = terminal('bash', ['-e', '-c', `${ask}\nwhile [ ! -e '${go}' ]; do sleep 0.2; done\n${grant}\nwait`]);
      await watching('terminal 1 to print the request', desk, () => desk.lines.some((line) => line.includes('CONSENT_REQUESTED')), 180_000);
      const requested = JSON.parse(desk.lines.find((line) => line.includes('CONSENT_REQUESTED'))!);
      expect(requested).toMatchObject({ kind: 'CONSENT_REQUESTED', request: { requestingAgency: 'MK', status: 'PENDING', tier: 'FULL' } });
      await watching("terminal 2's own subscription", requester, async () => (await subscribed()) > before + 1, 60_000);
      await writeFile(go, '');
      await watching('terminal 2 to print the decision', requester, () => requester!.lines.some((line) => line.includes('CONSENT_DECIDED')), 120_000);
      const decided = JSON.parse(requester.lines.find((line) => line.includes('CONSENT_DECIDED'))!);
      expect(decided).toMatchObject({ kind: 'CONSENT_DECIDED', request: { id: requested.request.id, status: 'GRANTED', grant: { tier: 'FULL' } } });
    } finally {
      await desk.interrupt();
      await requester?.interrupt();
    }
  }, 300_000);

  it("the console's terminal check, and the auditor's CLI: every party's chain verifies, one party's too, and the purge erases what is due", async () => {
    const verified = await succeeds(claim('README.md', 'npm run hub:audit -- verify --all').text);
    for (const party of ['GATEWAY', 'XK', 'MK']) expect(verified).toMatch(new RegExp(`^${party}: OK: \\d+ entries, head [0-9a-f]{64}$`, 'm'));
    const audit = await succeeds(claim('docs/audit.md', 'npm run hub:audit -- verify --all').text);
    for (const party of ['GATEWAY', 'XK', 'MK']) {
      expect(audit).toMatch(new RegExp(`^${party}: OK: \\d+ entries`, 'm'));
      expect(audit).toMatch(new RegExp(`^${party}: (nothing to erase before|erased the clear variables of)`, 'm'));
    }
    expect(audit.match(/^XK: OK: /gm)).toHaveLength(2);
  }, 240_000);

  it('development: the type check is the first half of npm test, one test file runs alone', async () => {
    const development = claim('docs/development.md', 'npm run typecheck');
    const [typecheck, oneFile] = development.text.split('\n') as [string, string];
    expect(typecheck).toBe('npm run typecheck');
    // Not run twice: npm test, which CI runs, begins with this very command.
    const { scripts } = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.test!.startsWith(`${scripts.typecheck} && `)).toBe(true);
    expect(oneFile).toMatch(/^npx vitest run test\/\w+\.test\.ts$/);
    const ran = await succeeds(oneFile);
    expect(ran).toMatch(/Test Files\s+.*1 passed/);
  }, 300_000);

  it('development: the SQL of the whole node schema, to write a migration from', async () => {
    const command = claim('docs/development.md', 'npm run -s migration:sql -- node > /tmp/node-schema.sql');
    await succeeds(command.text);
    const sql = readFileSync('/tmp/node-schema.sql', 'utf8');
    expect(sql).toMatch(/CREATE TABLE "node"\."alert"/);
    expect(sql).toMatch(/CREATE TABLE "audit"\."entry"/);
  }, 300_000);

  it('speed: the parts of the bench (the bench itself is not run here)', async () => {
    const speed = claim('docs/speed.md', 'npm run bench -- --list');
    // `npm run bench` takes the machine's two cores for some ten minutes: the lead runs it on a quiet machine.
    expect(speed.text).toBe('npm run bench -- --list\nnpm run bench');
    const parts = await succeeds('npm run bench -- --list');
    for (const part of ['node', 'gateway', 'search', 'hitLatency', 'auditWrite', 'auditExport']) expect(parts).toMatch(new RegExp(`^${part}: `, 'm'));
  }, 180_000);

  it('leaves no ```sh block of the README or docs/ unwalked', () => {
    const unwalked = blocks.map((candidate) => `${candidate.file}: ${candidate.text.split('\n')[0]}`).filter((key) => !claimed.has(key));
    expect(unwalked, 'add a step for each to test/walkThrough.test.ts').toEqual([]);
  });
});
