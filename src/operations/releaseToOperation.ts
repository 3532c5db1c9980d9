import { GraphQLError } from 'graphql';
import { journaled } from '../audit/auditCollector.ts';
import type { OperationReleaseInput } from '../consent/consentInput.ts';
import type { Tier } from '../consent/tier.ts';
import { ErrorCode, hubError } from '../errors.ts';
import type { OperationRelease } from '../generated/hub/client.ts';
import { linkedAlertsDigest } from '../identity/gatewayCredential.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { AgencyUnavailableError } from '../gateway/nodeClient.ts';
import { nodeOperations } from '../gateway/nodeOperations.ts';
import type { OperationMembership } from './membership.ts';
import { planOperationRelease, recordOperationRelease, type HeldRelease, type ReleasePlan } from './releaseRecords.ts';

/** How often the same decision is sent to the owner's node when it does not answer: it applies each decision once. */
const attempts = 3;

interface NodeRelease {
  revision: number;
  tier: Tier;
  expiresAt: string;
  setBy: string;
  setAt: string;
}

interface NodeAnswer {
  outcome: 'APPLIED' | 'REPLAYED' | 'SUPERSEDED';
  release: NodeRelease;
}

const held = (release: NodeRelease): HeldRelease => ({ ...release, expiresAt: new Date(release.expiresAt), setAt: new Date(release.setAt) });

/**
 * Sends one decision to the owner's node, with the credential vouching for
 * exactly the alerts it covers; sent again, unchanged, when the node does not
 * answer (a lost answer, a timeout): the node applies a revision once and
 * answers a repeat with what it made of it.
 */
async function sendToOwner(context: GatewayContext, membership: OperationMembership, plan: ReleasePlan, input: OperationReleaseInput): Promise<NodeAnswer> {
  const caller = { ...context, membership: { ...membership, linkedAlerts: linkedAlertsDigest(plan.alertIds) } };
  const variables = {
    input: { revision: plan.revision, alertIds: plan.alertIds, granteeAgencies: plan.granteeAgencies, tier: input.tier, expiresAt: input.expiresAt.toISOString() },
  };
  for (let attempt = 1; ; attempt += 1) {
    try {
      const data = await context.nodes.request<{ setJointOperationRelease: NodeAnswer }>(context.officer.agency, nodeOperations.setJointOperationRelease, variables, caller);
      return data.setJointOperationRelease;
    } catch (error) {
      if (!(error instanceof AgencyUnavailableError)) throw error;
      if (attempt === attempts) {
        throw new AgencyUnavailableError(error.agency, 'it did not answer, so the release may or may not be in force there: set it again (the node applies a decision once)');
      }
    }
  }
}

/**
 * An owner's consent decider releases its agency's alerts linked to an
 * operation, as they are linked now, to the operation's other agencies.
 *
 * The owner's node holds the release (its grants); the hub records what the
 * node answered. Nothing of the operation is locked while the node is asked:
 * the plan is read, the node called, and the answer recorded in a short
 * transaction of its own. The two sides agree through the decision's number
 * (revision), one more than the release the hub holds: the node applies each
 * revision once, answers a repeat with what it made, and refuses an older one
 * by answering with the release it holds. So when the hub has not recorded
 * what the node did (the answer was lost, or the hub failed to record it),
 * the next decision finds the node ahead, records what the node holds first
 * (an entry saying so), and then applies itself after it.
 */
export async function releaseToOperation(context: GatewayContext, membership: OperationMembership, input: OperationReleaseInput): Promise<OperationRelease> {
  const { prisma, officer } = context;
  const record = (release: NodeRelease, how: 'set' | 'reconciled') =>
    journaled(context.audit, (journal) => recordOperationRelease(prisma, officer, membership.operationId, held(release), journal, how));
  let plan = await planOperationRelease(prisma, officer, membership.operationId, input.tier, context.agreement);
  for (let round = 1; ; round += 1) {
    const answer = await sendToOwner(context, membership, plan, input);
    if (answer.outcome !== 'SUPERSEDED') {
      try {
        return await record(answer.release, 'set');
      } catch (error) {
        if (!(error instanceof GraphQLError) || typeof error.extensions.code !== 'string') throw error;
        throw hubError(
          error.extensions.code as ErrorCode,
          `${officer.agency}'s node applied the release (revision ${answer.release.revision}), but the hub could not record it: ${error.message} ` +
            'Set it again to record it: the node will not apply it twice.',
        );
      }
    }
    // The node holds a decision the hub has not recorded, or one made meanwhile: it is recorded first.
    await record(answer.release, 'reconciled');
    if (round === 2) {
      throw hubError(ErrorCode.VERSION_CONFLICT, `Another release of ${officer.agency}'s alerts to ${plan.code} was set at the same time: read the releases, then set it again.`);
    }
    plan = { ...plan, revision: answer.release.revision + 1 };
  }
}

/**
 * Tells each participating agency's node that the operation is closed, so
 * that each ends its release at once (its grants revoked) rather than on the
 * next request under the operation, which a node does in any case before it
 * answers (endClosedOperationRelease). A node that does not answer now ends
 * it then: closing never waits for, nor fails on, a node.
 */
export async function announceClosure(context: GatewayContext, membership: OperationMembership, agencies: readonly string[]): Promise<void> {
  const caller = { ...context, membership: { ...membership, open: false } };
  await Promise.allSettled(agencies.filter((agency) => context.nodes.has(agency)).map((agency) => context.nodes.request(agency, nodeOperations.jointOperationRelease, {}, caller)));
}
