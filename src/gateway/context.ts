import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AuditCollector } from '../audit/auditCollector.ts';
import { gatewayParty } from '../audit/auditEntry.ts';
import type { CheckpointExchangeOptions } from '../audit/exchangeCheckpoints.ts';
import type { DigestKey } from '../audit/termDigests.ts';
import type { HubPrismaClient } from '../database/createHubPrismaClient.ts';
import type { AuditWriter } from '../audit/createAuditWriter.ts';
import type { FeedCursorKey } from '../realtime/feedCursor.ts';
import type { ConnectionCaps } from '../realtime/connectionCaps.ts';
import type { HubFeed } from '../realtime/hubFeed.ts';
import type { Logger } from '../server/logger.ts';
import { registerActor, registerCollector } from '../audit/useAuditLog.ts';
import { newOperationId } from '../audit/operationId.ts';
import { agreement as committedAgreement, type ExchangeAgreement } from '../consent/agreement.ts';
import { caseReferenceHeader, parseDeclaredPurpose, purposeHeader, type DeclaredPurpose } from '../consent/declaredPurpose.ts';
import { ErrorCode, hubError } from '../errors.ts';
import { bearerToken } from '../identity/headers.ts';
import type { Officer } from '../identity/officer.ts';
import type { AuditChainMonitor } from '../audit/auditChainMonitor.ts';
import type { TrustList } from '../identity/trustList.ts';
import { verifyOfficerToken } from '../identity/verifyOfficerToken.ts';
import { verifyOperationPurpose, type OperationMembership } from '../operations/membership.ts';
import type { NodeClient } from './nodeClient.ts';
import { inSpan } from '../telemetry/tracer.ts';

/** What every resolver of the gateway knows about the operation. */
export interface GatewayContext {
  officer: Officer;
  /** Forwarded to the nodes, which verify it again. */
  officerToken: string;
  /** The declared purpose, forwarded to the nodes, which check it again. */
  purpose: DeclaredPurpose;
  /** The exchange agreement this gateway applies (GatewayConfig.agreement), the one its nodes enforce; also to the hub's own records (the joint picture's joint measures). */
  agreement: ExchangeAgreement;
  /**
   * Under the purpose JOINT_OPERATION, the officer's membership of the
   * operation its case reference names, verified here for every operation
   * (HTTP and WebSocket alike); null under any other purpose. Nodes get what
   * they need of it (code, role, whether the operation is open) in the
   * gateway's credential.
   */
  membership: OperationMembership | null;
  /** HTTP (server-sent events for a subscription) or a WebSocket. */
  transport: 'http' | 'websocket';
  nodes: NodeClient;
  /**
   * Errors of agencies that did not answer while the rest of the response
   * is valid; useAgencyErrors adds them to the response's `errors`.
   */
  agencyErrors: GraphQLError[];
  /** What this operation's consultation entry will say. */
  audit: AuditCollector;
  /** The hub's id of this operation (src/audit/operationId.ts): in every entry it causes, at every party. */
  operationId: string;
  /** The one writer of the gateway's log (group commit). */
  auditWriter: AuditWriter;
  /** The hub database: the gateway's consultation log and the joint operations. */
  prisma: HubPrismaClient;
  /** What an exchange of checkpoints needs (the gateway's key, every party's keys): the schedule's, run now for an auditor. */
  checkpointExchange: CheckpointExchangeOptions;
  /** The gateway's key for the digests of identifiers in its log (and of an auditor's search term). */
  auditDigestKey: DigestKey;
  /** How subscriptions learn of events the gateway took from the nodes' feeds. */
  feed: FeedSettings;
  /** The verification state of the gateway's own log, for auditors. */
  auditChain: AuditChainMonitor;
  /** While a subscription's push is resolved: whose it is, and the cursor of the push before it (see useFeedPushLog.ts). */
  feedPush?: { field: string; previous: string } | null;
}

/** What subscriptions take their events from, and check each push with (see src/realtime/feedStream.ts); pushes are logged by the context's one auditWriter. */
export interface FeedSettings {
  /** The process's one reader of the hub's feed, shared by every subscription (hubFeed.ts). */
  hub: HubFeed;
  /** Signs and checks the subscriptions' cursors. */
  cursorKey: FeedCursorKey;
  /** The per-officer cap on live connections, which a subscription over server-sent events takes a place of. */
  caps: ConnectionCaps;
  /** The officer is verified again at every push, as every request is. */
  trustList: TrustList;
  logger: Logger;
}

/** The initial context of either transport: Yoga's for HTTP, graphql-ws's connection params for WebSockets. */
export interface GatewayInitialContext {
  request?: Request;
  connectionParams?: Readonly<Record<string, unknown>>;
  /** Node's request (HTTP) or the WebSocket upgrade request: where the client's address is read. */
  req?: IncomingMessage;
}

export interface GatewayContextOptions {
  trustList: TrustList;
  nodes: NodeClient;
  prisma: HubPrismaClient;
  checkpointExchange: CheckpointExchangeOptions;
  auditDigestKey: DigestKey;
  auditWriter: AuditWriter;
  feed: FeedSettings;
  auditChain: AuditChainMonitor;
  /** Default: the committed contracts/exchange-agreement.json. */
  agreement?: ExchangeAgreement;
}

/** The officer token of a request: the Authorization header over HTTP, `authorization` in connection_init over WebSockets. */
export function officerTokenOf(initial: GatewayInitialContext): string | undefined {
  const header = initial.request?.headers.get('authorization') ?? initial.connectionParams?.authorization;
  return bearerToken(typeof header === 'string' ? header : undefined);
}

/** The officer of each HTTP request, verified once: before its document is parsed, and reused by its context. */
const identified = new WeakMap<Request, Promise<{ officerToken: string; officer: Officer }>>();

/**
 * Verifies the officer behind a request or a WebSocket operation. Over HTTP
 * the verification is done once per request (useIdentifyFirst runs it before
 * the document is parsed); over a WebSocket it is done again for every
 * operation, so a token that expires stops working on an open socket.
 */
export function identify(initial: GatewayInitialContext, trustList: TrustList): Promise<{ officerToken: string; officer: Officer }> {
  const verify = () =>
    inSpan('identity.verify', {}, async () => {
      const officerToken = officerTokenOf(initial);
      if (!officerToken) {
        throw hubError(ErrorCode.TOKEN_MISSING, 'Sign in: send your agency token as "Authorization: Bearer <token>".');
      }
      const officer = await verifyOfficerToken(officerToken, trustList);
      // From here on a refusal of the request (no purpose, an invalid document) names the officer.
      registerActor(initial.request, officer);
      return { officerToken, officer };
    });
  if (!initial.request) return verify();
  let pending = identified.get(initial.request);
  if (!pending) identified.set(initial.request, (pending = verify()));
  return pending;
}

/**
 * Refuses an HTTP request whose officer token is missing or bad before its
 * document is parsed or validated: an anonymous client learns nothing of the
 * schema from validation errors.
 */
export function useIdentifyFirst(trustList: TrustList): Plugin {
  return {
    async onParams({ request, setResult }) {
      try {
        await identify({ request }, trustList);
      } catch (error) {
        setResult({ errors: [error as GraphQLError] });
      }
    },
  };
}

/**
 * What the declared purpose lets the officer do now: under JOINT_OPERATION,
 * their membership of the operation it names (refused for anyone else), which
 * the credential towards the nodes vouches for. Checked for every
 * request, and again for every push of a subscription.
 */
export async function verifyPurposeNow(prisma: HubPrismaClient, officer: Officer, purpose: DeclaredPurpose): Promise<Pick<GatewayContext, 'membership'>> {
  return { membership: await verifyOperationPurpose(prisma, officer, purpose) };
}

/**
 * One context factory for HTTP and WebSocket operations: the officer is
 * verified here (through identify) and nowhere else in the gateway.
 */
export function createGatewayContextFactory({ trustList, nodes, prisma, checkpointExchange, auditDigestKey, auditWriter, feed, auditChain, agreement = committedAgreement }: GatewayContextOptions) {
  return async (initial: GatewayInitialContext): Promise<GatewayContext> => {
    const { officerToken, officer } = await identify(initial, trustList);
    const purpose = parseDeclaredPurpose(
      initial.request?.headers.get(purposeHeader) ?? initial.connectionParams?.purpose,
      initial.request?.headers.get(caseReferenceHeader) ?? initial.connectionParams?.caseReference,
      agreement,
    );
    const audit = new AuditCollector(gatewayParty, officer, purpose, initial.req?.socket.remoteAddress ?? null);
    const operationId = newOperationId();
    audit.operationId = operationId;
    registerCollector(initial.request, audit);
    const { membership } = await verifyPurposeNow(prisma, officer, purpose);
    const transport = initial.request ? 'http' : 'websocket';
    return { officer, officerToken, purpose, membership, transport, nodes, agencyErrors: [], audit, operationId, auditWriter, prisma, checkpointExchange, auditDigestKey, feed, auditChain, agreement };
  };
}
