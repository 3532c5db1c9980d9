import type { AuditEntryInput } from '../src/audit/auditEntry.ts';

/** An entry of the audit append tests (and of auditAppend.test.ts's second process), told apart by `tag`. */
export const appendInput = (tag: string, kind: AuditEntryInput['kind'] = 'DISCLOSURE'): AuditEntryInput => ({
  kind,
  actor: { sub: `officer-${tag}`, agency: 'MK', unit: 'MK-BP-BLACE', roles: ['officer'] },
  purpose: 'CRIMINAL_INVESTIGATION',
  caseReference: 'XK-MK-2026-0042',
  operation: 'query Alerts',
  documentHash: null,
  variables: { tag },
  records: [],
  outcome: 'OK',
  errorCode: null,
  clientAddress: null,
  traceId: null,
  details: null,
});
