import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { inject } from 'vitest';
import { applicationUrl } from '../src/database/applicationLogin.ts';
import { quoteIdent } from '../src/database/startEmbeddedPostgres.ts';
import { verifyAuditChain } from '../src/audit/verifyAuditChain.ts';
import { gatewayParty } from '../src/audit/auditEntry.ts';
import type { ExchangeAgreement } from '../src/consent/agreement.ts';
import { caseReferenceHeader, purposeHeader } from '../src/consent/declaredPurpose.ts';
import { demoUnits } from '../src/demo/demoData.ts';
import { demoUsers, type DemoUserName } from '../src/demo/demoUsers.ts';
import { createGateway, type Gateway, type GatewayConfig } from '../src/gateway/createGateway.ts';
import { ensureDevelopmentKeys, hubAudience, type DevelopmentKeys } from '../src/identity/developmentKeys.ts';
import { mintOfficerToken, type OfficerClaims } from '../src/identity/mintOfficerToken.ts';
import { createTrustList, type TrustList } from '../src/identity/trustList.ts';
import { createNode, type AgencyNode, type NodeConfig } from '../src/node/createNode.ts';
import { templateDatabases } from './globalSetup.ts';

export { demoUsers };

const adminUrl = () => inject('postgresAdminUrl');

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.href;
}

export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Alters one entry of a party's log for good, as an intruder with the
 * superuser's password would: the append-only triggers disabled for the
 * transaction, the hash left as it was.
 */
export async function tamperWithAuditEntry(database: string, seq: number, purpose = 'BORDER_CHECK'): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    const { rowCount } = await client.query('update audit.entry set purpose = $2 where seq = $1', [seq, purpose]);
    if (rowCount !== 1) throw new Error(`no entry ${seq} in ${database}`);
    await client.query('commit');
  } finally {
    await client.end();
  }
}

export interface TestDatabase extends AsyncDisposable {
  name: string;
  /** As the cluster's superuser: migrations, administration, tampering. */
  url: string;
  /** As the application role, the way the services connect. */
  applicationUrl: string;
}

/** A fresh database cloned from a migrated template (default a node's; null: empty); dropped on dispose. */
export async function createTestDatabase(label = 'db', template: string | null = templateDatabases.node): Promise<TestDatabase> {
  const name = `test_${label.toLowerCase()}_${randomBytes(5).toString('hex')}`;
  await adminQuery('postgres', `create database ${quoteIdent(name)}${template ? ` template ${quoteIdent(template)}` : ''}`);
  return {
    name,
    url: databaseUrl(name),
    applicationUrl: applicationUrl(databaseUrl(name), inject('applicationPassword')),
    [Symbol.asyncDispose]: async () => {
      await adminQuery('postgres', `drop database if exists ${quoteIdent(name)} with (force)`);
    },
  };
}

export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** Purpose and case reference every test request declares unless it says otherwise. */
export const testPurpose = { purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-0042' };

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  /** Declared purpose; default CRIMINAL_INVESTIGATION, null to declare none. */
  purpose?: string | null;
  /** Case reference; default XK-MK-2026-0042, null for none. */
  caseReference?: string | null;
}

/** The purpose headers of a request, as a client sets them. */
export function purposeHeaders({ purpose = testPurpose.purpose, caseReference = testPurpose.caseReference }: RequestOptions = {}) {
  return {
    ...(purpose ? { [purposeHeader]: purpose } : {}),
    ...(caseReference ? { [caseReferenceHeader]: caseReference } : {}),
  };
}

/** POSTs a GraphQL operation the way any client would. */
export async function graphql<T = Record<string, any>>(
  url: URL | string,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...purposeHeaders(options),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResult<T>, 'status'>;
  return { status: response.status, ...body };
}

/** Runs one operation over graphql-ws on the gateway's endpoint, with the token and purpose in connection_init. */
export async function graphqlOverWebSocket<T = Record<string, any>>(
  url: URL | string,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<Omit<GraphQLResult<T>, 'status'>> {
  const { purpose = testPurpose.purpose, caseReference = testPurpose.caseReference } = options;
  await using socket = openSocket(new URL(url), { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), purpose, caseReference });
  return await socket.run<T>(query, variables);
}

/** Walks the audit chain of a party's database, as `hub audit verify` does. */
export async function verifyChainOf(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await verifyAuditChain(client);
  } finally {
    await client.end();
  }
}

/** Error codes of a result, in order. */
export const codes = (result: GraphQLResult<unknown>) => (result.errors ?? []).map((error) => error.extensions?.code);

export interface TestHub extends AsyncDisposable {
  gatewayUrl: URL;
  /** The gateway's own database (consultation log). */
  hubDatabase: TestDatabase;
  gateway: Gateway;
  nodes: Map<string, AgencyNode & { url: URL; database: TestDatabase }>;
  keys: DevelopmentKeys;
  /** Where the development keys are, as files (for a `hub gateway` process of the test's own). */
  keysDir: string;
  trustList: TrustList;
  /** Token of a demo user, or of any claims. */
  token(user: DemoUserName | OfficerClaims, expiresIn?: string): Promise<string>;
  /** Runs an operation against the gateway as a demo user. */
  query<T = Record<string, any>>(
    user: DemoUserName,
    query: string,
    variables?: Record<string, unknown>,
    options?: Omit<RequestOptions, 'token'>,
  ): Promise<GraphQLResult<T>>;
  /** Stops one agency node (to simulate an outage). */
  stopNode(agency: string): Promise<void>;
}

/** Options for {@link startTestHub}. */
export interface TestHubOptions {
  /** Default XK, MK. */
  agencies?: string[];
  /** The exchange agreement of every node and of the gateway. Default: the committed one. */
  agreement?: ExchangeAgreement;
  /**
   * Default 15,000 ms: a test hub's first calls (cold plans, rollup triggers)
   * can take seconds on a loaded 2-core machine; tests of a node that does not
   * answer set their own, short timeout.
   */
  nodeTimeoutMs?: number;
  /** The gateway's rate limits. Default: high enough that no test but the rate-limit tests meets them. */
  rateLimits?: GatewayConfig['rateLimits'];
  /** Serve GraphiQL on GET /graphql. Default false. */
  graphiql?: boolean;
  /** Further gateway settings (feeds, subscriptions). */
  gateway?: Partial<Omit<GatewayConfig, 'trustList' | 'databaseUrl' | 'nodes' | 'signer'>>;
  /** Further settings of every node. */
  node?: Partial<Pick<NodeConfig, 'auditChainMaxAgeMs' | 'agreement'>>;
  /** Where the gateway reaches each node, given the node's own URL (a recording proxy in front of it). Default: the node itself. */
  routeNode?: (agency: string, url: URL) => URL | Promise<URL>;
  /** The trust list the gateway and the nodes use, made from the development keys' (an identity provider whose keys a test withdraws). Default: that one. */
  trustList?: (trustList: TrustList) => TrustList;
}

/**
 * Both nodes and the gateway, on port 0, each node on its own fresh
 * database, with development keys made for this test file.
 */
export async function startTestHub({
  agencies = ['XK', 'MK'],
  agreement,
  nodeTimeoutMs = 15_000,
  rateLimits = { operationsPerOfficer: 1_000_000, operationsPerUnit: 1_000_000, searchesPerOfficer: 1_000_000, searchesPerUnit: 1_000_000 },
  graphiql = false,
  gateway: gatewayOptions = {},
  node: nodeOptions = {},
  routeNode = (_agency, url) => url,
  trustList: adjustTrustList = (trustList) => trustList,
}: TestHubOptions = {}): Promise<TestHub> {
  const keysDir = await mkdtemp(join(tmpdir(), 'hub-test-keys-'));
  const keys = await ensureDevelopmentKeys(keysDir, agencies);
  const trustList = adjustTrustList(createTrustList(keys.trustList));
  const nodes = new Map<string, AgencyNode & { url: URL; database: TestDatabase }>();
  const stopped = new Set<string>();
  for (const agency of agencies) {
    const database = await createTestDatabase(agency);
    const node = createNode({
      agency,
      databaseUrl: database.applicationUrl,
      trustList,
      agencies,
      checkpointSigner: keys.nodes.get(agency)!,
      auditDigestKey: keys.auditDigests.get(agency)!,
      ...(agreement ? { agreement } : {}),
      ...nodeOptions,
    });
    const url = await node.start();
    // The unit directory is the agency's reference data; officers report for these units.
    for (const unit of demoUnits[agency] ?? []) {
      await node.prisma.unit.create({ data: { ...unit, borderCrossing: unit.borderCrossing ?? null, agencyCode: agency } });
    }
    nodes.set(agency, Object.assign(node, { url, database }));
  }
  const hubDatabase = await createTestDatabase('gateway', templateDatabases.hub);
  const gateway = createGateway({
    ...(agreement ? { agreement } : {}),
    trustList,
    databaseUrl: hubDatabase.applicationUrl,
    nodes: new Map(await Promise.all([...nodes].map(async ([agency, node]) => [agency, await routeNode(agency, node.url)] as const))),
    signer: keys.gateway,
    auditDigestKey: keys.auditDigests.get(gatewayParty)!,
    nodeTimeoutMs,
    rateLimits,
    graphiql,
    ...gatewayOptions,
  });
  const gatewayUrl = await gateway.start();

  const token = (user: DemoUserName | OfficerClaims, expiresIn = '1h') => {
    const claims = typeof user === 'string' ? demoUsers[user] : user;
    const key = keys.agencies.get(claims.agency);
    if (!key) throw new Error(`no key for agency ${claims.agency}`);
    return mintOfficerToken(key, claims, { audience: hubAudience, expiresIn });
  };

  return {
    gatewayUrl,
    hubDatabase,
    gateway,
    nodes,
    keys,
    keysDir,
    trustList,
    token,
    query: async (user, query, variables = {}, options = {}) => graphql(gatewayUrl, query, variables, { ...options, token: await token(user) }),
    async stopNode(agency) {
      await nodes.get(agency)?.stop();
      stopped.add(agency);
    },
    async [Symbol.asyncDispose]() {
      await gateway.stop();
      await hubDatabase[Symbol.asyncDispose]();
      for (const [agency, node] of nodes) {
        if (!stopped.has(agency)) await node.stop();
        await node.database[Symbol.asyncDispose]();
      }
      await rm(keysDir, { recursive: true, force: true });
    },
  };
}

/** Another gateway over the test hub's database and nodes (not started), with the options given. */
export function anotherGateway(hub: TestHub, options: Partial<GatewayConfig> = {}): Gateway {
  return createGateway({
    trustList: hub.trustList,
    databaseUrl: hub.hubDatabase.applicationUrl,
    nodes: new Map([...hub.nodes].map(([agency, node]) => [agency, node.url])),
    signer: hub.keys.gateway,
    auditDigestKey: hub.keys.auditDigests.get('GATEWAY')!,
    ...options,
  });
}

/**
 * Makes officers members of a joint operation with this code (created if
 * new), straight in the hub database: for tests of consent under the purpose
 * JOINT_OPERATION that are not about running an operation (the gateway
 * refuses that purpose to non-members).
 */
export async function enrolInJointOperation(hub: TestHub, code: string, officers: readonly Pick<OfficerClaims, 'sub' | 'agency' | 'unit'>[]) {
  const [operation] = await adminQuery<{ id: string }>(
    hub.hubDatabase.name,
    `insert into hub.joint_operation (id, code, code_name, objective, legal_basis, lead_agency, participating_agencies, planned_start, planned_end, created_by)
     values (gen_random_uuid(), $1, $1, 'Consent tests', 'Test fixture', 'XK', $2, now(), now() + interval '30 days', 'test')
     on conflict (code) do update set code = excluded.code returning id`,
    [code, [...new Set(officers.map((officer) => officer.agency))]],
  );
  for (const officer of officers) {
    await adminQuery(
      hub.hubDatabase.name,
      `insert into hub.operation_member (id, operation_id, officer_sub, agency, unit_code, role, valid_from, added_by)
       values (gen_random_uuid(), $1, $2, $3, $4, 'MEMBER', now() - interval '1 day', 'test')`,
      [operation!.id, officer.sub, officer.agency, officer.unit],
    );
  }
}

/** The graphql-ws endpoint of a gateway: the same path as HTTP. */
export function webSocketUrl(gatewayUrl: URL): string {
  const ws = new URL(gatewayUrl);
  ws.protocol = 'ws:';
  return ws.href;
}

/** One graphql-ws connection, with the close code the server ended it with (null while open). */
export interface TestSocket extends AsyncDisposable {
  /** Runs one operation to completion: its single result (queries, mutations) or the first event. */
  run<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<Omit<GraphQLResult<T>, 'status'>>;
  closeCode(): number | null;
  /** How many times the client connected: 1 while every operation ran on one socket. */
  connections(): number;
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<number>;
}

/** Opens a graphql-ws connection with the given connection_init payload, as any client would. */
export function openSocket(gatewayUrl: URL, connectionParams: Record<string, unknown>): TestSocket {
  let code: number | null = null;
  let connections = 0;
  let resolveClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (resolveClosed = resolve));
  const client = createClient({
    url: webSocketUrl(gatewayUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    // Kept open between operations, so that a test sees what one socket does over several.
    lazyCloseTimeout: 60_000,
    on: {
      connected: () => {
        connections += 1;
      },
      closed: (event) => {
        code = (event as { code: number }).code;
        resolveClosed(code);
      },
    },
  });
  return {
    run: (query, variables = {}) =>
      new Promise((resolve, reject) => {
        let value: unknown;
        const unsubscribe = client.subscribe(
          { query, variables },
          {
            next: (data) => {
              value = data;
              unsubscribe();
              resolve(data as never);
            },
            // graphql-ws hands per-operation errors (an `error` message) over as an array.
            error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
            complete: () => resolve(value as never),
          },
        );
      }),
    closeCode: () => code,
    connections: () => connections,
    closed,
    [Symbol.asyncDispose]: () => client.dispose() as Promise<void>,
  };
}

/**
 * Polls `check` until it returns something other than undefined, false or
 * null, and resolves with that. Fails after `timeoutMs` (default 30 s, a
 * bound for a stuck test, never a measure of speed) naming what it waited for.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Where browser tests keep their screenshots (git-ignored). */
export const testArtifacts = new URL('../test-artifacts/', import.meta.url);

/** A headless Chromium on a page that cannot reach the internet, and what it tried to. */
export interface TestBrowser extends AsyncDisposable {
  browser: Browser;
  page: Page;
  /** Every request to another host than 127.0.0.1 (each was failed). */
  foreignRequests: string[];
  /** Saves a screenshot of the page (or of a region of it) as test-artifacts/<name>.png. */
  screenshot(name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string>;
}

/**
 * Starts the Chromium that @sparticuz/chromium ships in its npm package (so
 * `npm install` is the whole set-up) with one page, as on a machine with no
 * route to the internet: every request to another host than the hub's is
 * failed and recorded.
 */
export async function launchTestBrowser(viewport = { width: 1400, height: 900 }): Promise<TestBrowser> {
  const browser = await puppeteer.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: 'shell' });
  const page = await browser.newPage();
  await page.setViewport(viewport);
  await page.setRequestInterception(true);
  const foreignRequests: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    const local = url.protocol === 'data:' || url.protocol === 'blob:' || (url.protocol === 'http:' && url.hostname === '127.0.0.1');
    if (local) return void request.continue();
    foreignRequests.push(request.url());
    void request.abort('internetdisconnected');
  });
  await mkdir(testArtifacts, { recursive: true });
  return {
    browser,
    page,
    foreignRequests,
    async screenshot(name, clip) {
      const path = new URL(`${name}.png`, testArtifacts).pathname;
      await page.screenshot({ path, ...(clip ? { clip } : {}) });
      return path;
    },
    [Symbol.asyncDispose]: () => browser.close(),
  };
}
