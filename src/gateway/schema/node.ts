import { maxPageSize } from '../../domain/schema/pagination.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import type { GatewayContext } from '../context.ts';
import { alertSelection } from '../alertSelection.ts';
import { parseGlobalId } from '../globalId.ts';
import { fetchOwned } from '../ownerRequests.ts';
import { builder } from './builder.ts';

/** The records `node` and `nodes` look up, and the node operation that answers each. */
const ownerOperation = { Alert: 'alert', TraceRequest: 'traceRequest' } as const;
const lookupTypes = Object.keys(ownerOperation) as (keyof typeof ownerOperation)[];

/**
 * A parsed id, asked of its owner's node only; null for agencies outside the
 * exchange, as alert(id) does. An alert is asked for what the client selected
 * of it (on Node, on Alert, in fragments); a trace request in full.
 */
function lookUp(context: GatewayContext, id: ReturnType<typeof parseGlobalId>, selection: string) {
  const operation = ownerOperation[id.typename as keyof typeof ownerOperation];
  return fetchOwned<object>(context, id.agency, id.localId, operation, operation === 'alert' ? selection : undefined);
}

const Node = builder.nodeInterfaceRef();

builder.queryFields((t) => ({
  node: t.field({
    type: Node,
    nullable: true,
    description: "An alert or a trace request by its global id, asked of its owner's node only; null when it does not exist for you.",
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context, info) => lookUp(context, parseGlobalId(String(args.id), lookupTypes), alertSelection(info)),
  }),
  nodes: t.field({
    type: [Node],
    nullable: { list: false, items: true },
    description:
      `Alerts and trace requests by their global ids (at most ${maxPageSize}), in the order asked, each from its owner's node; ` +
      'null for one that does not exist for you, and an error on its position if its agency does not answer.',
    authScopes: { operational: operationalRoles },
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, args, context, info) => {
      if (args.ids.length > maxPageSize) {
        throw hubError(ErrorCode.VALIDATION_FAILED, `Invalid input: ids may name at most ${maxPageSize} records.`, {
          issues: [{ path: 'ids', message: `has more than ${maxPageSize} ids` }],
        });
      }
      // Every id is checked before any node is asked.
      const ids = args.ids.map((id, index) => parseGlobalId(String(id), lookupTypes, `ids.${index}`));
      const selection = alertSelection(info);
      const pending = new Map<string, Promise<object | null>>();
      return ids.map((id) => {
        const key = `${id.typename}:${id.agency}:${id.localId}`;
        if (!pending.has(key)) pending.set(key, lookUp(context, id, selection));
        return pending.get(key)!;
      });
    },
  }),
}));
