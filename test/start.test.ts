import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoUsers, graphql } from './helpers.ts';
import { demoOperationCode } from '../src/demo/seedDemoJointOperation.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'hub-start-'));
// As a newcomer's checkout would be: readable by the postgres user the cluster runs as under root.
await chmod(dataDir, 0o755);
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

interface Started {
  process: ChildProcess;
  output: () => string;
  gatewayUrl: URL;
  tokens: Map<string, string>;
}

/** Runs `npm start` as a newcomer would (the CLI behind it), on a free port, and waits for the banner. */
async function start(): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Ctrl-C stops everything')) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`hub exited with ${code}:\n${output}`));
    });
  });
  const gatewayUrl = new URL(/GraphQL \(GraphiQL in a browser\): (\S+)/.exec(output)![1]!);
  const tokens = new Map([...output.matchAll(/^ {2}([a-z-]+):\n {4}(\S+)$/gm)].map((match) => [match[1]!, match[2]!]));
  return { process: child, output: () => output, gatewayUrl, tokens };
}

async function stop(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => started.process.once('exit', (code) => resolve(code)));
  started.process.kill('SIGINT');
  return exited;
}

const countQuery = '{ alerts(first: 1) { totalCount unavailableAgencies } }';

describe('npm start', () => {
  it('runs the whole hub with demo data, prints URLs and tokens, stops cleanly and reuses its data', async () => {
    const first = await start();
    expect(first.output()).toMatch(/WebSocket \(graphql-ws\): +ws:\/\//);
    expect([...first.tokens.keys()]).toEqual(
      expect.arrayContaining(['xk-border-officer', 'mk-border-officer', 'mk-duty-officer', 'xk-liaison', 'mk-liaison', 'xk-auditor']),
    );
    const result = await graphql(first.gatewayUrl, countQuery, {}, { token: first.tokens.get('xk-border-officer')! });
    expect(result.errors).toBeUndefined();
    const total = result.data!.alerts.totalCount;
    expect(total).toBeGreaterThanOrEqual(20);
    // Telemetry is on where users run the hub: the consultation entry and the disclosures it
    // caused at both nodes carry one real trace id.
    const trail = `query Trail($party: String!, $sub: String!) {
      auditEntries(party: $party, first: 1, filter: { actorSub: $sub }) { edges { node { kind operation traceId } } }
    }`;
    const auditor = { token: first.tokens.get('xk-auditor')!, purpose: 'AUDIT', caseReference: null };
    const sub = demoUsers['xk-border-officer'].sub;
    const entries = await Promise.all(
      ['GATEWAY', 'XK', 'MK'].map(async (party) => (await graphql(first.gatewayUrl, trail, { party, sub }, auditor)).data!.auditEntries.edges[0].node),
    );
    expect(entries.map((entry) => entry.kind)).toEqual(['CONSULTATION', 'DISCLOSURE', 'DISCLOSURE']);
    expect(entries[0].traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(entries.map((entry) => entry.traceId)).toEqual([entries[0].traceId, entries[0].traceId, entries[0].traceId]);

    // The demo joint operation at Hani i Elezit / Blace, run by the demo liaisons, with its record under its code;
    // beside it the two closed operations whose arrests the joint picture counts.
    const operations = '{ jointOperations(first: 5) { edges { node { id code status myRole area { borderCrossings } } } } }';
    const listed = await graphql(first.gatewayUrl, operations, {}, { token: first.tokens.get('mk-liaison')! });
    const nodes = listed.data!.jointOperations.edges.map((edge: any) => edge.node);
    expect(nodes.filter((node: any) => node.status === 'ACTIVE')).toEqual([
      expect.objectContaining({ code: demoOperationCode, status: 'ACTIVE', myRole: 'LIAISON', area: { borderCrossings: ['HANI_I_ELEZIT_BLACE'] } }),
    ]);
    expect(nodes.filter((node: any) => node.status === 'CLOSED')).toHaveLength(2);
    const record = await graphql(
      first.gatewayUrl,
      'query($id: ID!) { jointOperation(id: $id) { members { officerSub } timeline { kind } } }',
      { id: nodes.find((node: any) => node.code === demoOperationCode).id },
      { token: first.tokens.get('xk-border-officer')!, purpose: 'JOINT_OPERATION', caseReference: demoOperationCode },
    );
    expect(record.data!.jointOperation.members).toHaveLength(4);
    expect(record.data!.jointOperation.timeline).toEqual([{ kind: 'BRIEFING' }]);

    // GraphiQL for a person with a browser.
    const page = await fetch(first.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(await page.text()).toMatch(/graphiql/i);

    // An auditor in a second terminal verifies every party of the running hub, as the banner says.
    expect(first.output()).toMatch(/npm run hub:audit -- verify --all/);
    const verified = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'audit', 'verify', '--all'], {
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    });
    expect(verified.stdout).toMatch(/^GATEWAY: OK: \d+ entries/m);
    expect(verified.stdout).toMatch(/^XK: OK: \d+ entries/m);
    expect(verified.stdout).toMatch(/^MK: OK: \d+ entries/m);
    // Each party's log holds heads of the others', witnessed on the traffic above.
    expect(verified.stdout).toMatch(/^GATEWAY: [1-9]\d* heads witnessed by the peers match$/m);
    expect(verified.stdout).toMatch(/^XK: [1-9]\d* heads witnessed by the peers match$/m);

    // What a newcomer sees is the banner, not warnings: pg's about statements sent to a busy
    // connection came from every alert written in a transaction (seeding included).
    expect(first.output()).not.toMatch(/Warning/);
    expect(await stop(first)).toBe(0);
    expect(existsSync(join(dataDir, 'running-hub.json'))).toBe(false);
    // PostgreSQL was stopped too: no server is left holding the cluster.
    expect(existsSync(join(dataDir, 'postgres', 'cluster', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'postgres', 'cluster', 'postmaster.pid'))).toBe(false);

    const second = await start();
    const again = await graphql(second.gatewayUrl, countQuery, {}, { token: second.tokens.get('mk-border-officer')! });
    expect(again.data!.alerts.totalCount).toBe(total);
    // Seeded once: the second start finds the operation and adds none.
    const listedAgain = await graphql(second.gatewayUrl, operations, {}, { token: second.tokens.get('xk-liaison')! });
    expect(listedAgain.data!.jointOperations.edges).toHaveLength(nodes.length);
    expect(await stop(second)).toBe(0);
  }, 180_000);
});
