import { journaled, noteAlertViews, type AppliedChange } from '../../audit/auditCollector.ts';
import { withheldRecordRef } from '../../audit/recordRefs.ts';
import type { AlertView } from '../../domain/alertView.ts';
import { createAlertInput, parseInput, updateAlertInput } from '../../domain/alertInput.ts';
import { sharingPolicySetters } from '../../consent/agreement.ts';
import { sharingPolicyInput } from '../../consent/consentInput.ts';
import { connectionOf, countedConnection, forwardPage, selectsTotalCount } from '../../domain/schema/pagination.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import type { NodeContext } from '../context.ts';
import { createAlert, findAlert, listAlerts, updateAlert } from '../records/alertRecords.ts';
import { releaseAlert, type AlertRow } from '../records/alertRelease.ts';
import { setSharingPolicy } from '../records/sharingPolicyRecords.ts';
import { builder } from './builder.ts';
import { domain } from './domain.ts';

export const Alert = builder.objectRef<AlertView>('Alert').implement({
  description:
    'An alert owned by this agency, released at the tier the owner allows the caller for the declared purpose. ' +
    'Which fields belong to which tier is set by the exchange agreement (contracts/exchange-agreement.json).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Local id within the owner agency.' }),
    owner: t.exposeString('owner', { description: 'Agency code of the owner.' }),
    ...domain.fields.alert(t),
  }),
});

/** Names released alerts, with their tier and its basis, in the operation's audit entry. */
export function noteReleased(context: NodeContext, views: readonly (AlertView | null)[]) {
  noteAlertViews(context.audit, views);
}

/** The view the caller may have of a row, or null when the owner's consent hides it; either way the audit entry says so. */
export function release(row: AlertRow, context: NodeContext, now = new Date()): AlertView | null {
  const view = releaseAlert(row, context.agency, context.officer, context.purpose, now, context.agreement);
  if (view) noteReleased(context, [view]);
  else context.audit.note(withheldRecordRef(context.agency, row.id, row.reference));
  return view;
}

/** Records of a node are written only by the officers of its own agency. */
export function assertOwnAgency({ agency, officer }: NodeContext, what: string) {
  if (officer.agency !== agency) {
    throw hubError(ErrorCode.FORBIDDEN, `Only officers of ${agency} may ${what} in ${agency}'s records.`);
  }
}

/** Writes answer with the owner's own, domestic, view. */
function releaseOwn(row: AlertRow, context: NodeContext): AlertView {
  return release(row, context)!;
}

/** A change to an alert made once already under its idempotency key is answered with the alert as it is now. */
function againOwn(context: NodeContext, id: (applied: AppliedChange) => string) {
  return {
    db: context.prisma,
    replay: async (applied: AppliedChange) => {
      const row = await findAlert(context.prisma, { caller: context.officer, owner: context.agency, purpose: context.purpose, now: new Date(), agreement: context.agreement }, id(applied));
      if (!row) throw hubError(ErrorCode.NOT_FOUND, 'No alert with this id.');
      return releaseOwn(row, context);
    },
  };
}

builder.queryFields((t) => ({
  alerts: t.connection(
    {
      type: Alert,
      description: 'Alerts of this agency the caller may see for the declared purpose, newest reported first.',
      authScopes: { operational: operationalRoles },
      args: { filter: t.arg({ type: domain.inputs.AlertFilter }) },
      resolve: async (_root, args, context, info) => {
        const page = { ...forwardPage(args), count: selectsTotalCount(info) };
        const now = new Date();
        const access = { caller: context.officer, owner: context.agency, purpose: context.purpose, now, agreement: context.agreement };
        const result = await listAlerts(context.prisma, access, args.filter, page);
        const views = result.rows.map((row) => release(row, context, now));
        const edges = views.flatMap((view, index) => (view ? [{ view, cursor: result.cursors[index]! }] : []));
        return connectionOf(
          edges.map((edge) => edge.view),
          edges.map((edge) => edge.cursor),
          result.hasNextPage,
          result.totalCount,
          page.after,
        );
      },
    },
    ...countedConnection('Alert'),
  ),
  alert: t.field({
    type: Alert,
    nullable: true,
    description: 'One alert; null when it does not exist or the owner releases nothing of it to the caller.',
    authScopes: { operational: operationalRoles },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const now = new Date();
      const row = await findAlert(context.prisma, { caller: context.officer, owner: context.agency, purpose: context.purpose, now, agreement: context.agreement }, String(id));
      return row ? release(row, context, now) : null;
    },
  }),
}));

builder.mutationFields((t) => ({
  createAlert: t.field({
    type: Alert,
    description: "Reports an alert in the officer's own agency, with its items, subjects and vehicles, atomically.",
    authScopes: { operational: operationalRoles },
    args: { input: t.arg({ type: domain.inputs.CreateAlertInput, required: true }) },
    resolve: async (_root, args, context) => {
      assertOwnAgency(context, 'create alerts');
      const input = parseInput(createAlertInput, args.input);
      const again = againOwn(context, (applied) => applied.records[0]!.id);
      return journaled(context.audit, async (journal) => releaseOwn(await createAlert(context.prisma, context.officer, input, journal, context.agreement), context), again);
    },
  }),
  updateAlert: t.field({
    type: Alert,
    authScopes: { operational: operationalRoles },
    args: {
      id: t.arg.id({ required: true }),
      expectedVersion: t.arg.int({ required: true }),
      input: t.arg({ type: domain.inputs.UpdateAlertInput, required: true }),
    },
    resolve: async (_root, args, context) => {
      assertOwnAgency(context, 'update alerts');
      const input = parseInput(updateAlertInput, args.input);
      const again = againOwn(context, () => String(args.id));
      return journaled(
        context.audit,
        async (journal) => releaseOwn(await updateAlert(context.prisma, context.officer, String(args.id), args.expectedVersion, input, journal, context.agreement), context),
        again,
      );
    },
  }),
  setSharingPolicy: t.field({
    type: Alert,
    description: "Sets the handling code, grading and per-partner rules of one of the agency's alerts.",
    // The roles the agreement marks setsSharingPolicy.
    authScopes: (_root, _args, context) => ({ operational: sharingPolicySetters(context.agreement) }),
    args: {
      alertId: t.arg.id({ required: true }),
      input: t.arg({ type: domain.inputs.SharingPolicyInput, required: true }),
    },
    resolve: async (_root, args, context) => {
      assertOwnAgency(context, 'set sharing policies');
      const input = parseInput(sharingPolicyInput(context.agreement), args.input);
      const again = againOwn(context, () => String(args.alertId));
      return journaled(
        context.audit,
        async (journal) => releaseOwn(await setSharingPolicy(context.prisma, context.officer, String(args.alertId), input, journal, context.agreement), context),
        again,
      );
    },
  }),
}));
