import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { normalizeIdentifier, normalizeName, normalizeSerial } from '../domain/normalize.ts';

/**
 * The kinds of search term and personal identifier that a log keeps only as
 * keyed digests, each normalised the way the search matches it, so that an
 * auditor's "who searched for this plate" finds every spelling the search
 * would have found.
 */
export const termKinds = ['SERIAL', 'PLATE', 'VIN', 'DOCUMENT_NUMBER', 'NAME', 'DATE_OF_BIRTH', 'TEXT'] as const;
export type TermKind = (typeof termKinds)[number];

const normalizers: Record<TermKind, (value: string) => string> = {
  SERIAL: normalizeSerial,
  PLATE: normalizeIdentifier,
  VIN: normalizeIdentifier,
  DOCUMENT_NUMBER: normalizeIdentifier,
  NAME: normalizeName,
  // A date as the API takes it (2026-03-01, or a time on that day in UTC): the day.
  DATE_OF_BIRTH: (value) => {
    const time = Date.parse(value.trim());
    return Number.isNaN(time) ? value.trim() : new Date(time).toISOString().slice(0, 10);
  },
  // Free text is found again only as written, up to case and spacing.
  TEXT: (value) => value.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim(),
};

/** The key a value is matched by: what the search compares. */
export function termKey(kind: TermKind, value: string): string {
  return normalizers[kind](value);
}

/**
 * A party's secret key for the digests of its log. Each party has its own,
 * so a digest from one party's log cannot be compared with another's, nor
 * reversed by trying every plate, by anyone without that party's key.
 */
export interface DigestKey {
  readonly key: KeyObject;
}

/** HMAC-SHA-256 (hex) of the kind and the normalised value. */
export function termDigest(key: DigestKey, kind: TermKind, value: string): string {
  // The kind is in the digest: a serial and a plate that normalise alike are different terms.
  return createHmac('sha256', key.key).update(`${kind}\n${termKey(kind, value)}`).digest('hex');
}

/** The digests an auditor's term matches: for its kind, or for every kind when none is given. */
export function termDigests(key: DigestKey, term: string, kind?: TermKind | null): { kind: TermKind; digest: string }[] {
  return (kind ? [kind] : termKinds).map((each) => ({ kind: each, digest: termDigest(key, each, term) }));
}

/** At least 256 bits, as for HMAC-SHA-256 (RFC 2104: a key as long as the hash). */
const minKeyBytes = 32;

/** A digest key from its bytes. */
export function digestKeyFrom(bytes: Uint8Array): DigestKey {
  if (bytes.length < minKeyBytes) throw new Error(`an audit digest key needs at least ${minKeyBytes} bytes, not ${bytes.length}`);
  return { key: createSecretKey(bytes) };
}

/**
 * Reads a digest key file: a symmetric JWK (`{"kty": "oct", "k": "<base64url>"}`),
 * the form the other keys of the hub take.
 */
export async function loadDigestKey(file: string): Promise<DigestKey> {
  let jwk: { kty?: unknown; k?: unknown };
  try {
    jwk = JSON.parse(await readFile(file, 'utf8')) as typeof jwk;
  } catch (error) {
    throw new Error(`cannot read audit digest key ${file}: ${(error as Error).message}`);
  }
  if (jwk.kty !== 'oct' || typeof jwk.k !== 'string') throw new Error(`audit digest key ${file} must be a JWK with "kty": "oct" and "k"`);
  return digestKeyFrom(Buffer.from(jwk.k, 'base64url'));
}

/** Reads the key file, creating it with a fresh random key first if there is none (development keys). */
export async function loadOrCreateDigestKey(file: string): Promise<DigestKey> {
  if (!existsSync(file)) {
    const jwk = { kty: 'oct', k: randomBytes(minKeyBytes).toString('base64url'), use: 'audit-digest' };
    await writeFile(file, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      // Another process of the same hub made it first: use theirs.
      if (error.code !== 'EEXIST') throw error;
    });
  }
  return loadDigestKey(file);
}
