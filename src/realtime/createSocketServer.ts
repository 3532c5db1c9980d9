import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { logRefusal, logUnwritten, outcomeOf, type RefusalLog, type RefusedClaims } from '../audit/useAuditLog.ts';
import { auditUnavailable, unrecorded } from '../audit/auditErrors.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { TrustList } from '../identity/trustList.ts';
import { verifyOfficerToken } from '../identity/verifyOfficerToken.ts';
import type { ServerPart } from '../server/serverPart.ts';
import { officerTokenOf, type GatewayContext, type GatewayInitialContext } from '../gateway/context.ts';
import { documentId, requestedDocumentId, untrustedDocumentMessage } from '../gateway/trustedDocuments.ts';
import { closeAtExpiry } from './closeAtExpiry.ts';
import type { ConnectionCaps } from './connectionCaps.ts';

/** Close code of a socket refused because its officer holds too many (the 4xxx range is the application's). */
export const tooManyConnectionsCloseCode = 4429;

/** Options of {@link createSocketServer}. */
export interface SocketServerOptions {
  /** The gateway's HTTP server: the endpoint shares its port and path. */
  server: Server;
  /** The gateway's Yoga server: each socket operation runs through its plugins (`getEnveloped`), as over HTTP. */
  yoga: YogaServerInstance<GatewayInitialContext, GatewayContext>;
  trustList: TrustList;
  /** Where refusals the Yoga hooks do not see (connection_init, parse, validate, context) are logged. */
  refusals: RefusalLog;
  /** The gateway's error masking, so a socket tells a client exactly what HTTP would. */
  maskError: (error: unknown, message: string) => Error;
  /** Run only these documents (id → document); the same rule as over HTTP. Default: any document. */
  trustedDocuments?: ReadonlyMap<string, string>;
  /** Largest WebSocket message, in bytes. */
  maxPayloadBytes: number;
  /** Operations one WebSocket may run at once. Default 10. */
  maxSubscriptionsPerConnection?: number;
  /** The per-officer cap on live connections (across the gateway processes): each socket takes a place. */
  caps: ConnectionCaps;
}

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

/**
 * The gateway's graphql-ws endpoint, on the same path as HTTP: every socket
 * operation goes through the gateway's Yoga plugins and its one context
 * factory, so it is verified, limited and logged exactly as the same
 * operation over HTTP; what those hooks cannot see (a refused
 * connection_init, a document that does not parse or validate) is logged
 * here, as HTTP would log it.
 */
export function createSocketServer(options: SocketServerOptions): ServerPart {
  const { yoga, trustList, refusals, maskError, trustedDocuments } = options;
  const maxSubscriptions = options.maxSubscriptionsPerConnection ?? 10;
  const { caps } = options;
  // What onResultProcess does for HTTP: an operation stopped before its entry was written gets its DENIAL entry.
  const audited = async (args: ExecutionArgs, running: unknown) => {
    const result = await running;
    const audit = (args.contextValue as Partial<GatewayContext>).audit;
    if (!audit || (result !== null && typeof result === 'object' && Symbol.asyncIterator in result)) return result;
    return (await logUnwritten(refusals, audit, result as ExecutionResult)) ? result : { errors: [unrecorded(audit)] };
  };
  let sockets: WebSocketServer | undefined;
  let server: ReturnType<typeof useServer> | undefined;

  const attach = () => {
    sockets = new WebSocketServer({ server: options.server, path: '/graphql', maxPayload: options.maxPayloadBytes });
    server = useServer<Record<string, unknown> | undefined>(
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
            officer = await verifyOfficerToken(token, trustList);
          } catch (error) {
            return refuse(error instanceof GraphQLError ? String(error.extensions.code) : ErrorCode.INTERNAL_SERVER_ERROR);
          }
          let release;
          try {
            release = await caps.acquire(officer, 'WEBSOCKET');
          } catch {
            return refuse(ErrorCode.INTERNAL_SERVER_ERROR);
          }
          if (!release) {
            ctx.extra.socket.close(tooManyConnectionsCloseCode, `At most ${caps.maxPerOfficer} connections per officer`);
            return refuse(ErrorCode.TOO_MANY_CONNECTIONS);
          }
          // Given back when the socket closes, even if it closed while its place was being taken.
          if (ctx.extra.socket.readyState >= ctx.extra.socket.CLOSING) void release();
          else ctx.extra.socket.once('close', () => void release());
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
            const officer = claims.token ? await verifyOfficerToken(claims.token, trustList).catch(() => null) : null;
            // As over HTTP: a refusal the log cannot take is answered AUDIT_UNAVAILABLE.
            return (await logRefusal(refusals, claims, outcome, errorCode, officer)) ? errors : [auditUnavailable()];
          };
          let document;
          let contextValue: unknown;
          try {
            // With trusted documents only, a socket runs them by id too: the same rule as HTTP.
            let source = payload.query;
            if (trustedDocuments) {
              const id = requestedDocumentId(payload as { documentId?: unknown; extensions?: Record<string, unknown> | null }) ?? (payload.query ? documentId(payload.query) : null);
              const trusted = id === null ? undefined : trustedDocuments.get(id);
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
  };

  return {
    name: 'graphql-ws',
    start: attach,
    async stop() {
      await server?.dispose();
      const closing = sockets;
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}
