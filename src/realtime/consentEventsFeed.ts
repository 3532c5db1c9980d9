import { consentRequestRecordRefs } from '../audit/recordRefs.ts';
import { mayDecideConsent } from '../consent/agreement.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { nodeOperations } from '../gateway/nodeOperations.ts';
import type { ConsentEventView } from './consentEventDelivery.ts';
import { consentEventKinds } from './eventOutbox.ts';
import type { FeedSpec } from './feedStream.ts';
import { audience } from './hubFeedStore.ts';

/** A consent event as the gateway pushes it: from which agency (the owner of the record asked about). */
export interface ConsentEventPayload extends ConsentEventView {
  agency: string;
}

/**
 * The `consentEvents` subscription: for an officer whose roles decide
 * consent, the requests to its agency's records (incoming, with their
 * deadline, and when one passes it unanswered); for every officer, what
 * happens to its unit's own requests at every other agency (the decision, a
 * revocation, a grant about to expire, the deadline passed). Each is
 * delivered by the owner's node (deliverConsentEvent, with the subscriber's
 * own token and purpose), which gives the request as consentRequests would
 * list it to the subscriber then.
 */
export function consentEventsFeed(context: GatewayContext): FeedSpec<ConsentEventPayload> {
  const { agency, unit, roles } = context.officer;
  return {
    field: 'consentEvents',
    kinds: consentEventKinds,
    // The agency's audience carries the incoming requests: only those who decide consent listen to it.
    audiences: [audience.unit(agency, unit), ...(mayDecideConsent(roles, context.agreement) ? [audience.agency(agency)] : [])],
    sources: context.nodes.agencies,
    async deliver(push, row) {
      const { deliverConsentEvent: event } = await push.nodes.request<{ deliverConsentEvent: ConsentEventView | null }>(
        row.source,
        nodeOperations.deliverConsentEvent,
        { seq: Number(row.seq) },
        push,
      );
      return event && { ...event, agency: row.source };
    },
    note: (audit, event) =>
      audit.note(...consentRequestRecordRefs(event.agency, event.request, context.officer)),
  };
}
