import { responsePathAsArray } from 'graphql';
import { agencyInfo, type AgencyInfo } from '../../domain/agencies.ts';
import type { UnitView } from '../../domain/alertView.ts';
import { AgencyUnavailableError } from '../nodeClient.ts';
import { requestNode } from '../ownerRequests.ts';
import { builder } from './builder.ts';
import { domain } from './domain.ts';

export const Agency = builder.objectRef<AgencyInfo>('Agency').implement({
  description: 'An agency of the exchange.',
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    country: t.exposeString('country'),
    contactEmail: t.exposeString('contactEmail'),
    contactPhone: t.exposeString('contactPhone'),
    units: t.field({
      type: [domain.objects.Unit],
      nullable: true,
      description: "The agency's units and their contact points, as its node reports them; null when the node is unavailable.",
      resolve: async (agency, _args, context, info) => {
        try {
          const { units } = await requestNode<{ units: UnitView[] }>(context, agency.code, 'agency', {});
          return units;
        } catch (error) {
          if (!(error instanceof AgencyUnavailableError)) throw error;
          context.agencyErrors.push(error.toGraphQLError(responsePathAsArray(info.path)));
          return null;
        }
      },
    }),
  }),
});

builder.queryField('agencies', (t) =>
  t.field({
    type: [Agency],
    description: 'The agencies of the exchange.',
    resolve: (_root, _args, { nodes }) => nodes.agencies.map(agencyInfo),
  }),
);
