import type { AlertView } from '../domain/alertView.ts';
import type { OperationAlertLink } from '../generated/hub/client.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { ownedId } from '../gateway/globalId.ts';
import { fetchOwned } from '../gateway/ownerRequests.ts';

/**
 * The linked alerts as the reader gets them from their owners now, with the
 * selection asked (the client's, or what the outcome counts), read once per
 * request, operation and selection.
 */
const linkedAlertsOf = new WeakMap<GatewayContext, Map<string, Promise<Map<string, AlertView | null>>>>();
export function linkedAlertViews(context: GatewayContext, operationId: string, links: readonly OperationAlertLink[], selection: string) {
  const perOperation = linkedAlertsOf.get(context) ?? new Map<string, Promise<Map<string, AlertView | null>>>();
  linkedAlertsOf.set(context, perOperation);
  const key = `${operationId} ${selection}`;
  let pending = perOperation.get(key);
  if (!pending) {
    pending = Promise.all(
      links.map(
        async (link) =>
          [ownedId(link.alertAgency, link.alertId), await fetchOwned<AlertView>(context, link.alertAgency, link.alertId, 'alert', selection)] as const,
      ),
    ).then((entries) => new Map(entries));
    perOperation.set(key, pending);
  }
  return pending;
}
