import type { YogaInitialContext } from 'graphql-yoga';
import { caseReferenceHeader, parseDeclaredPurpose, purposeHeader, type DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { IncomingMessage } from 'node:http';
import { AuditCollector } from '../audit/auditCollector.ts';
import type { CheckpointSigner } from '../audit/checkpoints.ts';
import { registerCollector } from '../audit/useAuditLog.ts';
import type { PrismaClient } from '../database/createPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import { verifyGatewayCredential, type VerifiedMembership } from '../identity/gatewayCredential.ts';
import { jointOperationPurpose } from '../consent/agreement.ts';
import { bearerToken, officerTokenHeader } from '../identity/headers.ts';
import type { Officer } from '../identity/officer.ts';
import type { TrustList } from '../identity/trustList.ts';
import { verifyOfficerToken } from '../identity/verifyOfficerToken.ts';

/** What every resolver of a node knows about the request. */
export interface NodeContext {
  /** Agency this node belongs to: the owner of every record in its database. */
  agency: string;
  /** The officer on whose behalf the gateway calls, verified again here. */
  officer: Officer;
  /** The purpose the officer declared, checked against the exchange agreement again here. */
  purpose: DeclaredPurpose;
  /** Under JOINT_OPERATION: the membership the gateway vouched for (the hub holds the operations); null otherwise. */
  membership: VerifiedMembership | null;
  prisma: PrismaClient;
  /** What this operation's disclosure (or change) entry will say. */
  audit: AuditCollector;
  request: Request;
  trustList: TrustList;
  checkpointSigner?: CheckpointSigner;
}

export interface NodeContextOptions {
  agency: string;
  trustList: TrustList;
  prisma: PrismaClient;
  checkpointSigner?: CheckpointSigner;
}

/**
 * Builds the context of a node request. A node trusts nobody on the network:
 * the call must carry the gateway's credential, bound to the officer token it
 * accompanies, and the officer token is verified against the trust list
 * here too (defence in depth: a compromised gateway cannot invent officers).
 */
export function createNodeContextFactory({ agency, trustList, prisma, checkpointSigner }: NodeContextOptions) {
  return async ({ request, ...server }: YogaInitialContext & { req?: IncomingMessage }): Promise<NodeContext> => {
    const officerToken = request.headers.get(officerTokenHeader);
    if (!officerToken) throw hubError(ErrorCode.TOKEN_MISSING, 'The call carries no officer token.');
    const { membership } = await verifyGatewayCredential(bearerToken(request.headers.get('authorization')), officerToken, agency, {
      ...trustList.gateway,
      algorithms: trustList.algorithms,
    });
    const officer = await verifyOfficerToken(officerToken, trustList);
    const purpose = parseDeclaredPurpose(request.headers.get(purposeHeader), request.headers.get(caseReferenceHeader));
    // The node cannot see the hub's operations: under JOINT_OPERATION it releases nothing unless the
    // gateway vouches, in its signed credential, that the officer is a member of that very operation.
    if (purpose.code === jointOperationPurpose && membership?.operation !== purpose.caseReference) {
      throw hubError(ErrorCode.PURPOSE_NOT_ALLOWED, `The gateway did not vouch for your membership of joint operation ${purpose.caseReference}.`);
    }
    // The caller of a node is the gateway; the address is recorded to show which gateway asked.
    const audit = new AuditCollector(agency, officer, purpose, server.req?.socket.remoteAddress ?? null);
    registerCollector(request, audit);
    return { agency, officer, purpose, membership: purpose.code === jointOperationPurpose ? membership : null, prisma, audit, request, trustList, ...(checkpointSigner ? { checkpointSigner } : {}) };
  };
}
