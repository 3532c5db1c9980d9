import type { YogaInitialContext } from 'graphql-yoga';
import { caseReferenceHeader, parseDeclaredPurpose, purposeHeader, type DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { IncomingMessage } from 'node:http';
import { AuditCollector, operationJournal } from '../audit/auditCollector.ts';
import { gatewayParty } from '../audit/auditEntry.ts';
import { auditHeadHeader, parseAuditHeadHeader } from '../audit/auditWitness.ts';
import { idempotencyKeyHeader, operationIdHeader, parseIdempotencyKey, parseOperationId } from '../audit/operationId.ts';
import type { CheckpointSigner } from '../audit/checkpoints.ts';
import type { DigestKey } from '../audit/termDigests.ts';
import { registerActor, registerCollector } from '../audit/useAuditLog.ts';
import type { PrismaClient } from '../database/createPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import {
  gatewayServiceSubject,
  isServiceCredential,
  verifyGatewayCredential,
  verifyGatewayServiceCredential,
  type ServiceScope,
} from '../identity/gatewayCredential.ts';
import type { EventNotifier } from '../realtime/listenForNotifications.ts';
import { type VerifiedMembership } from '../identity/gatewayCredential.ts';
import { jointOperationPurpose, type ExchangeAgreement } from '../consent/agreement.ts';
import { bearerToken, officerTokenHeader } from '../identity/headers.ts';
import type { Officer } from '../identity/officer.ts';
import type { Logger } from '../server/logger.ts';
import type { AuditChainMonitor } from '../audit/auditChainMonitor.ts';
import type { TrustList } from '../identity/trustList.ts';
import { verifyOfficerToken } from '../identity/verifyOfficerToken.ts';
import { endClosedOperationRelease } from './records/operationReleaseRecords.ts';

/** What every resolver of a node knows about the request. */
export interface NodeContext {
  /** Agency this node belongs to: the owner of every record in its database. */
  agency: string;
  /** The officer on whose behalf the gateway calls, verified again here. */
  officer: Officer;
  /** The purpose the officer declared, checked against the exchange agreement again here. */
  purpose: DeclaredPurpose;
  /** The exchange agreement this node enforces (NodeConfig.agreement): every consent decision and its statistics terms read it from here. */
  agreement: ExchangeAgreement;
  /** Under JOINT_OPERATION: the membership the gateway vouched for (the hub holds the operations); null otherwise. */
  membership: VerifiedMembership | null;
  prisma: PrismaClient;
  /** What this operation's disclosure (or change) entry will say. */
  audit: AuditCollector;
  request: Request;
  trustList: TrustList;
  checkpointSigner?: CheckpointSigner;
  /** The agency's key for the digests of identifiers in its log (and of an auditor's search term). */
  auditDigestKey: DigestKey;
  /**
   * The gateway on its own account (service credential), with the one scope its credential names: following the
   * event feed, or exchanging audit checkpoints; nothing an officer may do. Null for an officer's call.
   */
  service: ServiceScope | null;
  /** Wakes the event feed when an event commits. */
  events: EventNotifier;
  logger: Logger;
  /** The verification state of this node's own log, for auditors. */
  auditChain: AuditChainMonitor;
}

export interface NodeContextOptions {
  agency: string;
  agreement: ExchangeAgreement;
  trustList: TrustList;
  prisma: PrismaClient;
  checkpointSigner?: CheckpointSigner;
  auditDigestKey: DigestKey;
  events: EventNotifier;
  logger: Logger;
  auditChain: AuditChainMonitor;
}

/**
 * Who a service call is in the resolvers: no agency, no unit, no role, so that
 * every field an officer's role opens stays closed to it.
 */
const gatewayService: Officer = { sub: gatewayServiceSubject, agency: '', unit: '', roles: [], issuer: 'gateway' };

/** A service call declares no purpose: it releases no record. */
const eventRoutingPurpose: DeclaredPurpose = { code: 'EVENT_ROUTING', caseReference: null };

/**
 * Records the head of the gateway's log that the call carries as the entry's
 * witness of the gateway. Called only once the gateway's credential is
 * verified, so nobody else can put a head in the node's log. A malformed value
 * is not recorded and the call is served: the head is evidence about the
 * gateway's log, not a condition of the request, so refusing would stop a
 * node answering officers over the gateway's bookkeeping; and the entry
 * without a witness shows an auditor that none came.
 */
function witnessGateway(audit: AuditCollector, request: Request): void {
  const head = parseAuditHeadHeader(request.headers.get(auditHeadHeader));
  if (head) audit.witness({ party: gatewayParty, ...head });
  // Likewise taken from a verified gateway only: the operation the call serves, and the key of its change.
  audit.operationId = parseOperationId(request.headers.get(operationIdHeader));
  audit.idempotencyKey = parseIdempotencyKey(request.headers.get(idempotencyKeyHeader), audit.operationId);
}

/**
 * Builds the context of a node request. A node trusts nobody on the network:
 * the call must carry the gateway's credential, bound to the officer token it
 * accompanies, and the officer token is verified against the trust list
 * here too (defence in depth: a compromised gateway cannot invent officers).
 */
export function createNodeContextFactory({ agency, agreement, trustList, prisma, checkpointSigner, auditDigestKey, events, logger, auditChain }: NodeContextOptions) {
  const gateway = { ...trustList.gateway, algorithms: trustList.algorithms };
  return async ({ request, ...server }: YogaInitialContext & { req?: IncomingMessage }): Promise<NodeContext> => {
    const credential = bearerToken(request.headers.get('authorization'));
    const optional = { auditDigestKey, ...(checkpointSigner ? { checkpointSigner } : {}) };
    if (!request.headers.has(officerTokenHeader) && isServiceCredential(credential)) {
      const service = await verifyGatewayServiceCredential(credential, agency, gateway);
      const audit = new AuditCollector(agency, null, null, server.req?.socket.remoteAddress ?? null);
      witnessGateway(audit, request);
      registerCollector(request, audit);
      return { agency, agreement, officer: gatewayService, purpose: eventRoutingPurpose, membership: null, prisma, audit, request, trustList, service, events, logger, auditChain, ...optional };
    }
    const officerToken = request.headers.get(officerTokenHeader);
    if (!officerToken) throw hubError(ErrorCode.TOKEN_MISSING, 'The call carries no officer token.');
    const { membership } = await verifyGatewayCredential(credential, officerToken, agency, gateway);
    const officer = await verifyOfficerToken(officerToken, trustList);
    // From here on a refusal names the officer (a purpose the node does not accept, say).
    registerActor(request, officer);
    const purpose = parseDeclaredPurpose(request.headers.get(purposeHeader), request.headers.get(caseReferenceHeader), agreement);
    // The node cannot see the hub's operations: under JOINT_OPERATION it releases nothing unless the
    // gateway vouches, in its signed credential, that the officer is a member of that very operation.
    if (purpose.code === jointOperationPurpose && membership?.operation !== purpose.caseReference) {
      throw hubError(ErrorCode.PURPOSE_NOT_ALLOWED, `The gateway did not vouch for your membership of joint operation ${purpose.caseReference}.`);
    }
    // The caller of a node is the gateway; the address is recorded to show which gateway asked.
    const clientAddress = server.req?.socket.remoteAddress ?? null;
    const audit = new AuditCollector(agency, officer, purpose, clientAddress);
    witnessGateway(audit, request);
    registerCollector(request, audit);
    if (membership && purpose.code === jointOperationPurpose && !membership.open) {
      // Before anything is answered under an operation the gateway says is closed, its releases here end:
      // nothing is ever released under them again. The end is a change of its own, in an entry of its own.
      const ending = new AuditCollector(agency, officer, purpose, clientAddress);
      await endClosedOperationRelease(prisma, officer, agency, membership.operation, operationJournal(ending).journal);
    }
    return { agency, agreement, officer, purpose, membership: purpose.code === jointOperationPurpose ? membership : null, prisma, audit, request, trustList, service: null, events, logger, auditChain, ...optional };
  };
}
