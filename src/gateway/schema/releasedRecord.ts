import type { AuditRecordRef } from '../../audit/auditEntry.ts';
import type { GatewayContext } from '../context.ts';

/** A record as an agency node sends it: every node operation selects `__typename` on the records it returns. */
export interface NodeRecord {
  __typename: string;
}

/**
 * The `isTypeOf` of a public type whose objects are records released by an
 * agency node (Alert, TraceRequest, ConsentRequest, ConsentGrant).
 *
 * graphql-js calls a type's `isTypeOf` on every object of that type it puts
 * into a response, whichever field returned it (a root field, an edge of a
 * merged list, a search hit, `node`, `nodes`) and whatever the client selected
 * of it, and only then. Noting the record here is what makes every release
 * reach the operation's consultation entry without any resolver having to
 * remember it, and names exactly what the client received: a merged page
 * fetches more from the nodes than it returns. It also answers `Node`'s type
 * resolution from the typename the owner's node gave the record. `refOf`
 * answers null for an object that names no record (a consent request whose
 * record the owner has since withdrawn from the caller).
 */
export function releasedRecord<View>(typename: string, refOf: (view: View, context: GatewayContext) => AuditRecordRef | null) {
  return (value: unknown, context: GatewayContext): boolean => {
    if (typeof value !== 'object' || value === null || (value as Partial<NodeRecord>).__typename !== typename) return false;
    const ref = refOf(value as View, context);
    if (ref) context.audit.note(ref);
    return true;
  };
}
