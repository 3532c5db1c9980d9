import {
  SignJWT,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  type KeyObject,
} from 'jose';
import type { AuditTransaction } from './auditDatabase.ts';
import { readAuditHead } from './appendAuditEntry.ts';
import { checkParty, type AuditDatabase } from './auditEntry.ts';
import { toSeq } from './entryColumns.ts';

/** `typ` of a checkpoint JWS, so that no other token of the hub can pass for one. */
export const checkpointType = 'audit-checkpoint+jwt';

// Signatures only a key holder can make: never a shared secret, which the
// verifying party would hold too and could sign with.
const checkpointAlgorithms = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];

/** The party's key for checkpoints (a development SigningKey or the gateway's signer fit). */
export interface CheckpointSigner {
  issuer: string;
  kid: string;
  alg: string;
  key: CryptoKey | KeyObject;
}

/** What a checkpoint states: the log of `party` had `count` entries, the last with hash `headHash`. */
export interface CheckpointClaims {
  party: string;
  seq: number;
  headHash: string;
  count: number;
  /** ISO time of the checkpoint. */
  at: string;
}

/** A checkpoint with its compact JWS. */
export interface SignedCheckpoint extends CheckpointClaims {
  jws: string;
}

/** A checkpoint as the verifier compares it with the chain. */
export interface CheckpointReference {
  seq: number;
  headHash: string;
  at?: Date | string;
  /** Checked against `seq` and `headHash`, and its signature when keys are given. */
  jws?: string;
  /** Where the copy comes from, for messages: "own", "copy kept by MK", … */
  source?: string;
}

/** Keys that may sign a party's checkpoints: a key, a JWKS, or jose's key resolver. */
export type CheckpointKeys = CryptoKey | KeyObject | JSONWebKeySet | JWTVerifyGetKey;

/** A party signed two different heads for the same entry: one of them is a rewritten history. */
export class CheckpointConflictError extends Error {
  constructor(
    readonly party: string,
    readonly seq: number,
    readonly storedHeadHash: string,
    readonly receivedHeadHash: string,
  ) {
    super(`${party} signed two different heads for entry ${seq} (${storedHeadHash} kept, ${receivedHeadHash} received): its history was rewritten`);
    this.name = 'CheckpointConflictError';
  }
}

interface CheckpointRow {
  seq: bigint | string;
  head_hash: string;
  at: Date;
  jws: string;
}

/**
 * Signs the current head of the party's log and stores the checkpoint in
 * `audit.checkpoint`; send the JWS to the other parties, who keep it with
 * {@link storePeerCheckpoint}. No lock: the head read is a committed entry,
 * and appends after it are simply not covered. When a checkpoint of that
 * head exists already (nothing appended since), that one is returned.
 */
export async function createCheckpoint(
  tx: AuditTransaction,
  party: string,
  signer: CheckpointSigner,
  now: Date = new Date(),
): Promise<SignedCheckpoint> {
  checkParty(party);
  const head = await readAuditHead(tx);
  const existing = await storedCheckpoint(tx, head.seq);
  if (existing) return existing;
  const claims: CheckpointClaims = { party, seq: head.seq, headHash: head.hash, count: head.seq, at: now.toISOString() };
  const jws = await signCheckpoint(claims, signer);
  await tx.$executeRaw`
    insert into audit.checkpoint (seq, head_hash, entry_count, at, jws)
    values (${BigInt(claims.seq)}, ${claims.headHash}, ${BigInt(claims.count)}, ${now}, ${jws})
    on conflict (seq) do nothing`;
  // Another process may have checkpointed the same head meanwhile: its row is the one kept.
  return (await storedCheckpoint(tx, head.seq)) ?? { ...claims, jws };
}

async function storedCheckpoint(tx: AuditTransaction, seq: number): Promise<SignedCheckpoint | undefined> {
  const rows = await tx.$queryRaw<{ jws: string }[]>`select jws from audit.checkpoint where seq = ${BigInt(seq)}`;
  return rows[0] ? { ...readCheckpoint(rows[0].jws), jws: rows[0].jws } : undefined;
}

/** The compact JWS of a checkpoint (typ {@link checkpointType}, issuer the signer's). */
export async function signCheckpoint(claims: CheckpointClaims, signer: CheckpointSigner): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: checkpointType })
    .setIssuer(signer.issuer)
    .setIssuedAt(new Date(claims.at))
    .sign(signer.key);
}

/**
 * Verifies another party's checkpoint and keeps it in `audit.peer_checkpoint`.
 * The same checkpoint twice is fine; a different head for an entry already
 * checkpointed is refused with {@link CheckpointConflictError}: the evidence
 * that the party rewrote its history. Pass `expectedParty` when the sender is
 * known, so that one party cannot file checkpoints in another's name.
 */
export async function storePeerCheckpoint(
  tx: AuditTransaction,
  jws: string,
  verifyKey: CheckpointKeys,
  expectedParty?: string,
): Promise<CheckpointClaims> {
  const claims = await verifyCheckpoint(jws, verifyKey);
  if (expectedParty !== undefined && claims.party !== expectedParty) {
    throw new Error(`checkpoint of ${claims.party} received from ${expectedParty}`);
  }
  await tx.$executeRaw`
    insert into audit.peer_checkpoint (party, seq, head_hash, at, jws)
    values (${claims.party}, ${BigInt(claims.seq)}, ${claims.headHash}, ${new Date(claims.at)}, ${jws})
    on conflict (party, seq) do nothing`;
  const stored = await tx.$queryRaw<{ head_hash: string }[]>`
    select head_hash from audit.peer_checkpoint where party = ${claims.party} and seq = ${BigInt(claims.seq)}`;
  const kept = stored[0]?.head_hash;
  if (kept !== undefined && kept !== claims.headHash) throw new CheckpointConflictError(claims.party, claims.seq, kept, claims.headHash);
  return claims;
}

/** Verifies a checkpoint's signature and reads its claims. */
export async function verifyCheckpoint(jws: string, keys: CheckpointKeys): Promise<CheckpointClaims> {
  const options = { typ: checkpointType, algorithms: checkpointAlgorithms };
  const key = isKeySet(keys) ? createLocalJWKSet(keys) : keys;
  // Two calls for jwtVerify's two overloads (a key, a key resolver).
  const { payload } = typeof key === 'function' ? await jwtVerify(jws, key, options) : await jwtVerify(jws, key, options);
  return checkpointClaims(payload);
}

const isKeySet = (keys: CheckpointKeys): keys is JSONWebKeySet =>
  typeof keys === 'object' && keys !== null && Array.isArray((keys as JSONWebKeySet).keys);

/** The claims of a checkpoint, signature NOT verified (see {@link verifyCheckpoint}). */
export function readCheckpoint(jws: string): CheckpointClaims {
  if (decodeProtectedHeader(jws).typ !== checkpointType) throw new Error('not an audit checkpoint');
  return checkpointClaims(decodeJwt(jws));
}

function checkpointClaims(payload: JWTPayload): CheckpointClaims {
  const { party, seq, headHash, count, at } = payload;
  if (
    typeof party !== 'string' ||
    !Number.isSafeInteger(seq) ||
    (seq as number) < 0 ||
    typeof headHash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(headHash) ||
    !Number.isSafeInteger(count) ||
    typeof at !== 'string' ||
    Number.isNaN(Date.parse(at))
  ) {
    throw new Error('malformed audit checkpoint');
  }
  return { party, seq: seq as number, headHash, count: count as number, at };
}

/** The party's own checkpoints, in order. */
export async function readOwnCheckpoints(db: AuditDatabase): Promise<CheckpointReference[]> {
  const { rows } = await db.query<CheckpointRow>('select seq, head_hash, at, jws from audit.checkpoint order by seq');
  return rows.map((row) => checkpointReference(row, 'own'));
}

/** The checkpoints of `party` kept in another party's database, in order. */
export async function readPeerCheckpoints(db: AuditDatabase, party: string, source = 'peer copy'): Promise<CheckpointReference[]> {
  const { rows } = await db.query<CheckpointRow>(
    'select seq, head_hash, at, jws from audit.peer_checkpoint where party = $1 order by seq',
    [party],
  );
  return rows.map((row) => checkpointReference(row, source));
}

const checkpointReference = (row: CheckpointRow, source: string): CheckpointReference => ({
  seq: toSeq(row.seq),
  headHash: row.head_hash,
  at: row.at,
  jws: row.jws,
  source,
});

/**
 * The latest checkpoint of every party as this party keeps it: its own
 * latest, and the latest verified copy of each other party's, by party.
 */
export async function latestKeptCheckpoints(tx: AuditTransaction, ownParty: string): Promise<SignedCheckpoint[]> {
  const rows = await tx.$queryRaw<{ jws: string }[]>`
    (select jws from audit.checkpoint order by seq desc limit 1)
    union all
    (select distinct on (party) jws from audit.peer_checkpoint where party <> ${ownParty} order by party, seq desc)`;
  return rows.map((row) => ({ ...readCheckpoint(row.jws), jws: row.jws })).sort((a, b) => a.party.localeCompare(b.party));
}
