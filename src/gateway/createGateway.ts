import { createYoga } from 'graphql-yoga';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import pg from 'pg';
import { gatewayParty } from '../audit/auditEntry.ts';
import { createAuditChainMonitor } from '../audit/auditChainMonitor.ts';
import { createCheckpointSchedule } from '../audit/checkpointSchedule.ts';
import { createAuditWriter } from '../audit/createAuditWriter.ts';
import { createCommittedHead } from '../audit/auditWitness.ts';
import type { DigestKey } from '../audit/termDigests.ts';
import { useAuditLog } from '../audit/useAuditLog.ts';
import { caseReferenceHeader, purposeHeader } from '../consent/declaredPurpose.ts';
import { useConsole } from '../console/useConsole.ts';
import { assertApplicationConnection } from '../database/applicationLogin.ts';
import { createHubPrismaClient } from '../database/createHubPrismaClient.ts';
import type { GatewaySigner } from '../identity/gatewayCredential.ts';
import type { TrustList } from '../identity/trustList.ts';
import { createRealtime } from '../realtime/createRealtime.ts';
import { createSocketServer } from '../realtime/createSocketServer.ts';
import { useFeedPushLog } from '../realtime/useFeedPushLog.ts';
import { createHttpListener, type ListenOptions } from '../server/createHttpListener.ts';
import { hubYogaPlugins } from '../server/hubYogaPlugins.ts';
import { logger as rootLogger, type Logger } from '../server/logger.ts';
import { createMaskError } from '../server/maskError.ts';
import { startParts, stopParts, type ServerPart } from '../server/serverPart.ts';
import { livenessPath, probe, readinessPath, useHealthChecks } from '../server/useHealthChecks.ts';
import { useOperationSpans } from '../telemetry/useOperationSpans.ts';
import { agreement as committedAgreement, type ExchangeAgreement } from '../consent/agreement.ts';
import { createGatewayContextFactory, useIdentifyFirst, type GatewayContext, type GatewayInitialContext } from './context.ts';
import { usePicture } from '../picture/usePicture.ts';
import { createNodeClient } from './nodeClient.ts';
import { gatewaySchema } from './schema/index.ts';
import { loadTrustedDocuments, useTrustedDocuments } from './trustedDocuments.ts';
import { useAgencyErrors } from './useAgencyErrors.ts';
import { defaultRateLimits, useRateLimits, type RateLimits } from './useRateLimits.ts';

/** Configuration of the gateway. */
export interface GatewayConfig {
  /**
   * The exchange agreement the gateway applies, the one its nodes enforce: purposes, roles and who decides consent,
   * the statistics terms of the joint measures (persons arrested in joint operations).
   * Default: the committed contracts/exchange-agreement.json (its loaded copy, `agreement`).
   */
  agreement?: ExchangeAgreement;
  trustList: TrustList;
  /** The hub database, which holds the consultation log, as the application role; start() refuses the owner. */
  databaseUrl: string;
  /** GraphQL endpoint of each agency node. */
  nodes: ReadonlyMap<string, URL>;
  /** The gateway's own signing key, for its credential towards the nodes. */
  signer: GatewaySigner;
  /** The gateway's secret key for the digests its log keeps of search terms and personal identifiers (see termDigests.ts). */
  auditDigestKey: DigestKey;
  /** Default 127.0.0.1, port 0. */
  listen?: ListenOptions;
  /** Time a node has to answer before it is reported unavailable. Default 5,000 ms. */
  nodeTimeoutMs?: number;
  /** Serve GraphiQL on GET /graphql. Default true; `hub gateway` turns it off in production. */
  graphiql?: boolean;
  /** Answer introspection queries. Default true; `hub gateway` turns it off in production. */
  introspection?: boolean;
  /** Run only these documents (id → document, see trustedDocuments.ts); anything else is refused. Default: any document. */
  trustedDocuments?: ReadonlyMap<string, string>;
  /** Origins browsers may call the gateway from. Default none: cross-origin requests get no CORS headers. */
  corsOrigins?: readonly string[];
  /**
   * How often the parties exchange signed checkpoints of their logs (a job in the hub database: one gateway of
   * those sharing it runs each exchange). Default 15 minutes; `hub gateway` and `start` read AUDIT_CHECKPOINT_INTERVAL.
   */
  checkpointIntervalMs?: number;
  /** How long one walk of the gateway's log serves auditors asking for its state (auditChains). Default 60,000 ms. */
  auditChainMaxAgeMs?: number;
  /** Operations and searches per officer and unit per minute (see {@link RateLimits}); false turns limiting off. Default {@link defaultRateLimits}. */
  rateLimits?: Partial<RateLimits> | false;
  /** Largest request body or WebSocket message, in bytes. Default 256 KiB. */
  maxRequestBytes?: number;
  /** Take part in following the nodes' event feeds (one process of those sharing the hub database follows each node at a time). Default true. */
  followFeeds?: boolean;
  /**
   * How long a process's lease on a node's feed lasts unrenewed: when the process following a node dies, another
   * takes over within about 1.25× this. Default 10,000 ms; `hub gateway` reads FEED_LEASE_TTL.
   */
  feedLeaseTtlMs?: number;
  /** How long one read of a node's feed waits at the node for the next event. Default 2,000 ms. */
  feedWaitMs?: number;
  /** The process's reader of the hub feed reads again at least this often, whether or not a notification came. Default 2,000 ms. */
  subscriptionPollMs?: number;
  /** Events one subscription holds for its client at most; a subscription further behind reads the hub feed itself. Default 1,000. */
  subscriptionBufferSize?: number;
  /** Operations one WebSocket may run at once. Default 10. */
  maxSubscriptionsPerConnection?: number;
  /**
   * Connections (WebSockets, and subscriptions over server-sent events) one officer may hold open at once, counted in the
   * hub database across every gateway process that shares it. Default 10.
   */
  maxConnectionsPerOfficer?: number;
  /** How often the event feeds are pruned to the agreement's retention (a job in the hub database). Default 1 hour. */
  feedRetentionIntervalMs?: number;
  /** How often overdue consent requests and expiring grants are looked for and announced (a job in the hub database). Default 5 minutes. */
  consentDeadlineIntervalMs?: number;
  logger?: Logger;
}

/** The gateway options that the public API settings of the environment (src/config.ts) decide. */
export function publicApiOptions(settings: { graphiql: boolean; introspection: boolean; corsOrigins: readonly string[]; trustedDocumentsOnly: boolean }) {
  return {
    graphiql: settings.graphiql,
    introspection: settings.introspection,
    corsOrigins: settings.corsOrigins,
    ...(settings.trustedDocumentsOnly ? { trustedDocuments: loadTrustedDocuments() } : {}),
  } satisfies Partial<GatewayConfig>;
}

export interface Gateway {
  fetch: (request: Request) => Promise<Response>;
  /** Starts listening; resolves with the GraphQL endpoint (HTTP; the same path serves graphql-ws). */
  start(): Promise<URL>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export { tooManyConnectionsCloseCode } from '../realtime/createSocketServer.ts';

/**
 * The gateway: one Yoga server over the public schema, made of the parts
 * listed below. Each capability brings its own: the consultation log and
 * its chain monitor, the checkpoint schedule, real time (the feeds, their
 * retention, the graphql-ws endpoint), the console, the rate limits. Parts start in the order listed and stop in reverse.
 */
export function createGateway(config: GatewayConfig): Gateway {
  const logger = (config.logger ?? rootLogger).child({ component: 'gateway' });
  const maxRequestBytes = config.maxRequestBytes ?? 256 * 1024;
  const maskError = createMaskError(logger);
  const prisma = createHubPrismaClient({ databaseUrl: config.databaseUrl });
  // The last entry the consultation log committed: every node call carries it, for the node to witness.
  const committedHead = createCommittedHead();
  const nodes = createNodeClient({
    nodes: config.nodes,
    signer: config.signer,
    committedHead,
    ...(config.nodeTimeoutMs ? { timeoutMs: config.nodeTimeoutMs } : {}),
  });

  // The consultation log: one writer for every entry the gateway appends outside a change's own transaction
  // (consultations, refusals over either transport, pushes).
  const auditWriter = createAuditWriter({ prisma, party: gatewayParty, committedHead });
  const gatewayKeys = config.trustList.partyKeys.get(gatewayParty);
  const auditChain = createAuditChainMonitor({
    party: gatewayParty,
    databaseUrl: config.databaseUrl,
    ...(gatewayKeys ? { publicKeys: gatewayKeys } : {}),
    ...(config.auditChainMaxAgeMs !== undefined ? { maxAgeMs: config.auditChainMaxAgeMs } : {}),
  });
  const checkpointExchange = { prisma, nodes, signer: config.signer, partyKeys: config.trustList.partyKeys, logger };
  const checkpoints = createCheckpointSchedule({ ...checkpointExchange, auditChain, databaseUrl: config.databaseUrl, intervalMs: config.checkpointIntervalMs ?? 15 * 60_000 });

  const agreement = config.agreement ?? committedAgreement;
  const realtime = createRealtime({
    databaseUrl: config.databaseUrl,
    agreement,
    prisma,
    nodes,
    auditDigestKey: config.auditDigestKey,
    trustList: config.trustList,
    logger,
    ...(config.followFeeds !== undefined ? { followFeeds: config.followFeeds } : {}),
    ...(config.feedWaitMs ? { feedWaitMs: config.feedWaitMs } : {}),
    ...(config.feedLeaseTtlMs ? { feedLeaseTtlMs: config.feedLeaseTtlMs } : {}),
    ...(config.nodeTimeoutMs ? { nodeTimeoutMs: config.nodeTimeoutMs } : {}),
    ...(config.subscriptionPollMs ? { subscriptionPollMs: config.subscriptionPollMs } : {}),
    ...(config.subscriptionBufferSize ? { subscriptionBufferSize: config.subscriptionBufferSize } : {}),
    ...(config.maxConnectionsPerOfficer ? { maxConnectionsPerOfficer: config.maxConnectionsPerOfficer } : {}),
    ...(config.feedRetentionIntervalMs ? { feedRetentionIntervalMs: config.feedRetentionIntervalMs } : {}),
    ...(config.consentDeadlineIntervalMs ? { consentDeadlineIntervalMs: config.consentDeadlineIntervalMs } : {}),
  });

  // The rate-limit counters: plain SQL on a small pool of their own, in the hub database.
  const limitsPool = config.rateLimits === false ? null : new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
  // An idle connection the server ends (a restart, a shutdown) is dropped by the pool; unheard, its error would end the process.
  limitsPool?.on('error', (error) => logger.warn({ err: error }, 'rate-limit connection lost'));

  const createContext = createGatewayContextFactory({
    trustList: config.trustList,
    nodes,
    prisma,
    checkpointExchange,
    auditDigestKey: config.auditDigestKey,
    auditWriter,
    feed: realtime.feed,
    auditChain,
    agreement,
  });
  const yoga = createYoga<GatewayInitialContext, GatewayContext>({
    schema: gatewaySchema,
    graphqlEndpoint: '/graphql',
    context: (initial) => createContext(initial),
    maskedErrors: { maskError },
    plugins: [
      ...hubYogaPlugins({ maxRequestBytes }),
      useConsole(config.trustedDocuments ? { trustedDocuments: config.trustedDocuments } : {}),
      usePicture(config.trustedDocuments ? { trustedDocuments: config.trustedDocuments } : {}),
      useIdentifyFirst(config.trustList),
      ...(config.trustedDocuments ? [useTrustedDocuments(config.trustedDocuments)] : []),
      ...(config.introspection === false ? [useDisableIntrospection()] : []),
      useAgencyErrors(),
      useFeedPushLog(),
      useOperationSpans({ component: 'gateway' }),
      useAuditLog({ party: gatewayParty, writer: auditWriter, kind: 'CONSULTATION', digestKey: config.auditDigestKey, logger, committedHead }),
      ...(limitsPool ? [useRateLimits({ pool: limitsPool, limits: config.rateLimits || {} })] : []),
      useHealthChecks({
        // The hub database takes every consultation entry: without it nothing may be served (fail-closed).
        // Agency nodes are reported one by one; while one answers, the gateway serves partial answers.
        readiness: async () => {
          const [database, ...states] = await Promise.all([
            probe(() => prisma.$queryRaw`select 1`),
            ...[...config.nodes].map(([, url]) => probe(() => fetch(new URL(readinessPath, url)).then((r) => (r.ok ? r.body?.cancel() : Promise.reject(new Error(String(r.status))))))),
          ]);
          const nodeStates = Object.fromEntries([...config.nodes.keys()].map((agency, index) => [agency, states[index]!]));
          return { ready: database === 'ok' && states.includes('ok'), checks: { database, nodes: nodeStates } };
        },
      }),
    ],
    healthCheckEndpoint: livenessPath,
    // Officers send a bearer token, never cookies: a listed origin gets CORS without credentials.
    cors: config.corsOrigins?.length
      ? { origin: [...config.corsOrigins], credentials: false, allowedHeaders: ['authorization', 'content-type', purposeHeader, caseReferenceHeader], methods: ['GET', 'POST'] }
      : false,
    graphiql: config.graphiql === false ? false : { title: 'Border Exchange Hub', subscriptionsProtocol: 'WS' },
    // GraphiQL with its scripts, styles and workers inlined: police networks are often closed, and
    // Yoga's default page loads them from a public CDN. Loaded on first use (the page is 9 MB).
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    landingPage: false,
    logging: logger,
  });

  const listener = createHttpListener(yoga);
  let url: URL | undefined;
  const parts: ServerPart[] = [
    { name: 'hub database', start: () => assertApplicationConnection(prisma), stop: () => prisma.$disconnect() },
    // Stopped once the listener and the sockets let what was in flight finish: every entry handed over is committed (or failed).
    { name: 'audit writer', stop: () => auditWriter.drain() },
    { name: 'rate-limit pool', stop: () => limitsPool?.end() },
    { name: 'audit chain monitor', stop: () => auditChain.close() },
    checkpoints,
    realtime,
    {
      name: 'HTTP listener',
      start: async () => {
        url = new URL('/graphql', await listener.listen(config.listen));
      },
      stop: () => listener.close(),
    },
    createSocketServer({
      server: listener.server,
      yoga,
      trustList: config.trustList,
      refusals: { party: gatewayParty, writer: auditWriter, logger },
      maskError,
      maxPayloadBytes: maxRequestBytes,
      ...(config.trustedDocuments ? { trustedDocuments: config.trustedDocuments } : {}),
      ...(config.maxSubscriptionsPerConnection ? { maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection } : {}),
      caps: realtime.feed.caps,
    }),
  ];

  let started = false;
  // Stopping twice (a signal, then a dispose) stops once.
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= stopParts(parts));

  return {
    fetch: (request) => Promise.resolve(yoga.fetch(request)),
    async start() {
      if (started) throw new Error('gateway is already started');
      started = true;
      await startParts(parts);
      logger.info({ url: url!.href, agencies: nodes.agencies }, 'gateway listening');
      return url!;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
