import type { Role } from '../../identity/roles.ts';

/**
 * Pothos settings common to the node and the gateway schemas, so that the
 * domain types (addDomainTypes) are written once and serve both.
 */
export interface HubSchemaTypes {
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    Date: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string };
  };
  AuthScopes: {
    /** Operational data: any of these roles, under an operational purpose. */
    operational: readonly Role[];
    /** The audit logs: any of these roles, under the purpose AUDIT. */
    audit: readonly Role[];
  };
  DefaultFieldNullability: false;
}

/** A Pothos builder of either schema. */
// Context is `any` because each schema has its own; the domain types never read it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HubTypes = PothosSchemaTypes.ExtendDefaultTypes<HubSchemaTypes & { Context: any }>;
export type HubBuilder = PothosSchemaTypes.SchemaBuilder<HubTypes>;

