import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { HubSchemaTypes } from '../../domain/schema/hubSchemaTypes.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { hasAnyRole } from '../../identity/officer.ts';
import type { GatewayContext } from '../context.ts';

export const builder = new SchemaBuilder<HubSchemaTypes & { Context: GatewayContext }>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({ role: (wanted) => hasAnyRole(context.officer, wanted) }),
    unauthorizedError: () => hubError(ErrorCode.FORBIDDEN, 'Your roles do not allow this operation.'),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
  },
});
