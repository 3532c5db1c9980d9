import type { MergedConnection } from '../mergeConnections.ts';
import type { builder } from './builder.ts';

type GatewayTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

/**
 * Names and extra fields of a connection merged across agencies: its total,
 * and the agencies whose nodes did not answer for this page.
 */
export function mergedConnection(name: string) {
  return [
    {
      name: `${name}Connection`,
      fields: (c: PothosSchemaTypes.ObjectFieldBuilder<GatewayTypes, object>) => ({
        totalCount: c.int({ resolve: (connection) => (connection as MergedConnection<unknown>).totalCount }),
        unavailableAgencies: c.stringList({
          description: 'Agencies whose node did not answer for this page; their records come on later pages.',
          resolve: (connection) => (connection as MergedConnection<unknown>).unavailableAgencies,
        }),
      }),
    },
    { name: `${name}Edge` },
  ] as const;
}
