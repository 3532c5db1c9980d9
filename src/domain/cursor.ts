import { ErrorCode, hubError } from '../errors.ts';

/** Opaque keyset cursor over (timestamp, id). */
export interface Cursor {
  at: Date;
  id: string;
}

export function encodeCursor({ at, id }: Cursor): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    throw hubError(ErrorCode.VALIDATION_FAILED, 'Invalid input: after is not a cursor returned by this API.', {
      issues: [{ path: 'after', message: 'is not a cursor returned by this API' }],
    });
  }
}
