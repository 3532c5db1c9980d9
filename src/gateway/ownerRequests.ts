import { getOperationAST, parse } from 'graphql';
import { auditUnavailable } from '../audit/auditErrors.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { GatewayContext } from './context.ts';
import { parseGlobalId } from './globalId.ts';
import { alertOperation, isAlertOperation, nodeOperations } from './nodeOperations.ts';

type Operation = keyof typeof nodeOperations;

/**
 * The document of a node operation. One returning alerts asks of them
 * `alertSelection` (alertSelection.ts), which it must be given: no alert is
 * asked for in full by default.
 */
function documentOf(operation: Operation, alertSelection: string | undefined): string {
  if (!isAlertOperation(operation)) {
    if (alertSelection !== undefined) throw new Error(`the node operation ${operation} returns no alerts to select from`);
    return nodeOperations[operation];
  }
  if (alertSelection === undefined) throw new Error(`the node operation ${operation} needs the selection of its alerts`);
  return alertOperation(operation, alertSelection);
}

/** The node operations that change something (mutations). */
const changes = new Set(
  Object.entries(nodeOperations)
    .filter(([, document]) => getOperationAST(parse(document))?.operation === 'mutation')
    .map(([name]) => name),
);

/**
 * Runs a node operation on one agency's node and returns its root field
 * (named like the operation).
 *
 * A change is sent only once the gateway's log holds the operation's entry of
 * it (outcome PENDING, once per operation): if the log cannot take it, no node
 * is asked and nothing changes (AUDIT_UNAVAILABLE). It carries an idempotency
 * key of the operation, which the node honours, so that sending it again
 * (a connection that failed under it) never applies it twice. The operation's
 * own entry, written when it ends, gives the outcome; if that one cannot be
 * written after a node made the change, the client is told so (AUDIT_INCOMPLETE,
 * src/audit/useAuditLog.ts) rather than that nothing changed.
 */
export async function requestNode<T>(
  context: GatewayContext,
  agency: string,
  operation: Operation,
  variables: Record<string, unknown>,
  alertSelection?: string,
): Promise<T> {
  const document = documentOf(operation, alertSelection);
  if (!changes.has(operation)) return (await context.nodes.request<Record<string, T>>(agency, document, variables, context))[operation] as T;
  await recordForwarding(context, operation);
  const data = await context.nodes.request<Record<string, T>>(agency, document, variables, { ...context, idempotencyKey: context.audit.nextChangeKey() });
  if (!context.audit.changedAt.includes(agency)) context.audit.changedAt.push(agency);
  return data[operation] as T;
}

/** The gateway's entry of a change before any node is asked to make it (once per operation). */
async function recordForwarding(context: GatewayContext, operation: Operation): Promise<void> {
  const { audit } = context;
  audit.forwarding ??= context.auditWriter.append(audit.entry('CONSULTATION', 'PENDING', null, { forwarding: operation }));
  try {
    await audit.forwarding;
  } catch (error) {
    throw auditUnavailable(error);
  }
}

/** Asks the owner's node, and only it, for one record; null for agencies outside the exchange. */
export async function fetchOwned<T>(
  context: GatewayContext,
  agency: string,
  localId: string,
  operation: 'alert' | 'traceRequest',
  alertSelection?: string,
): Promise<T | null> {
  if (!context.nodes.has(agency)) return null;
  return requestNode<T | null>(context, agency, operation, { id: localId }, alertSelection);
}

/** Sends a change to the node that owns the record named by a global id. */
export async function mutateOwned<T>(
  context: GatewayContext,
  globalId: string,
  typename: 'Alert' | 'TraceRequest' | 'ConsentRequest' | 'ConsentGrant',
  operation: Operation,
  variables: Record<string, unknown>,
  alertSelection?: string,
): Promise<T> {
  const { agency, localId } = parseGlobalId(globalId, typename);
  if (!context.nodes.has(agency)) throw hubError(ErrorCode.NOT_FOUND, `No ${typename} with this id.`);
  return requestNode<T>(context, agency, operation, { id: localId, ...variables }, alertSelection);
}
