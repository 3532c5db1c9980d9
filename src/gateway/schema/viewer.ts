import type { Officer } from '../../identity/officer.ts';
import { builder } from './builder.ts';

const Viewer = builder.objectRef<Officer>('Viewer').implement({
  description: 'The signed-in officer, as the gateway verified them.',
  fields: (t) => ({
    sub: t.exposeString('sub'),
    agency: t.exposeString('agency'),
    unit: t.exposeString('unit'),
    roles: t.exposeStringList('roles'),
    name: t.exposeString('name', { nullable: true }),
  }),
});

builder.queryField('viewer', (t) => t.field({ type: Viewer, resolve: (_root, _args, { officer }) => officer }));
