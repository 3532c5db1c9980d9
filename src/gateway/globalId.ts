import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { ErrorCode, hubError } from '../errors.ts';

/**
 * Global IDs name the owner agency, so that the gateway knows which node to
 * ask without asking every node: base64("Alert:XK:<local id>").
 */
export const ownedId = (agency: string, localId: string) => `${agency}:${localId}`;

/** The inverse of ownedId: "XK:<local id>" → agency and local id. */
export function splitOwnedId(id: string): { agency: string; localId: string } {
  const separator = id.indexOf(':');
  return separator < 0 ? { agency: '', localId: '' } : { agency: id.slice(0, separator), localId: id.slice(separator + 1) };
}

export function toGlobalId(typename: string, agency: string, localId: string): string {
  return encodeGlobalID(typename, ownedId(agency, localId));
}

export function parseGlobalId(
  globalId: string,
  expectedType: string | readonly string[],
  argument = 'id',
): { typename: string; agency: string; localId: string } {
  let typename: string;
  let id: string;
  try {
    ({ typename, id } = decodeGlobalID(globalId));
  } catch {
    typename = '';
    id = '';
  }
  const expected: readonly string[] = typeof expectedType === 'string' ? [expectedType] : expectedType;
  const { agency, localId } = splitOwnedId(id);
  if (!expected.includes(typename) || !/^[A-Z]{2}$/.test(agency) || !localId) {
    const what = expected.map((type) => `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`).join(' or ');
    throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${argument} is not the id of ${what}.`, {
      issues: [{ path: argument, message: `is not the id of ${what}` }],
    });
  }
  return { typename, agency, localId };
}
