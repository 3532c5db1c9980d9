import { createYoga } from 'graphql-yoga';
import { livenessPath, probe, useHealthChecks } from '../server/useHealthChecks.ts';
import type { CheckpointSigner } from '../audit/checkpoints.ts';
import { useAuditLog } from '../audit/useAuditLog.ts';
import { createAuditWriter } from '../audit/createAuditWriter.ts';
import type { DigestKey } from '../audit/termDigests.ts';
import { assertApplicationConnection } from '../database/applicationLogin.ts';
import { createPrismaClient, type PrismaClient } from '../database/createPrismaClient.ts';
import type { TrustList } from '../identity/trustList.ts';
import { createHttpListener, type ListenOptions } from '../server/createHttpListener.ts';
import { hubYogaPlugins } from '../server/hubYogaPlugins.ts';
import { logger as rootLogger, type Logger } from '../server/logger.ts';
import { createMaskError } from '../server/maskError.ts';
import { startParts, stopParts, type ServerPart } from '../server/serverPart.ts';
import { useOperationSpans } from '../telemetry/useOperationSpans.ts';
import { listenForNotifications } from '../realtime/listenForNotifications.ts';
import { registerAgencies } from './records/agencyRecords.ts';
import { nodeEventsChannel } from '../realtime/eventOutbox.ts';
import { createNodeContextFactory, type NodeContext } from './context.ts';
import { nodeSchema } from './schema/index.ts';
import { createAuditChainMonitor } from '../audit/auditChainMonitor.ts';
import { agreement as committedAgreement, type ExchangeAgreement } from '../consent/agreement.ts';

/** Configuration of one agency node. */
export interface NodeConfig {
  /** Agency code of the owner (XK, MK, …). */
  agency: string;
  /**
   * The exchange agreement the node enforces: tiers, purposes, roles and who decides consent, the default policy,
   * the statistics terms. Default: the committed contracts/exchange-agreement.json (its loaded copy, `agreement`).
   */
  agreement?: ExchangeAgreement;
  /** The agency's own database, as the application role (see applicationLogin.ts); start() refuses the owner. */
  databaseUrl: string;
  trustList: TrustList;
  /** Every agency of the exchange, the node's own included; registered in its directory at start. */
  agencies: readonly string[];
  /** Default 127.0.0.1, port 0. */
  listen?: ListenOptions;
  /**
   * The node's key for signing its audit checkpoints; without it the node makes none. The node signs when the
   * hub's checkpoint schedule asks (src/gateway/checkpointSchedule.ts): a checkpoint no other party keeps proves nothing.
   */
  checkpointSigner?: CheckpointSigner;
  /** The agency's secret key for the digests its log keeps of search terms and personal identifiers (see termDigests.ts). */
  auditDigestKey: DigestKey;
  /** How long one walk of the node's log serves auditors asking for its state (auditChain). Default 60,000 ms. */
  auditChainMaxAgeMs?: number;
  logger?: Logger;
}

export interface AgencyNode {
  agency: string;
  /** The WHATWG fetch handler: usable in-process without a socket. */
  fetch: (request: Request) => Promise<Response>;
  /** Starts listening; resolves with the GraphQL endpoint URL. */
  start(): Promise<URL>;
  stop(): Promise<void>;
  prisma: PrismaClient;
  [Symbol.asyncDispose](): Promise<void>;
}

export function createNode(config: NodeConfig): AgencyNode {
  const logger = (config.logger ?? rootLogger).child({ component: 'node', agency: config.agency });
  const prisma = createPrismaClient({ databaseUrl: config.databaseUrl });
  const events = listenForNotifications({ databaseUrl: config.databaseUrl, channel: nodeEventsChannel, logger });
  const partyKeys = config.trustList.partyKeys.get(config.agency);
  const auditChain = createAuditChainMonitor({
    party: config.agency,
    databaseUrl: config.databaseUrl,
    ...(partyKeys ? { publicKeys: partyKeys } : {}),
    ...(config.auditChainMaxAgeMs !== undefined ? { maxAgeMs: config.auditChainMaxAgeMs } : {}),
  });
  // The one writer of the node's log for what is not written with a change: disclosures and refusals.
  const auditWriter = createAuditWriter({ prisma, party: config.agency });
  const yoga = createYoga<Record<string, unknown>, NodeContext>({
    schema: nodeSchema,
    graphqlEndpoint: '/graphql',
    context: createNodeContextFactory({
      agency: config.agency,
      trustList: config.trustList,
      prisma,
      events,
      logger,
      auditChain,
      ...(config.checkpointSigner ? { checkpointSigner: config.checkpointSigner } : {}),
      auditDigestKey: config.auditDigestKey,
      agreement: config.agreement ?? committedAgreement,
    }),
    maskedErrors: { maskError: createMaskError(logger) },
    plugins: [
      ...hubYogaPlugins({ maxCost: 250_000 }),
      useOperationSpans({ component: `node ${config.agency}` }),
      useAuditLog({ party: config.agency, writer: auditWriter, kind: 'DISCLOSURE', digestKey: config.auditDigestKey, logger, reportHead: true }),
      useHealthChecks({
        readiness: async () => {
          const database = await probe(() => prisma.$queryRaw`select 1`);
          return { ready: database === 'ok', checks: { database } };
        },
      }),
    ],
    healthCheckEndpoint: livenessPath,
    // Nodes are called by the gateway only: no browser IDE, no CORS.
    graphiql: false,
    cors: false,
    landingPage: false,
    logging: logger,
  });
  const listener = createHttpListener(yoga);
  let url: URL | undefined;
  // Started in order, stopped in reverse (see serverPart.ts).
  const parts: ServerPart[] = [
    {
      name: 'node database',
      start: async () => {
        await assertApplicationConnection(prisma);
        await registerAgencies(prisma, config.agencies);
      },
      stop: () => prisma.$disconnect(),
    },
    { name: 'audit chain monitor', stop: () => auditChain.close() },
    // Stopped once the listener has let the requests in flight finish: every entry they handed over is committed (or failed).
    { name: 'audit writer', stop: () => auditWriter.drain() },
    {
      name: 'HTTP listener',
      start: async () => {
        url = new URL('/graphql', await listener.listen(config.listen));
      },
      stop: () => listener.close(),
    },
    // Last: stopping it first wakes the feed reads waiting for events, so the listener does not wait for them.
    { name: 'event notifier', stop: () => events.close() },
  ];
  let started = false;
  // Stopping twice (a signal, then a dispose) stops once.
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= stopParts(parts));

  return {
    agency: config.agency,
    fetch: (request) => Promise.resolve(yoga.fetch(request)),
    async start() {
      if (started) throw new Error(`node ${config.agency} is already started`);
      started = true;
      await startParts(parts);
      logger.info({ url: url!.href }, 'agency node listening');
      return url!;
    },
    stop,
    prisma,
    [Symbol.asyncDispose]: stop,
  };
}
