import type { AlertView } from '../../domain/alertView.ts';
import { createAlertInput, parseInput, updateAlertInput } from '../../domain/alertInput.ts';
import { baselineTier } from '../../consent/tier.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import type { NodeContext } from '../context.ts';
import { createAlert, findAlert, listAlerts, toAlertView, updateAlert, type AlertRow } from '../records/alertRecords.ts';
import { builder } from './builder.ts';
import { domain } from './domain.ts';
import { connectionOf, forwardPage } from '../../domain/schema/pagination.ts';

export const Alert = builder.objectRef<AlertView>('Alert').implement({
  description:
    'An alert owned by this agency. The reference, kind, status and contact point are what a partner learns on a hit; ' +
    '`summary` and `personalData` are released whole or not at all, according to the tier the owner allows the caller.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Local id within the owner agency.' }),
    owner: t.exposeString('owner', { description: 'Agency code of the owner.' }),
    ...domain.fields.alert(t),
  }),
});

const release = (row: AlertRow, { agency, officer }: NodeContext) => toAlertView(row, agency, baselineTier(officer, agency));

/** Records of a node are written only by the officers of its own agency. */
export function assertOwnAgency({ agency, officer }: NodeContext, what: string) {
  if (officer.agency !== agency) {
    throw hubError(ErrorCode.FORBIDDEN, `Only officers of ${agency} may ${what} in ${agency}'s records.`);
  }
}

builder.queryFields((t) => ({
  alerts: t.connection(
    {
      type: Alert,
      description: 'Alerts of this agency, newest first.',
      authScopes: { role: operationalRoles },
      args: { filter: t.arg({ type: domain.inputs.AlertFilter }) },
      resolve: async (_root, args, context) => {
        const page = forwardPage(args);
        const result = await listAlerts(context.prisma, args.filter, page);
        return connectionOf(
          result.rows.map((row) => release(row, context)),
          result.cursors,
          result.hasNextPage,
          result.totalCount,
          page.after,
        );
      },
    },
    {
      name: 'AlertConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (connection) => (connection as { totalCount: number }).totalCount }) }),
    },
    { name: 'AlertEdge' },
  ),
  alert: t.field({
    type: Alert,
    nullable: true,
    authScopes: { role: operationalRoles },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const row = await findAlert(context.prisma, String(id));
      return row ? release(row, context) : null;
    },
  }),
}));

builder.mutationFields((t) => ({
  createAlert: t.field({
    type: Alert,
    description: "Reports an alert in the officer's own agency, with its items, subjects and vehicles, atomically.",
    authScopes: { role: operationalRoles },
    args: { input: t.arg({ type: domain.inputs.CreateAlertInput, required: true }) },
    resolve: async (_root, args, context) => {
      assertOwnAgency(context, 'create alerts');
      const input = parseInput(createAlertInput, args.input);
      return release(await createAlert(context.prisma, context.officer, input), context);
    },
  }),
  updateAlert: t.field({
    type: Alert,
    authScopes: { role: operationalRoles },
    args: {
      id: t.arg.id({ required: true }),
      expectedVersion: t.arg.int({ required: true }),
      input: t.arg({ type: domain.inputs.UpdateAlertInput, required: true }),
    },
    resolve: async (_root, args, context) => {
      assertOwnAgency(context, 'update alerts');
      const input = parseInput(updateAlertInput, args.input);
      return release(await updateAlert(context.prisma, String(args.id), args.expectedVersion, input), context);
    },
  }),
}));
