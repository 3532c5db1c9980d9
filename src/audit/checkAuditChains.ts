import type { AuditDatabase } from './auditDatabase.ts';
import type { AuditChainMonitor } from './auditChainMonitor.ts';
import { gatewayParty } from './auditEntry.ts';
import { verifyAgainstPeers, type PartyLog, type PeerCheck, type PeerEvidence } from './peerVerification.ts';
import type { VerifyResult } from './verifyAuditChain.ts';
import { checkpointExchangeScope } from '../identity/gatewayCredential.ts';
import type { NodeClient } from '../gateway/nodeClient.ts';
import { nodeOperations } from '../gateway/nodeOperations.ts';

/** What the check needs: the hub database (where results are kept), the gateway's log, the nodes. */
export interface AuditChainCheckOptions {
  prisma: AuditDatabase;
  /** The gateway's own log. */
  auditChain: AuditChainMonitor;
  nodes: NodeClient;
}

interface NodeVerification {
  party: string;
  verified: boolean;
  entryCount: number | null;
  firstBadSeq: number | null;
  reason: string | null;
}

/** A node's log, reached with the gateway's service credential for audit:checkpoints. */
function nodeLog(nodes: NodeClient, agency: string): PartyLog {
  const service = { scope: checkpointExchangeScope } as const;
  return {
    party: agency,
    evidenceOf: async (party) =>
      (await nodes.serviceRequest<{ auditPeerEvidence: PeerEvidence }>(agency, nodeOperations.auditPeerEvidence, { party }, service)).auditPeerEvidence,
    verify: async ({ checkpoints, witnesses }): Promise<VerifyResult> => {
      const { verifyAuditChain: result } = await nodes.serviceRequest<{ verifyAuditChain: NodeVerification }>(
        agency,
        nodeOperations.verifyAuditChain,
        // Only what the node's input takes: `at` is not part of the wire form (the signed jws carries it).
        { checkpoints: checkpoints.map(({ seq, headHash, jws, source }) => ({ seq, headHash, jws, source })), witnesses },
        service,
      );
      return result.verified
        ? { ok: true, count: result.entryCount ?? 0, headHash: '', checkpoints: checkpoints.length, witnesses: witnesses.length }
        : { ok: false, firstBadSeq: result.firstBadSeq ?? 0, reason: result.reason ?? 'no reason given' };
    },
  };
}

/**
 * Checks every party's log against what the others hold of it (the gateway's
 * here, each node's by its node) and keeps the result of each party, with its
 * time, in hub.audit_chain_check: what the auditors' console shows. Run by the
 * checkpoint schedule after each exchange.
 */
export async function checkAuditChains({ prisma, auditChain, nodes }: AuditChainCheckOptions): Promise<PeerCheck[]> {
  const gateway: PartyLog = { party: gatewayParty, evidenceOf: (party) => auditChain.evidenceOf(party), verify: (evidence) => auditChain.verify(evidence) };
  const checks = await verifyAgainstPeers([gateway, ...nodes.agencies.map((agency) => nodeLog(nodes, agency))]);
  await prisma.$transaction(async (tx) => {
    for (const check of checks) {
      await tx.$executeRaw`
        insert into hub.audit_chain_check (party, status, entry_count, first_bad_seq, reason, witnesses, checked_at)
        values (${check.party}, ${check.status}, ${check.entryCount}, ${check.firstBadSeq}, ${check.reason}, ${check.witnesses}, ${check.checkedAt})
        on conflict (party) do update set status = excluded.status, entry_count = excluded.entry_count, first_bad_seq = excluded.first_bad_seq,
          reason = excluded.reason, witnesses = excluded.witnesses, checked_at = excluded.checked_at`;
    }
  });
  return checks;
}

/** The last check of every party, as kept. */
export async function readAuditChainChecks(prisma: Pick<AuditDatabase, '$queryRaw'>): Promise<PeerCheck[]> {
  const rows = await prisma.$queryRaw<
    { party: string; status: PeerCheck['status']; entry_count: bigint | null; first_bad_seq: bigint | null; reason: string | null; witnesses: string[] | null; checked_at: Date }[]
  >`select party, status, entry_count, first_bad_seq, reason, witnesses, checked_at from hub.audit_chain_check order by party = 'GATEWAY' desc, party`;
  return rows.map((row) => ({
    party: row.party,
    status: row.status,
    entryCount: row.entry_count === null ? null : Number(row.entry_count),
    firstBadSeq: row.first_bad_seq === null ? null : Number(row.first_bad_seq),
    reason: row.reason,
    witnesses: row.witnesses ?? [],
    checkedAt: row.checked_at,
  }));
}
