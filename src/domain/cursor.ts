import type { GraphQLError } from 'graphql';
import { ErrorCode, hubError } from '../errors.ts';
import { isUuid } from './ids.ts';

/** Opaque keyset cursor over (timestamp, id). */
export interface Cursor {
  at: Date;
  id: string;
}

export function encodeCursor({ at, id }: Cursor): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

/** The refusal of a cursor the API did not issue, whatever is wrong with it. */
export function invalidCursor(): GraphQLError {
  return hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: after is not a cursor returned by this API.', {
    issues: [{ path: 'after', message: 'is not a cursor returned by this API' }],
  });
}

/**
 * The cursor as encodeCursor wrote it, or VALIDATION_FAILED: its instant as
 * toISOString writes one (a year PostgreSQL holds) and a record id, a UUID,
 * so that nothing a client made up reaches the database.
 */
export function decodeCursor(cursor: string): Cursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalidCursor();
  const [at, id] = decoded as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !isUuid(id) || !/^\d{4}-/.test(at)) throw invalidCursor();
  const date = new Date(at);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== at) throw invalidCursor();
  return { at: date, id };
}
