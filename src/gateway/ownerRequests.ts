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

/** Runs a node operation on one agency's node and returns its root field (named like the operation). */
export async function requestNode<T>(
  context: GatewayContext,
  agency: string,
  operation: Operation,
  variables: Record<string, unknown>,
  alertSelection?: string,
): Promise<T> {
  const data = await context.nodes.request<Record<string, T>>(agency, documentOf(operation, alertSelection), variables, context);
  return data[operation] as T;
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
