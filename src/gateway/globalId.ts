import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { isUuid } from '../domain/ids.ts';
import { ErrorCode, hubError } from '../errors.ts';

/**
 * Global IDs name the owner, so that the gateway knows which node to ask
 * without asking every node: base64("Alert:XK:<local id>"). What the hub
 * itself holds names the hub: base64("JointOperation:HUB:<uuid>").
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

/**
 * The owner a global ID names for what the hub database holds (joint
 * operations and their parts): the hub, not an agency, so that no agency
 * node is ever asked for them and no agency id can name them.
 */
export const hubOwner = 'HUB';

const agencyCode = /^[A-Z]{2}$/;

function invalidId(argument: string, expected: readonly string[]) {
  const what = expected.map((type) => `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`).join(' or ');
  return hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: ${argument} is not the id of ${what}.`, {
    issues: [{ path: argument, message: `is not the id of ${what}` }],
  });
}

function decodeOwnedId(globalId: string, expected: readonly string[], argument: string, ownerValid: (owner: string) => boolean) {
  let typename: string;
  let id: string;
  try {
    ({ typename, id } = decodeGlobalID(globalId));
  } catch {
    typename = '';
    id = '';
  }
  const { agency: owner, localId } = splitOwnedId(id);
  if (!expected.includes(typename) || !ownerValid(owner) || !localId) throw invalidId(argument, expected);
  return { typename, owner, localId };
}

/** The owner agency and local id of a record an agency's node holds; VALIDATION_FAILED for any other id. */
export function parseGlobalId(
  globalId: string,
  expectedType: string | readonly string[],
  argument = 'id',
): { typename: string; agency: string; localId: string } {
  const expected: readonly string[] = typeof expectedType === 'string' ? [expectedType] : expectedType;
  const { typename, owner, localId } = decodeOwnedId(globalId, expected, argument, (owner) => agencyCode.test(owner));
  return { typename, agency: owner, localId };
}

/** The hub's id of a record the hub database holds (a uuid); VALIDATION_FAILED for any other id, an agency's included. */
export function parseHubId(globalId: string, expectedType: string, argument = 'id'): string {
  const { localId } = decodeOwnedId(globalId, [expectedType], argument, (owner) => owner === hubOwner);
  if (!isUuid(localId)) throw invalidId(argument, [expectedType]);
  return localId;
}
