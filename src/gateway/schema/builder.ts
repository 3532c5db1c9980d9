import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { HubSchemaTypes } from '../../domain/schema/hubSchemaTypes.ts';
import { roleAuthScopes } from '../../domain/schema/roleAuthScopes.ts';
import type { GatewayContext } from '../context.ts';

export const builder = new SchemaBuilder<HubSchemaTypes & { Context: GatewayContext }>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: roleAuthScopes,
  relay: {
    // node and nodes are the gateway's own (node.ts): ids name the owner agency, which alone is asked.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    clientMutationId: 'omit',
    cursorType: 'String',
  },
});
