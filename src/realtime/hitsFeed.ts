import { noteAlertViews } from '../audit/auditCollector.ts';
import type { HitView } from '../domain/watchView.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { alertOperation } from '../gateway/nodeOperations.ts';
import type { FeedSpec } from './feedStream.ts';
import { audience } from './hubFeedStore.ts';

/** A hit as the gateway pushes it: from which agency. */
export interface HitPayload extends HitView {
  agency: string;
}

/**
 * The `hits` subscription: the hits on the subscriber's unit's watch
 * entries that belong to the purpose and case the subscriber works under,
 * from every agency's feed. Each is delivered by its owner's node (deliverHit,
 * with the subscriber's own token and purpose, asking only for the alert
 * fields the client selected), which decides with the consent in force then
 * what it carries.
 */
export function hitsFeed(context: GatewayContext, alertSelection: string): FeedSpec<HitPayload> {
  const deliverHit = alertOperation('deliverHit', alertSelection);
  return {
    field: 'hits',
    kinds: ['HIT'],
    audiences: [audience.unit(context.officer.agency, context.officer.unit)],
    sources: context.nodes.agencies,
    async deliver(push, row) {
      const { deliverHit: hit } = await push.nodes.request<{ deliverHit: HitView | null }>(row.source, deliverHit, { seq: Number(row.seq) }, push);
      return hit && { ...hit, agency: row.source };
    },
    note: (audit, hit) => noteAlertViews(audit, [hit.alert]),
  };
}
