import { journaled } from '../../audit/auditCollector.ts';
import { consentDeciders } from '../../consent/agreement.ts';
import { operationReleaseInput } from '../../consent/consentInput.ts';
import { parseInput } from '../../domain/alertInput.ts';
import { operationalRoles } from '../../identity/roles.ts';
import {
  jointOperationRelease,
  setJointOperationRelease,
  type JointOperationReleaseResult,
  type JointOperationReleaseView,
} from '../records/operationReleaseRecords.ts';
import { builder } from './builder.ts';
import { ConsentGrant } from './consent.ts';
import { domain } from './domain.ts';

const JointOperationRelease = builder.objectRef<JointOperationReleaseView>('JointOperationRelease').implement({
  description: "This agency's release of its alerts linked to a joint operation (its code) to the operation's other agencies.",
  fields: (t) => ({
    operation: t.exposeString('operation', { description: "The operation's code: the case reference of the release's grants." }),
    revision: t.exposeInt('revision', { description: "The hub's number of the decision in force." }),
    tier: t.field({ type: domain.enums.Tier, resolve: (release) => release.tier }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    granteeAgencies: t.exposeStringList('granteeAgencies'),
    setBy: t.exposeString('setBy'),
    setAt: t.expose('setAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When this node heard that the operation was closed or cancelled and ended the release; from then on only NONE is taken.',
    }),
  }),
});

const ReleaseOutcome = builder.enumType('JointOperationReleaseOutcome', {
  description: 'APPLIED: made now. REPLAYED: this very revision was applied before, nothing changed. SUPERSEDED: the node holds a later decision, nothing changed.',
  values: ['APPLIED', 'REPLAYED', 'SUPERSEDED'] as const,
});

const JointOperationReleaseResult = builder.objectRef<JointOperationReleaseResult>('JointOperationReleaseResult').implement({
  fields: (t) => ({
    outcome: t.expose('outcome', { type: ReleaseOutcome }),
    release: t.expose('release', { type: JointOperationRelease, description: 'The release as the node holds it after the call.' }),
    grants: t.expose('grants', { type: [ConsentGrant], description: 'Its live grants.' }),
  }),
});

const JointOperationReleaseInput = builder.inputType('JointOperationReleaseInput', {
  description: "The owner's release of its alerts linked to a joint operation (named by the declared case reference) to the operation's other agencies.",
  fields: (t) => ({
    revision: t.int({ required: true, description: "The hub's number of this decision: applied once, never after a later one." }),
    alertIds: t.idList({ required: true, description: 'Exactly the alerts the gateway vouches for in its credential as linked to the operation.' }),
    granteeAgencies: t.stringList({ required: true }),
    tier: t.field({ type: domain.enums.Tier, required: true, description: 'NONE withdraws the release.' }),
    expiresAt: t.field({ type: 'DateTime', required: true, description: "At most the agreement's consentRequests.maxGrantDays from now." }),
  }),
});

builder.queryFields((t) => ({
  jointOperationRelease: t.field({
    type: JointOperationRelease,
    nullable: true,
    description: 'This agency’s release to the joint operation the caller works in (JOINT_OPERATION with its code); null when it never released any.',
    authScopes: { operational: operationalRoles },
    resolve: (_root, _args, { prisma, purpose }) => jointOperationRelease(prisma, purpose),
  }),
}));

builder.mutationFields((t) => ({
  setJointOperationRelease: t.field({
    type: JointOperationReleaseResult,
    description:
      'Releases the alerts to the joint operation at one tier, replacing the previous release: grants under JOINT_OPERATION with the operation ' +
      "code as case reference. An officer of this agency whose roles decide consent, a member of the operation (vouched for by the gateway), " +
      'for the alerts the gateway vouches are linked to it.',
    authScopes: (_root, _args, { agreement }) => ({ operational: consentDeciders(agreement) }),
    args: { input: t.arg({ type: JointOperationReleaseInput, required: true }) },
    resolve: (_root, { input }, { prisma, officer, agency, purpose, membership, audit, agreement }) => {
      const release = parseInput(operationReleaseInput(agreement), { tier: input.tier, expiresAt: input.expiresAt });
      return journaled(audit, (journal) =>
        setJointOperationRelease(prisma, officer, agency, purpose, membership, {
          ...release,
          revision: input.revision,
          alertIds: input.alertIds.map(String),
          granteeAgencies: input.granteeAgencies,
        }, journal, agreement),
      );
    },
  }),
}));
