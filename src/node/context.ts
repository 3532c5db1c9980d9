import type { YogaInitialContext } from 'graphql-yoga';
import { caseReferenceHeader, parseDeclaredPurpose, purposeHeader, type DeclaredPurpose } from '../consent/declaredPurpose.ts';
import type { PrismaClient } from '../database/createPrismaClient.ts';
import { ErrorCode, hubError } from '../errors.ts';
import { verifyGatewayCredential } from '../identity/gatewayCredential.ts';
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
  prisma: PrismaClient;
}

export interface NodeContextOptions {
  agency: string;
  trustList: TrustList;
  prisma: PrismaClient;
}

/**
 * Builds the context of a node request. A node trusts nobody on the network:
 * the call must carry the gateway's credential, bound to the officer token it
 * accompanies, and the officer token is verified against the trust list
 * here too (defence in depth: a compromised gateway cannot invent officers).
 */
export function createNodeContextFactory({ agency, trustList, prisma }: NodeContextOptions) {
  return async ({ request }: YogaInitialContext): Promise<NodeContext> => {
    const officerToken = request.headers.get(officerTokenHeader);
    if (!officerToken) throw hubError(ErrorCode.TOKEN_MISSING, 'The call carries no officer token.');
    await verifyGatewayCredential(bearerToken(request.headers.get('authorization')), officerToken, agency, {
      ...trustList.gateway,
      algorithms: trustList.algorithms,
    });
    const officer = await verifyOfficerToken(officerToken, trustList);
    const purpose = parseDeclaredPurpose(request.headers.get(purposeHeader), request.headers.get(caseReferenceHeader));
    return { agency, officer, purpose, prisma };
  };
}
