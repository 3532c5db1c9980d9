import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { gatewayParty } from '../../audit/auditEntry.ts';
import { activityPeriod, auditActivity, defaultActivityDays, maxActivityDays, type AuditActivity } from '../../audit/auditActivity.ts';
import type { AuditChainState } from '../../audit/auditChainMonitor.ts';
import { listAuditEntries, type AuditEntryView } from '../../audit/auditQueries.ts';
import { listCheckpointConflicts, type RecordedCheckpointConflict } from '../../audit/checkpointConflicts.ts';
import { latestKeptCheckpoints } from '../../audit/checkpoints.ts';
import { readAuditChainChecks } from '../../audit/checkAuditChains.ts';
import type { PeerCheck } from '../../audit/peerVerification.ts';
import { exchangeCheckpoints } from '../../audit/exchangeCheckpoints.ts';
import { AgencyUnavailableError } from '../nodeClient.ts';
import { addAuditTypes } from '../../domain/schema/addAuditTypes.ts';
import { connectionOf, countedConnection, forwardPage } from '../../domain/schema/pagination.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { auditRoles } from '../../identity/roles.ts';
import type { GatewayContext } from '../context.ts';
import { forwardArguments } from '../forwardArguments.ts';
import { parseGlobalId } from '../globalId.ts';
import type { NodePage } from '../nodeOperations.ts';
import { requestNode } from '../ownerRequests.ts';
import { builder } from './builder.ts';

/** The types of the records audit entries name. */
const recordTypes = ['Alert', 'TraceRequest'] as const;

const audit = addAuditTypes(builder, {
  recordIdDescription:
    'A record: the id the API gives it (an Alert\u2019s or a TraceRequest\u2019s id), or its id within its owner agency ' +
    '(AuditRecord.id). Every entry that names it.',
});

const localIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The owner's id of a record named by its API id or by that owner id itself, as entries store it. */
function recordLocalId(recordId: string, argument: string): string {
  return localIdPattern.test(recordId) ? recordId.toLowerCase() : parseGlobalId(recordId, recordTypes, argument).localId;
}

/** The answers of the nodes that answered; each node that did not is an AGENCY_UNAVAILABLE error of the field, anything else fails it. */
function answered<T>(context: GatewayContext, info: GraphQLResolveInfo, results: readonly PromiseSettledResult<T>[]): T[] {
  const values: T[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') values.push(result.value);
    else if (result.reason instanceof AgencyUnavailableError) context.agencyErrors.push(result.reason.toGraphQLError(responsePathAsArray(info.path)));
    else throw result.reason;
  }
  return values;
}

builder.mutationField('exchangeAuditCheckpoints', (t) =>
  t.field({
    type: [audit.AuditCheckpoint],
    description:
      'Has every party sign the head of its log now, and gives each party verified copies of the others\u2019 checkpoints, ' +
      'so that no party can rewrite its own history unnoticed: the exchange the hub also runs on its own schedule ' +
      '(AUDIT_CHECKPOINT_INTERVAL). Parties whose node does not answer are left out, with an error; a conflict is ' +
      'recorded (auditCheckpointConflicts) and answered with CHECKPOINT_CONFLICT.',
    authScopes: { audit: [...auditRoles, 'admin'] },
    resolve: async (_root, _args, context, info) => {
      const round = await exchangeCheckpoints(context.checkpointExchange);
      for (const failure of round.unavailable) context.agencyErrors.push(failure.toGraphQLError(responsePathAsArray(info.path)));
      const [first] = round.conflicts;
      if (first) {
        throw hubError(
          ErrorCode.CHECKPOINT_CONFLICT,
          `${first.party} signed two different heads for entry ${first.seq} (found by ${first.detectedBy}): the log of ${first.party} was rewritten.`,
          { party: first.party },
        );
      }
      return round.checkpoints;
    },
  }),
);

const AuditCheckpointConflict = builder.objectRef<RecordedCheckpointConflict>('AuditCheckpointConflict').implement({
  description: "A checkpoint that contradicts one already kept: the evidence that a party's log was rewritten.",
  fields: (t) => ({
    party: t.exposeString('party', { description: 'Whose log: an agency code or GATEWAY.' }),
    seq: t.exposeInt('seq', { description: 'The entry both checkpoints describe.' }),
    keptHeadHash: t.exposeString('keptHeadHash', { description: 'The head the party signed first, and that was kept.' }),
    receivedHeadHash: t.exposeString('receivedHeadHash', { description: 'The different head it signed later for the same entry.' }),
    detectedAt: t.expose('detectedAt', { type: 'DateTime' }),
    detectedBy: t.exposeString('detectedBy', { description: 'The party that found it: GATEWAY or an agency code.' }),
  }),
});

builder.queryFields((t) => ({
  auditCheckpointConflicts: t.field({
    type: [AuditCheckpointConflict],
    description: 'Conflicts found between checkpoints, newest first (AUDIT purpose, auditor roles).',
    authScopes: { audit: auditRoles },
    resolve: (_root, _args, context) => listCheckpointConflicts(context.prisma),
  }),
  auditCheckpoints: t.field({
    type: [audit.AuditCheckpoint],
    description: 'The latest checkpoint of each party as kept by the hub.',
    authScopes: { audit: auditRoles },
    resolve: (_root, _args, context) => context.prisma.$transaction((tx) => latestKeptCheckpoints(tx, gatewayParty)),
  }),
}));

async function readLog(
  context: GatewayContext,
  party: string,
  filter: Record<string, unknown> | null,
  page: { first: number; after: string | null },
): Promise<NodePage<AuditEntryView>> {
  if (party === gatewayParty) {
    const result = await listAuditEntries(context.prisma, context.officer, gatewayParty, filter as never, page, context.auditDigestKey);
    return {
      edges: result.views.map((node, index) => ({ node, cursor: result.cursors[index]! })),
      pageInfo: { hasNextPage: result.hasNextPage, endCursor: result.cursors.at(-1) ?? null },
      totalCount: result.totalCount,
    };
  }
  if (!context.nodes.has(party)) throw hubError(ErrorCode.AGENCY_UNKNOWN, `No party ${party} in the exchange.`);
  return requestNode<NodePage<AuditEntryView>>(context, party, 'auditEntries', { ...page, filter });
}

const AuditChainCheckStatus = builder.enumType('AuditChainCheckStatus', {
  values: {
    VERIFIED: { description: 'The log holds, and agrees with every record the other parties keep of it.' },
    BROKEN: { description: 'The log does not hold, or contradicts a record another party keeps of it: firstBadSeq and reason say where and why.' },
    UNAVAILABLE: { description: 'The log could not be walked (its node did not answer): reason says why.' },
  } as const,
});

const AuditChainCheck = builder.objectRef<PeerCheck>('AuditChainCheck').implement({
  description:
    "The last scheduled check of one party's log against what the other parties hold of it (their copies of its checkpoints, " +
    'the heads of it they recorded), as `hub audit verify --all` checks it: run after each checkpoint exchange.',
  fields: (t) => ({
    party: t.exposeString('party', { description: 'An agency code or GATEWAY.' }),
    status: t.field({ type: AuditChainCheckStatus, resolve: (check) => check.status }),
    entryCount: t.exposeInt('entryCount', { nullable: true, description: 'Entries walked, when VERIFIED.' }),
    firstBadSeq: t.exposeInt('firstBadSeq', { nullable: true, description: 'The first entry that does not hold, when BROKEN.' }),
    reason: t.exposeString('reason', { nullable: true }),
    witnesses: t.exposeStringList('witnesses', { description: 'The parties whose records of this log were compared with it.' }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  auditChainChecks: t.field({
    type: [AuditChainCheck],
    description:
      "Every party's log as the last scheduled check against the other parties' records found it (the gateway's first). " +
      'Empty until the first check has run (after the first checkpoint exchange).',
    authScopes: { audit: auditRoles },
    resolve: (_root, _args, context) => readAuditChainChecks(context.prisma),
  }),
  auditEntries: t.connection(
    {
      type: audit.AuditEntry,
      description:
        "One party's log, newest first: an agency node's disclosure log, or the gateway's consultation log (party GATEWAY). " +
        "Auditors read their own agency's log and what their agency's officers did elsewhere; the joint oversight board reads everything.",
      authScopes: { audit: auditRoles },
      args: {
        party: t.arg.string({ required: true, description: 'An agency code, or GATEWAY.' }),
        filter: t.arg({ type: audit.AuditFilter }),
      },
      resolve: async (_root, args, context, info) => {
        const page = forwardPage(args);
        const { filter } = forwardArguments(info, args, ['filter']) as { filter: Record<string, unknown> | null };
        if (typeof filter?.recordId === 'string') filter.recordId = recordLocalId(filter.recordId, 'filter.recordId');
        const { edges, pageInfo, totalCount } = await readLog(context, args.party, filter, page);
        return connectionOf(
          edges.map((edge) => edge.node),
          edges.map((edge) => edge.cursor),
          pageInfo.hasNextPage,
          totalCount ?? null,
          page.after,
        );
      },
    },
    ...countedConnection('AuditEntry'),
  ),
  auditChains: t.field({
    type: [audit.AuditChainState],
    description:
      "Every party's own walk of its log (the gateway's, each agency node's): whether every link, hash and own checkpoint holds, " +
      'and the first entry where it does not. Parties whose node does not answer are left out, with an AGENCY_UNAVAILABLE error.',
    authScopes: { audit: auditRoles },
    resolve: async (_root, _args, context, info) => {
      const fromNodes = await Promise.allSettled(context.nodes.agencies.map((agency) => requestNode<AuditChainState>(context, agency, 'auditChain', {})));
      return [await context.auditChain.state(), ...answered(context, info, fromNodes)];
    },
  }),
  auditActivity: t.field({
    type: audit.AuditActivity,
    description:
      "One party's log in aggregate, computed by that party in SQL over the entries the reader may read (the scope of auditEntries): " +
      'accesses per day by purpose and by unit, denials per day, and the officers with unusually many searches. ' +
      `The period is from \u2264 at < to, at most ${maxActivityDays} days; by default the last ${defaultActivityDays}.`,
    authScopes: { audit: auditRoles },
    args: {
      party: t.arg.string({ required: true, description: 'An agency code, or GATEWAY.' }),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
    },
    resolve: async (_root, args, context) => {
      const period = activityPeriod(args.from, args.to);
      if (args.party === gatewayParty) return auditActivity(context.prisma, context.officer, gatewayParty, period, false);
      if (!context.nodes.has(args.party)) throw hubError(ErrorCode.AGENCY_UNKNOWN, `No party ${args.party} in the exchange.`);
      return requestNode<AuditActivity>(context, args.party, 'auditActivity', { from: period.from.toISOString(), to: period.to.toISOString() });
    },
  }),
  recordDisclosures: t.field({
    type: [audit.AuditEntry],
    description:
      "Everything the logs say about one alert, across parties, newest first: its owner node's releases and changes, " +
      "and the gateway's consultations that returned it (up to 100 of each).",
    authScopes: { audit: auditRoles },
    args: { alertId: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      const { agency, localId } = parseGlobalId(String(args.alertId), 'Alert', 'alertId');
      const page = { first: 100, after: null };
      const logs = await Promise.all([agency, gatewayParty].map((party) => readLog(context, party, { recordId: localId }, page)));
      return logs
        .flatMap((log) => log.edges.map((edge) => edge.node))
        // Within a log, time order is sequence order (entries are stamped under its lock); seq breaks ties.
        .sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime() || a.party.localeCompare(b.party) || b.seq - a.seq);
    },
  }),
}));
