import { randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hubOwner, parseGlobalId, parseHubId, toGlobalId } from '../src/gateway/globalId.ts';

const codeOf = (run: () => unknown) => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
};

describe('global ids', () => {
  it('name an agency for what its node holds and the hub for what the hub database holds', () => {
    const id = randomUUID();
    expect(parseGlobalId(toGlobalId('Alert', 'XK', id), 'Alert')).toEqual({ typename: 'Alert', agency: 'XK', localId: id });
    expect(parseHubId(toGlobalId('JointOperation', hubOwner, id), 'JointOperation')).toBe(id);
  });

  it('never let an agency id stand for a hub record, nor the hub for an agency', () => {
    const id = randomUUID();
    // An operation id under an agency's name, and an alert id under the hub's.
    expect(codeOf(() => parseHubId(toGlobalId('JointOperation', 'XK', id), 'JointOperation'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => parseGlobalId(toGlobalId('Alert', hubOwner, id), 'Alert'))).toBe('VALIDATION_FAILED');
    // Another type's id, a hub id that is not a uuid, and no id at all.
    expect(codeOf(() => parseHubId(toGlobalId('Alert', 'XK', id), 'JointOperation'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => parseHubId(toGlobalId('JointOperation', hubOwner, 'x; drop'), 'JointOperation'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => parseHubId('not base64 at all', 'JointOperation', 'operationId'))).toBe('VALIDATION_FAILED');
  });

  it('accept a hub id only when it is exactly JointOperation:HUB:<uuid>', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (typename, owner, localId) => {
        const outcome = codeOf(() => parseHubId(encodeGlobalID(typename, `${owner}:${localId}`), 'JointOperation'));
        const valid = typename === 'JointOperation' && owner === hubOwner && /^[0-9a-f-]{36}$/i.test(localId);
        expect(outcome).toBe(valid ? 'accepted' : 'VALIDATION_FAILED');
      }),
      { seed: 9, numRuns: 500 },
    );
  });
});
