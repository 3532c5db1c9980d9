import type { AlertView, TraceRequestView } from '../domain/alertView.ts';
import type { Officer } from '../identity/officer.ts';
import type { AuditRecordRef } from './auditEntry.ts';

// How entries name the records they concern: every record with its type, and
// the tier it was released at to the actor and on what basis (the basis names
// of decideAccess, and DOMESTIC for a record of the actor's own agency).

/**
 * How an entry names a record of the actor's own agency (a change of it, or a
 * release to its own officers): in full, on the domestic basis.
 */
export const domesticRecordRef = (agency: string, id: string, type: AuditRecordRef['type'], reference?: string): AuditRecordRef => ({
  agency,
  id,
  type,
  ...(reference === undefined ? {} : { reference }),
  tier: 'FULL',
  basis: 'DOMESTIC',
});

/** How an entry names a record the owner withholds from the caller: it exists for the owner's log only. */
export const withheldRecordRef = (agency: string, id: string, reference?: string): AuditRecordRef => ({
  agency,
  id,
  type: 'ALERT',
  ...(reference === undefined ? {} : { reference }),
  tier: 'NONE',
  basis: 'NONE',
});

/** How an audit entry names a released alert: owner agency, the tier and basis of the release. */
export function alertRecordRef(view: AlertView): AuditRecordRef {
  return {
    agency: view.owner,
    id: view.id,
    type: 'ALERT',
    reference: view.reference,
    tier: view.access.tier,
    basis: view.access.basis,
    ...(view.access.grantId ? { grantId: view.access.grantId } : {}),
  };
}

/**
 * How an entry names a trace request released to the caller: at its tier, on
 * the domestic basis for the requesting agency, on the agreement's
 * (`traceRequests`) for the agency it is addressed to.
 */
export function traceRequestRecordRef(view: Pick<TraceRequestView, 'requestingAgency' | 'id' | 'reference' | 'tier'>, caller: Pick<Officer, 'agency'>): AuditRecordRef {
  return {
    agency: view.requestingAgency,
    id: view.id,
    type: 'TRACE_REQUEST',
    reference: view.reference,
    tier: view.tier,
    basis: caller.agency === view.requestingAgency ? 'DOMESTIC' : 'AGREEMENT',
  };
}


/**
 * How an entry names the alert a consent request or grant is about: to the
 * owner's officers, their own record in full; to the requesting agency, the
 * facts of the request it made (the alert's id and reference, what a HIT
 * gives), on the basis of its own request.
 */
export function consentAlertRecordRef(owner: string, alertId: string, reference: string | undefined, caller: Pick<Officer, 'agency'>): AuditRecordRef {
  if (caller.agency === owner) return domesticRecordRef(owner, alertId, 'ALERT', reference);
  return { agency: owner, id: alertId, type: 'ALERT', ...(reference === undefined ? {} : { reference }), tier: 'HIT', basis: 'OWN_REQUEST' };
}

/**
 * How an entry names what a consent request released: its alert (with the
 * grant it opened), or nothing once the alert does not exist for the reader
 * (the request is kept, the record is not named).
 */
export function consentRequestRecordRefs(
  owner: string,
  request: { alertId: string | null; alertReference: string | null; grant: { id: string } | null },
  caller: Pick<Officer, 'agency'>,
): AuditRecordRef[] {
  if (!request.alertId) return [];
  const ref = consentAlertRecordRef(owner, request.alertId, request.alertReference ?? undefined, caller);
  return [request.grant ? { ...ref, grantId: request.grant.id } : ref];
}
