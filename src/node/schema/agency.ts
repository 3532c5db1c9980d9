import { builder } from './builder.ts';
import { domain } from './domain.ts';

interface AgencyShape {
  code: string;
  name: string;
  country: string;
  contactEmail: string | null;
  contactPhone: string | null;
}

const Agency = builder.objectRef<AgencyShape>('Agency').implement({
  description: 'The agency that runs this node, with its units and contact points.',
  fields: (t) => ({
    code: t.exposeString('code'),
    name: t.exposeString('name'),
    country: t.exposeString('country'),
    contactEmail: t.exposeString('contactEmail', { nullable: true }),
    contactPhone: t.exposeString('contactPhone', { nullable: true }),
    units: t.field({
      type: [domain.objects.Unit],
      resolve: async (agency, _args, { prisma }) => {
        const units = await prisma.unit.findMany({ where: { agencyCode: agency.code }, orderBy: { code: 'asc' } });
        return units.map((unit) => ({
          code: unit.code,
          name: unit.name,
          kind: unit.kind,
          borderCrossing: unit.borderCrossing,
          email: unit.contactEmail,
          phone: unit.contactPhone,
        }));
      },
    }),
  }),
});

builder.queryField('agency', (t) =>
  t.field({
    type: Agency,
    resolve: async (_root, _args, { prisma, agency }) => prisma.agency.findUniqueOrThrow({ where: { code: agency } }),
  }),
);
