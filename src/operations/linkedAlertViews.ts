import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { AlertView } from '../domain/alertView.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { neededAlertSelection } from '../gateway/alertSelection.ts';
import { ownedId } from '../gateway/globalId.ts';
import { AgencyUnavailableError } from '../gateway/nodeClient.ts';
import { fetchOwned } from '../gateway/ownerRequests.ts';

/** The operation's linked alerts as one reader gets them from their owners now. */
export interface LinkedAlertViews {
  /**
   * The alerts the reader may see (at HIT or above), by owned id ("XK:<id>").
   * An alert its owner releases nothing of to the reader (NONE) is not here:
   * for the reader it does not exist, as it does not in any other list.
   */
  visible: ReadonlyMap<string, AlertView>;
  /** Agencies whose node did not answer: their alerts are left out, neither visible nor hidden. */
  unavailableAgencies: readonly string[];
  /** Why, per agency. */
  unavailable: ReadonlyMap<string, AgencyUnavailableError>;
}

interface Reads {
  /** One read per selection. */
  bySelection: Map<string, Promise<LinkedAlertViews>>;
  /** Agencies already reported in the response's errors. */
  reported: Set<string>;
}

/** Where a resolver is: its context, and the root value of the execution it is part of. */
type Execution = { context: GatewayContext; info: Pick<GraphQLResolveInfo, 'path' | 'rootValue'> };

/**
 * Reads of one execution, per operation: the operation's links are asked of
 * their owners once per selection (the client's, or what the outcome counts),
 * whichever fields need them. An execution is a request, or one push of a
 * subscription, whose root value is the event pushed (graphql-js executes
 * each event with it): a push never reuses what an earlier push was told,
 * since the owners' consent may have changed in between.
 */
const readsOf = new WeakMap<GatewayContext, WeakMap<object, Map<string, Reads>>>();

function readsFor({ context, info }: Execution, operationId: string): Reads {
  const perExecution = readsOf.get(context) ?? new WeakMap<object, Map<string, Reads>>();
  readsOf.set(context, perExecution);
  const execution: object = typeof info.rootValue === 'object' && info.rootValue !== null ? info.rootValue : context;
  const perOperation = perExecution.get(execution) ?? new Map<string, Reads>();
  perExecution.set(execution, perOperation);
  let reads = perOperation.get(operationId);
  if (!reads) perOperation.set(operationId, (reads = { bySelection: new Map(), reported: new Set() }));
  return reads;
}

async function read(context: GatewayContext, operationId: string, selection: string): Promise<LinkedAlertViews> {
  const links = await context.prisma.operationAlertLink.findMany({ where: { operationId }, select: { alertAgency: true, alertId: true } });
  // Each owner is asked for its own alerts only, and one owner that does not answer leaves the others' alerts standing.
  const settled = await Promise.allSettled(links.map((link) => fetchOwned<AlertView>(context, link.alertAgency, link.alertId, 'alert', selection)));
  const visible = new Map<string, AlertView>();
  const unavailable = new Map<string, AgencyUnavailableError>();
  settled.forEach((result, index) => {
    const link = links[index]!;
    if (result.status === 'rejected') {
      if (!(result.reason instanceof AgencyUnavailableError)) throw result.reason;
      unavailable.set(link.alertAgency, result.reason);
    } else if (result.value) {
      visible.set(ownedId(link.alertAgency, link.alertId), result.value);
    }
  });
  return { visible, unavailableAgencies: [...unavailable.keys()].sort(), unavailable };
}

/**
 * The operation's linked alerts as the reader gets them now, with `selection`
 * of each; agencies whose node did not answer are reported once per request
 * in the response's errors, at the path of the field that first asked.
 */
export async function readLinkedAlerts({ context, info }: Execution, operationId: string, selection: string): Promise<LinkedAlertViews> {
  const reads = readsFor({ context, info }, operationId);
  let pending = reads.bySelection.get(selection);
  if (!pending) reads.bySelection.set(selection, (pending = read(context, operationId, selection)));
  const views = await pending;
  for (const [agency, error] of views.unavailable) {
    if (reads.reported.has(agency)) continue;
    reads.reported.add(agency);
    context.agencyErrors.push(error.toGraphQLError(responsePathAsArray(info.path)));
  }
  return views;
}

/**
 * Which linked alerts the reader may see: any read of this request answers
 * that (every selection carries the alert's identity), so one already made
 * or under way serves; otherwise the least is asked.
 */
export function visibleLinkedAlerts(execution: Execution, operationId: string): Promise<LinkedAlertViews> {
  const made = readsFor(execution, operationId).bySelection.keys().next();
  return readLinkedAlerts(execution, operationId, made.done ? neededAlertSelection() : made.value);
}

/**
 * The agencies whose node did not answer any read of the operation's linked
 * alerts in this request: those under way are waited for, and one is made if
 * none was.
 */
export async function unavailableAgenciesOf(execution: Execution, operationId: string): Promise<string[]> {
  await visibleLinkedAlerts(execution, operationId);
  const reads = await Promise.allSettled(readsFor(execution, operationId).bySelection.values());
  const agencies = new Set(reads.flatMap((result) => (result.status === 'fulfilled' ? result.value.unavailableAgencies : [])));
  return [...agencies].sort();
}
