import type { HubBuilder } from './hubSchemaTypes.ts';

/**
 * The vocabulary of the `alertShared` and `consentEvents` subscriptions that
 * node and gateway share: why an alert became visible, and what happened to
 * a consent request. The event objects themselves differ (local ids at a
 * node, global ids at the gateway) and are added by each schema.
 */
export function addSharingEventTypes(builder: HubBuilder) {
  const SharingCause = builder.enumType('SharingCause', {
    description: "Which change of the owner's consent lets you see a record, or see it higher.",
    values: {
      SHARING_POLICY: { description: 'The owner set a rule for your agency, or lifted a handling code (H2) that kept the record to itself.' },
      CONSENT_GRANT: { description: 'The owner granted a consent request of your agency.' },
      JOINT_OPERATION_RELEASE: { description: 'The owner released the record to a joint operation your agency takes part in.' },
    } as const,
  });
  const ConsentEventKind = builder.enumType('ConsentEventKind', {
    description: 'What happened to a consent request, and for whom.',
    values: {
      CONSENT_REQUESTED: { description: "A partner asks for more of one of your agency's records: for its officers who decide consent, with the deadline (dueAt)." },
      CONSENT_DECIDED: { description: "The owner granted (see grant) or refused (see decisionReason) your unit's request." },
      CONSENT_GRANT_REVOKED: { description: "The owner revoked the grant it gave on your unit's request." },
      CONSENT_GRANT_EXPIRING: { description: "The grant given on your unit's request ends soon (grant.expiresAt), within the agreement's notice." },
      CONSENT_OVERDUE: { description: 'The request passed its deadline unanswered: for both the owner and the unit that asked.' },
    } as const,
  });
  return { enums: { SharingCause, ConsentEventKind } };
}
