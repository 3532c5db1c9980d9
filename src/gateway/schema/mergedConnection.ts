import { totalCountField } from '../../domain/schema/pagination.ts';
import type { HubTypes } from '../../domain/schema/hubSchemaTypes.ts';
import type { MergedConnection } from '../mergeConnections.ts';

/**
 * Names and extra fields of a connection merged across agencies: its total,
 * and the agencies whose nodes did not answer for this page.
 */
export function mergedConnection(name: string) {
  return [
    {
      name: `${name}Connection`,
      fields: (c: PothosSchemaTypes.ObjectFieldBuilder<HubTypes, object>) => ({
        totalCount: totalCountField(c),
        unavailableAgencies: c.stringList({
          description: 'Agencies whose node did not answer for this page; their records come on later pages.',
          resolve: (connection) => (connection as MergedConnection<unknown>).unavailableAgencies,
        }),
      }),
    },
    { name: `${name}Edge` },
  ] as const;
}
