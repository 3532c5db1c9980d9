import { noteAlertViews } from '../audit/auditCollector.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { alertOperation } from '../gateway/nodeOperations.ts';
import type { AlertSharedView } from './alertSharedEvents.ts';
import type { FeedSpec } from './feedStream.ts';
import { audience } from './hubFeedStore.ts';

/** A shared alert as the gateway pushes it: from which agency. */
export interface AlertSharedPayload extends AlertSharedView {
  agency: string;
}

/**
 * The `alertShared` subscription: the records of every other agency that its
 * owner's consent lets the subscriber's agency see, or see higher, since a
 * change (a rule, an H2 lifted, a grant, a joint-operation release). Each is
 * delivered by its owner's node (deliverAlertShared, with the subscriber's
 * own token and purpose, asking only for the alert fields the client
 * selected), which decides then whether this subscriber sees it higher than
 * before, and releases it at the tier it has now.
 */
export function alertSharedFeed(context: GatewayContext, alertSelection: string): FeedSpec<AlertSharedPayload> {
  const deliverAlertShared = alertOperation('deliverAlertShared', alertSelection);
  const own = context.officer.agency;
  return {
    field: 'alertShared',
    kinds: ['ALERT_SHARED'],
    audiences: [audience.agency(own)],
    sources: context.nodes.agencies.filter((agency) => agency !== own),
    async deliver(push, row) {
      const { deliverAlertShared: shared } = await push.nodes.request<{ deliverAlertShared: AlertSharedView | null }>(row.source, deliverAlertShared, { seq: Number(row.seq) }, push);
      return shared && { ...shared, agency: row.source };
    },
    note: (audit, shared) => noteAlertViews(audit, [shared.alert]),
  };
}
