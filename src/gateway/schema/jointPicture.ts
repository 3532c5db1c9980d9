import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { JsonValue } from '../../audit/auditEntry.ts';
import { addStatisticsTypes } from '../../domain/schema/addStatisticsTypes.ts';
import { RiskLevel } from '../../domain/enums.ts';
import { borderCrossings } from '../../domain/borderCrossings.ts';
import { greenBorderSectors } from '../../domain/greenBorderSectors.ts';
import { ErrorCode, hubError } from '../../errors.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { ciramAssessments, ciramTrends, type CiramAssessment, type CiramTrend } from '../../statistics/ciram.ts';
import { jointArrestsTable, type JointArrestsCell, type JointArrestsTable } from '../../statistics/jointArrests.ts';
import type { StatisticsCell, StatisticsRequest, StatisticsTable } from '../../statistics/statisticsTable.ts';
import type { GatewayContext } from '../context.ts';
import { AgencyUnavailableError } from '../nodeClient.ts';
import { requestNode } from '../ownerRequests.ts';
import { builder } from './builder.ts';

const statistics = addStatisticsTypes(builder);

/** The merged picture, with the CIRAM view asked of the nodes only if selected. */
interface JointPicture {
  periods: string[];
  dimensions: StatisticsRequest['dimensions'];
  tables: StatisticsTable[];
  unavailableAgencies: string[];
  ciram: () => Promise<CiramAssessment[]>;
  /** The periods asked, for the joint tables the gateway computes itself. */
  request: Pick<StatisticsRequest, 'from' | 'to'>;
}

/** What the consultation entry says of a table released through the gateway. */
function releasedTable(table: StatisticsTable) {
  return {
    agency: table.agency,
    dimensions: table.dimensions,
    grid: table.grid,
    from: table.periods[0]!,
    to: table.periods.at(-1)!,
    protected: table.protected,
    cells: table.cells.length - table.suppressedCells,
    suppressedCells: table.suppressedCells,
    suppressed: table.cells.filter((cell) => cell.suppressed).map((cell) => [cell.period, ...cell.values].join(' ')),
  };
}

/** What the consultation entry says of the joint arrests table: the gateway released it from the hub's own records. */
function releasedArrests(table: JointArrestsTable) {
  return {
    agency: table.agency,
    party: table.party,
    measure: 'PERSONS_ARRESTED',
    dimensions: [],
    grid: table.grid,
    from: table.periods[0]!,
    to: table.periods.at(-1)!,
    protected: table.protected,
    minimumCellSize: table.minimumCellSize,
    cells: table.cells.length - table.suppressedCells,
    suppressedCells: table.suppressedCells,
    suppressed: table.cells.filter((cell) => cell.suppressed).map((cell) => cell.period),
  };
}

/** Notes the tables released in the operation's consultation entry (the picture's, then the CIRAM view's, the joint ones). */
function noteReleased(context: GatewayContext, tables: readonly JsonValue[]) {
  const previous = (context.audit.details as { statistics?: JsonValue[] } | null)?.statistics ?? [];
  context.audit.details = { statistics: [...previous, ...tables] };
}

/** Each agency's table; an agency that does not answer is listed, with an AGENCY_UNAVAILABLE error of the field. */
async function askAgencies(context: GatewayContext, info: GraphQLResolveInfo, agencies: readonly string[], input: StatisticsRequest) {
  const settled = await Promise.allSettled(agencies.map((agency) => requestNode<StatisticsTable>(context, agency, 'statistics', { input })));
  const tables: StatisticsTable[] = [];
  const unavailable: string[] = [];
  settled.forEach((result, index) => {
    if (result.status === 'fulfilled') tables.push(result.value);
    else if (result.reason instanceof AgencyUnavailableError) {
      unavailable.push(agencies[index]!);
      context.agencyErrors.push(result.reason.toGraphQLError(responsePathAsArray(info.path)));
    } else throw result.reason;
  });
  noteReleased(context, tables.map(releasedTable));
  return { tables, unavailable };
}

const PictureCell = builder.objectRef<StatisticsCell & { agency: string }>('PictureCell').implement({
  description: 'A cell of the joint picture: whose alerts it counts, and whether disclosure control withheld it.',
  fields: (t) => ({
    agency: t.exposeString('agency', { description: 'The agency whose alerts the cell counts (cells of two agencies are never added together).' }),
    period: t.exposeString('period'),
    values: t.exposeStringList('values'),
    suppressed: t.exposeBoolean('suppressed'),
    alerts: t.exposeInt('alerts', { nullable: true }),
    firearms: t.exposeInt('firearms', { nullable: true }),
    rounds: t.exposeInt('rounds', { nullable: true }),
    explosivesKg: t.exposeFloat('explosivesKg', { nullable: true }),
    threat: t.exposeFloat('threat', { nullable: true }),
    vulnerability: t.exposeFloat('vulnerability', { nullable: true }),
    impact: t.exposeFloat('impact', { nullable: true }),
  }),
});

const JointArrestsCellRef = builder.objectRef<JointArrestsCell>('JointArrestsCell').implement({
  description: 'Persons arrested in one period; suppressed: withheld by disclosure control. A period with no arrest is not listed.',
  fields: (t) => ({
    period: t.exposeString('period'),
    suppressed: t.exposeBoolean('suppressed'),
    personsArrested: t.exposeInt('personsArrested', { nullable: true }),
  }),
});

const JointArrestsTableRef = builder.objectRef<JointArrestsTable>('JointArrestsTable').implement({
  description:
    "Persons arrested in the joint operations of which the caller's agency is a party, per period, from the ARREST entries of their " +
    'timelines (corrected entries replaced by their corrections). Joint data: the parties\' together, marked JOINT, and protected for every ' +
    'caller: a period is released only if each operation arrested at least the minimum cell size in it.',
  fields: (t) => ({
    agency: t.exposeString('agency', { description: 'JOINT: the data of the operations\' parties together, no one agency\'s.' }),
    party: t.exposeString('party', { description: 'The agency whose joint operations are counted: the caller\'s.' }),
    grid: t.field({ type: statistics.TimeGrid, resolve: (table) => table.grid }),
    periods: t.exposeStringList('periods'),
    protected: t.exposeBoolean('protected'),
    minimumCellSize: t.exposeInt('minimumCellSize'),
    suppressedCells: t.exposeInt('suppressedCells'),
    cells: t.field({ type: [JointArrestsCellRef], resolve: (table) => table.cells }),
  }),
});

const RiskLevelRef = builder.enumType('CiramRiskLevel', { values: Object.values(RiskLevel), description: 'A CIRAM risk level.' });
const TrendDirectionRef = builder.enumType('CiramTrendDirection', { values: ['RISING', 'FALLING', 'STABLE', 'UNKNOWN'] as const });

const CiramAssessmentRef = builder.objectRef<CiramAssessment>('CiramAssessment').implement({
  description: "CIRAM 2.0 at one place in one period, from one agency's alerts there: mean threat, vulnerability and impact, and the level they give.",
  fields: (t) => ({
    agency: t.exposeString('agency'),
    place: t.exposeString('place', { description: 'A crossing point, a green-border sector, or INLAND.' }),
    period: t.exposeString('period'),
    suppressed: t.exposeBoolean('suppressed'),
    alerts: t.exposeInt('alerts', { nullable: true }),
    threat: t.exposeFloat('threat', { nullable: true }),
    vulnerability: t.exposeFloat('vulnerability', { nullable: true }),
    impact: t.exposeFloat('impact', { nullable: true }),
    level: t.field({ type: RiskLevelRef, nullable: true, resolve: (assessment) => assessment.level }),
  }),
});

const CiramTrendRef = builder.objectRef<CiramTrend>('CiramTrend').implement({
  description: "Where the risk at one place is heading by one agency's assessments: the least-squares slope of the risk score over the released periods.",
  fields: (t) => ({
    agency: t.exposeString('agency'),
    place: t.exposeString('place'),
    direction: t.field({ type: TrendDirectionRef, resolve: (trend) => trend.direction }),
    slope: t.exposeFloat('slope', { nullable: true, description: 'Change of the risk score (mean threat × vulnerability × impact, 1–125) per period.' }),
    periods: t.exposeInt('periods', { description: 'Released periods the trend is drawn from (at least 3, else UNKNOWN).' }),
  }),
});

const JointPictureRef = builder.objectRef<JointPicture>('JointPicture').implement({
  description:
    "Both sides of the border as statistics: each agency's table, computed by its own node over its own alerts and released to the caller " +
    'as the exchange agreement allows (whole for the caller\'s own agency; with disclosure control for a partner\'s).',
  fields: (t) => ({
    periods: t.exposeStringList('periods'),
    dimensions: t.field({ type: [statistics.StatisticsDimension], resolve: (picture) => [...picture.dimensions] }),
    tables: t.field({ type: [statistics.StatisticsTable], resolve: (picture) => picture.tables }),
    cells: t.field({
      type: [PictureCell],
      description: 'Every cell of every table, each marked by its agency.',
      resolve: (picture) => picture.tables.flatMap((table) => table.cells.map((cell) => ({ ...cell, agency: table.agency }))),
    }),
    unavailableAgencies: t.exposeStringList('unavailableAgencies'),
    ciram: t.field({
      type: [CiramAssessmentRef],
      description: 'CIRAM 2.0 per place (crossing point, green-border sector) and period, per agency: a table by PLACE with the CIRAM scores.',
      resolve: (picture) => picture.ciram(),
    }),
    arrests: t.field({
      type: JointArrestsTableRef,
      nullable: true,
      description:
        'Persons arrested in joint operations of the caller\'s agency over the same periods (the measure PERSONS_ARRESTED), computed by the ' +
        'gateway over the hub\'s joint operations; null when the agreement does not list the measure. Not broken down by the dimensions.',
      resolve: async (picture, _args, context) => {
        const table = await jointArrestsTable(context.prisma, context.officer, context.purpose, picture.request, context.agreement);
        if (table) noteReleased(context, [releasedArrests(table)]);
        return table;
      },
    }),
    ciramTrends: t.field({
      type: [CiramTrendRef],
      description: 'The trend of the risk at each place, per agency, over the picture\'s periods.',
      resolve: async (picture) => ciramTrends(await picture.ciram(), picture.periods),
    }),
  }),
});

builder.queryField('jointPicture', (t) =>
  t.field({
    type: JointPictureRef,
    description:
      "The joint picture: each agency's statistics over its own alerts for the same periods and breakdown, merged without adding them up. " +
      'Only under the purposes the agreement names for statistics (RISK_ANALYSIS). Every table released is named in the consultation entry ' +
      "and in each node's disclosure entry.",
    authScopes: { operational: operationalRoles },
    args: {
      input: t.arg({ type: statistics.StatisticsInput, required: true }),
      agencies: t.arg.stringList({ description: 'The agencies to ask; default every agency of the exchange.' }),
    },
    resolve: async (_root, args, context, info) => {
      const agencies = args.agencies ?? context.nodes.agencies;
      const unknown = agencies.filter((agency) => !context.nodes.has(agency));
      if (unknown.length) throw hubError(ErrorCode.AGENCY_UNKNOWN, `No agency ${unknown.join(', ')} in the exchange.`);
      const input = args.input as StatisticsRequest;
      const { tables, unavailable } = await askAgencies(context, info, agencies, input);
      const periods = tables[0]?.periods ?? [];
      let ciram: Promise<CiramAssessment[]> | undefined;
      return {
        periods,
        dimensions: input.dimensions,
        tables,
        unavailableAgencies: unavailable,
        request: { from: periods[0] ?? input.from ?? null, to: periods.at(-1) ?? input.to ?? null },
        ciram: () =>
          (ciram ??= (async () => {
            const byPlace = input.dimensions.length === 1 && input.dimensions[0] === 'PLACE' ? { tables } : await askAgencies(context, info, tables.map((table) => table.agency), {
              dimensions: ['PLACE'],
              from: periods[0] ?? null,
              to: periods.at(-1) ?? null,
            });
            return byPlace.tables.flatMap(ciramAssessments);
          })()),
      };
    },
  }),
);

/** A place the statistics count alerts at, with where a map puts it. */
interface StatisticsPlace {
  code: string;
  kind: 'BORDER_CROSSING_POINT' | 'GREEN_BORDER_SECTOR';
  name: string;
  latitude: number;
  longitude: number;
}

const places: StatisticsPlace[] = [
  ...Object.entries(borderCrossings).map(([code, info]) => ({ code, kind: 'BORDER_CROSSING_POINT' as const, name: info.name, latitude: info.latitude, longitude: info.longitude })),
  ...greenBorderSectors.map((sector) => ({ code: sector.code, kind: 'GREEN_BORDER_SECTOR' as const, name: sector.name, latitude: sector.latitude, longitude: sector.longitude })),
];

const StatisticsPlaceRef = builder.objectRef<StatisticsPlace>('StatisticsPlace').implement({
  description: 'A crossing point or green-border sector of the PLACE dimension (alerts elsewhere are INLAND), with a point for a map.',
  fields: (t) => ({
    code: t.exposeString('code'),
    kind: t.exposeString('kind', { description: 'BORDER_CROSSING_POINT or GREEN_BORDER_SECTOR.' }),
    name: t.exposeString('name'),
    latitude: t.exposeFloat('latitude'),
    longitude: t.exposeFloat('longitude'),
  }),
});

builder.queryField('statisticsPlaces', (t) =>
  t.field({
    type: [StatisticsPlaceRef],
    description: "The places of the statistics' PLACE dimension: reference data of the hub, no agency's record.",
    authScopes: { operational: operationalRoles },
    resolve: () => places,
  }),
);
