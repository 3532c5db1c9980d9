import { decodeJwt } from 'jose';
import { appendAuditEntry } from '../audit/appendAuditEntry.ts';
import { gatewayParty } from '../audit/auditEntry.ts';
import type { PrismaClient } from '../database/createPrismaClient.ts';

/**
 * The DENIAL entry of a WebSocket refused at connection_init (no token, or
 * one that does not verify): who it claimed to be, why, and from where. The
 * connection is closed whether or not the entry could be written.
 */
export async function logRefusedSocket(
  prisma: PrismaClient,
  refusal: { code: string; token: string | undefined; purpose: unknown; clientAddress: string | null },
): Promise<void> {
  let claimedSubject: string | null = null;
  try {
    const { sub, iss } = refusal.token ? decodeJwt(refusal.token) : {};
    if (typeof sub === 'string') claimedSubject = `${sub.slice(0, 150)} (claimed, ${String(iss ?? 'no issuer').slice(0, 40)})`;
  } catch {
    // A token that is not even a JWT claims nobody.
  }
  await prisma.$transaction((tx) =>
    appendAuditEntry(tx, gatewayParty, {
      kind: 'DENIAL',
      actor: null,
      purpose: typeof refusal.purpose === 'string' ? refusal.purpose.slice(0, 40) : null,
      caseReference: null,
      operation: 'graphql-ws connection_init',
      documentHash: null,
      variables: null,
      records: [],
      outcome: 'DENIED',
      errorCode: refusal.code,
      clientAddress: refusal.clientAddress,
      traceId: null,
      details: { transport: 'graphql-ws', claimedSubject },
    }),
  );
}
