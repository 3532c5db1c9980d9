import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { HubSchemaTypes } from '../../domain/schema/hubSchemaTypes.ts';
import { roleAuthScopes } from '../../domain/schema/roleAuthScopes.ts';
import type { NodeContext } from '../context.ts';

export const builder = new SchemaBuilder<HubSchemaTypes & { Context: NodeContext }>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: roleAuthScopes,
  relay: {
    // Node ids are local to the agency; global ids are the gateway's business.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    clientMutationId: 'omit',
    cursorType: 'String',
  },
});
