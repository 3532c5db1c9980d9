import type { IncomingMessage } from 'node:http';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { livenessPath, probe, readinessPath, useHealthChecks } from '../server/useHealthChecks.ts';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { gatewayParty } from '../audit/auditEntry.ts';
import { createAuditChainMonitor } from '../audit/auditChainMonitor.ts';
import { createAuditWriter } from '../audit/createAuditWriter.ts';
import type { DigestKey } from '../audit/termDigests.ts';
import { createCommittedHead } from '../audit/auditWitness.ts';
import { logRefusal, logUnwritten, outcomeOf, useAuditLog, type RefusalLog, type RefusedClaims } from '../audit/useAuditLog.ts';
import { auditUnavailable, unrecorded } from '../audit/auditErrors.ts';
import { assertApplicationConnection } from '../database/applicationLogin.ts';
import { createHubPrismaClient } from '../database/createHubPrismaClient.ts';
import { createOperationUpdateSignal } from '../operations/operationUpdateStream.ts';
import type { GatewaySigner } from '../identity/gatewayCredential.ts';
import type { TrustList } from '../identity/trustList.ts';
import { verifyOfficerToken } from '../identity/verifyOfficerToken.ts';
import { ErrorCode, hubError } from '../errors.ts';
import { createHttpListener, type ListenOptions } from '../server/createHttpListener.ts';
import { hubYogaPlugins } from '../server/hubYogaPlugins.ts';
import { logger as rootLogger, type Logger } from '../server/logger.ts';
import { createMaskError } from '../server/maskError.ts';
import { useOperationSpans } from '../telemetry/useOperationSpans.ts';
import { createGatewayContextFactory, officerTokenOf, useIdentifyFirst, type GatewayContext, type GatewayInitialContext } from './context.ts';
import { useConsole } from '../console/useConsole.ts';
import { createNodeClient } from './nodeClient.ts';
import { gatewaySchema } from './schema/index.ts';
import { useAgencyErrors } from './useAgencyErrors.ts';
import { listenForNotifications } from '../realtime/listenForNotifications.ts';
import { startCheckpointSchedule, type CheckpointSchedule } from '../audit/checkpointSchedule.ts';
import { followNodeFeeds } from '../realtime/feedFollower.ts';
import { createHitFeed } from '../realtime/hitFeed.ts';
import { hubFeedChannel } from '../realtime/hitStream.ts';
import { closeAtExpiry } from '../realtime/closeAtExpiry.ts';
import { documentId, loadTrustedDocuments, requestedDocumentId, untrustedDocumentMessage, useTrustedDocuments } from './trustedDocuments.ts';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { caseReferenceHeader, purposeHeader } from '../consent/declaredPurpose.ts';
import { useRateLimits, type RateLimits, defaultRateLimits } from './useRateLimits.ts';
import pg from 'pg';

/** Configuration of the gateway. */
export interface GatewayConfig {
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
  /** Follow the nodes' event feeds (the hits of the subscriptions). Default true. */
  followFeeds?: boolean;
  /** How long one read of a node's feed waits at the node for the next event. Default 2,000 ms. */
  feedWaitMs?: number;
  /** The process's reader of the hub feed reads again at least this often, whether or not a notification came. Default 2,000 ms. */
  subscriptionPollMs?: number;
  /** Hits one subscription holds for its client at most; a subscription further behind reads the hub feed itself. Default 1,000. */
  subscriptionBufferSize?: number;
  /** Operations one WebSocket may run at once. Default 10. */
  maxSubscriptionsPerConnection?: number;
  /** WebSockets one officer may hold open at once on this gateway process. Default 10. */
  maxConnectionsPerOfficer?: number;
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

/** Close code of a socket refused because its officer holds too many (the 4xxx range is the application's). */
export const tooManyConnectionsCloseCode = 4429;

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/** What a graphql-ws connection claims in connection_init, unverified: recorded when it is refused. */
function socketClaims(ctx: { connectionParams?: Readonly<Record<string, unknown>>; extra: { request: IncomingMessage } }): RefusedClaims {
  const params = ctx.connectionParams ?? {};
  return {
    token: officerTokenOf({ connectionParams: params }),
    purpose: params.purpose,
    caseReference: params.caseReference,
    clientAddress: ctx.extra.request.socket.remoteAddress ?? null,
  };
}

export function createGateway(config: GatewayConfig): Gateway {
  const logger = (config.logger ?? rootLogger).child({ component: 'gateway' });
  const maxRequestBytes = config.maxRequestBytes ?? 256 * 1024;
  // The last entry the consultation log committed: every node call carries it, for the node to witness.
  const committedHead = createCommittedHead();
  const nodes = createNodeClient({
    nodes: config.nodes,
    signer: config.signer,
    committedHead,
    ...(config.nodeTimeoutMs ? { timeoutMs: config.nodeTimeoutMs } : {}),
  });
  const prisma = createHubPrismaClient({ databaseUrl: config.databaseUrl });
  const notifier = listenForNotifications({ databaseUrl: config.databaseUrl, channel: hubFeedChannel, logger });
  // One reader of the hub feed for every subscription of this process, started by the first.
  const hits = createHitFeed({ prisma, notifier, agencies: nodes.agencies, logger, ...(config.subscriptionPollMs ? { pollMs: config.subscriptionPollMs } : {}),
    ...(config.subscriptionBufferSize ? { bufferSize: config.subscriptionBufferSize } : {}),
  });
  // The one writer of the gateway's log: consultations, refusals (HTTP and graphql-ws) and pushes alike.
  const auditWriter = createAuditWriter({ prisma, party: gatewayParty, committedHead });
  const feed = { hits };
  const operationUpdates = createOperationUpdateSignal({ databaseUrl: config.databaseUrl, logger });
  const gatewayKeys = config.trustList.partyKeys.get(gatewayParty);
  const auditChain = createAuditChainMonitor({
    party: gatewayParty,
    databaseUrl: config.databaseUrl,
    ...(gatewayKeys ? { publicKeys: gatewayKeys } : {}),
    ...(config.auditChainMaxAgeMs !== undefined ? { maxAgeMs: config.auditChainMaxAgeMs } : {}),
  });
  const checkpointExchange = { prisma, nodes, signer: config.signer, partyKeys: config.trustList.partyKeys, logger };
  const createContext = createGatewayContextFactory({ trustList: config.trustList, nodes, prisma, operationUpdates, checkpointExchange, auditDigestKey: config.auditDigestKey, auditWriter, feed, auditChain });
  const maxSubscriptions = config.maxSubscriptionsPerConnection ?? 10;
  const maxConnections = config.maxConnectionsPerOfficer ?? 10;
  /** Open sockets per officer (issuer and subject), in this process. */
  const openSockets = new Map<string, number>();
  const maskError = createMaskError(logger);
  // The rate-limit counters: plain SQL on a small pool of their own, in the hub database.
  const limitsPool = config.rateLimits === false ? null : new pg.Pool({ connectionString: config.databaseUrl, max: 4 });
  // An idle connection the server ends (a restart, a shutdown) is dropped by the pool; unheard, its error would end the process.
  limitsPool?.on('error', (error) => logger.warn({ err: error }, 'rate-limit connection lost'));

  const yoga = createYoga<GatewayInitialContext, GatewayContext>({
    schema: gatewaySchema,
    graphqlEndpoint: '/graphql',
    context: (initial) => createContext(initial),
    maskedErrors: { maskError },
    plugins: [
      ...hubYogaPlugins({ maxRequestBytes }),
      useConsole(),
      useIdentifyFirst(config.trustList),
      ...(config.trustedDocuments ? [useTrustedDocuments(config.trustedDocuments)] : []),
      ...(config.introspection === false ? [useDisableIntrospection()] : []),
      useAgencyErrors(),
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

  // Refusals over graphql-ws, which Yoga's hooks do not see, go to the same log.
  const refusals: RefusalLog = { party: gatewayParty, writer: auditWriter, logger };
  // What onResultProcess does for HTTP: an operation stopped before its entry was written gets its DENIAL entry.
  const audited = async (args: ExecutionArgs, running: unknown) => {
    const result = await running;
    const audit = (args.contextValue as Partial<GatewayContext>).audit;
    if (!audit || (result !== null && typeof result === 'object' && Symbol.asyncIterator in result)) return result;
    return (await logUnwritten(refusals, audit, result as ExecutionResult)) ? result : { errors: [unrecorded(audit)] };
  };
  const listener = createHttpListener(yoga);
  const sockets = new WebSocketServer({ server: listener.server, path: '/graphql', maxPayload: maxRequestBytes });
  const wsServer = useServer<Record<string, unknown> | undefined>(
    {
      // Refuse the connection itself when its token is bad, before any
      // operation, and log the refusal as a refused HTTP request is logged.
      onConnect: async (ctx) => {
        const token = officerTokenOf({ connectionParams: ctx.connectionParams ?? {} });
        const refuse = async (code: string) => {
          await logRefusal(refusals, socketClaims(ctx), 'DENIED', code);
          return false;
        };
        let officer;
        try {
          if (!token) throw hubError(ErrorCode.TOKEN_MISSING, 'Sign in: send your agency token as "authorization" in connection_init.');
          officer = await verifyOfficerToken(token, config.trustList);
        } catch (error) {
          return refuse(error instanceof GraphQLError ? String(error.extensions.code) : ErrorCode.INTERNAL_SERVER_ERROR);
        }
        const key = `${officer.issuer} ${officer.sub}`;
        const open = openSockets.get(key) ?? 0;
        if (open >= maxConnections) {
          ctx.extra.socket.close(tooManyConnectionsCloseCode, `At most ${maxConnections} connections per officer`);
          return refuse(ErrorCode.TOO_MANY_CONNECTIONS);
        }
        openSockets.set(key, open + 1);
        ctx.extra.socket.once('close', () => {
          const left = (openSockets.get(key) ?? 1) - 1;
          if (left > 0) openSockets.set(key, left);
          else openSockets.delete(key);
        });
        closeAtExpiry(ctx.extra.socket, token);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws has already counted the operation being subscribed.
        if (Object.keys(ctx.subscriptions).length > maxSubscriptions) {
          return [hubError(ErrorCode.TOO_MANY_SUBSCRIPTIONS, `At most ${maxSubscriptions} operations may run at once on one connection.`)];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          connectionParams: ctx.connectionParams ?? {},
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
        });
        // Over HTTP, Yoga turns what parse, validate (graphql-armor's limits
        // throw there) and the context factory raise into a result, masked
        // with the same function: the socket does the same, per operation,
        // instead of letting an exception close the whole connection.
        // The refusal is logged as onResultProcess logs a refused HTTP request.
        const refused = async (raised: readonly unknown[]) => {
          const errors = raised.map((error) => maskError(error, 'Unexpected error.') as GraphQLError);
          const { outcome, errorCode } = outcomeOf({ errors }, 'DENIED');
          // As over HTTP: the entry names the officer once the token verifies (it is verified for every operation).
          const claims = socketClaims(ctx);
          const officer = claims.token ? await verifyOfficerToken(claims.token, config.trustList).catch(() => null) : null;
          // As over HTTP: a refusal the log cannot take is answered AUDIT_UNAVAILABLE.
          return (await logRefusal(refusals, claims, outcome, errorCode, officer)) ? errors : [auditUnavailable()];
        };
        let document;
        let contextValue: unknown;
        try {
          // With trusted documents only, a socket runs them by id too: the same rule as HTTP.
          let source = payload.query;
          if (config.trustedDocuments) {
            const id = requestedDocumentId(payload as { documentId?: unknown; extensions?: Record<string, unknown> | null }) ?? (payload.query ? documentId(payload.query) : null);
            const trusted = id === null ? undefined : config.trustedDocuments.get(id);
            if (trusted === undefined || (payload.query && payload.query !== trusted)) {
              return refused([hubError(ErrorCode.DOCUMENT_NOT_TRUSTED, untrustedDocumentMessage)]);
            }
            source = trusted;
          }
          document = parse(source);
          const errors = validate(schema, document);
          if (errors.length) return refused(errors);
          contextValue = await contextFactory();
        } catch (error) {
          return refused([error]);
        }
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
      },
      execute: (args) => audited(args, (args.rootValue as EnvelopedRoot).execute(args)) as never,
      subscribe: (args) => audited(args, (args.rootValue as EnvelopedRoot).subscribe(args)) as never,
    },
    sockets,
  );

  let checkpoints: CheckpointSchedule | undefined;
  let followers: { stop(): Promise<void> } | undefined;

  let started = false;
  // Stopping twice (a signal, then a dispose) stops once.
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= shutdown());
  const shutdown = async () => {
    await checkpoints?.stop();
    await followers?.stop();
    // Wakes every waiting subscriber first, so that closing the sockets does not wait for a poll.
    await operationUpdates.stop();
    await wsServer.dispose();
    await new Promise<void>((resolve) => sockets.close(() => resolve()));
    await listener.close();
    await hits.stop();
    await notifier.close();
    await auditChain.close();
    // Every entry handed to the writer is committed (or failed) before its database goes.
    await auditWriter.drain();
    await prisma.$disconnect();
    await limitsPool?.end();
  };

  return {
    fetch: (request) => Promise.resolve(yoga.fetch(request)),
    async start() {
      if (started) throw new Error('gateway is already started');
      started = true;
      await assertApplicationConnection(prisma);
      await operationUpdates.start();
      checkpoints = await startCheckpointSchedule({
        ...checkpointExchange,
        databaseUrl: config.databaseUrl,
        intervalMs: config.checkpointIntervalMs ?? 15 * 60_000,
      });
      const base = await listener.listen(config.listen);
      const url = new URL('/graphql', base);
      if (config.followFeeds !== false) {
        followers = followNodeFeeds({
          nodes,
          prisma,
          logger,
          ...(config.feedWaitMs ? { waitMs: config.feedWaitMs } : {}),
          ...(config.nodeTimeoutMs ? { nodeTimeoutMs: config.nodeTimeoutMs } : {}),
        });
      }
      logger.info({ url: url.href, agencies: nodes.agencies }, 'gateway listening');
      return url;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
