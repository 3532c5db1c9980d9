import { statisticsDimensionNames, statisticsDimensions, statisticsMeasureNames, statisticsMeasures } from '../../statistics/dimensions.ts';
import type { StatisticsCell, StatisticsTable } from '../../statistics/statisticsTable.ts';
import type { HubBuilder } from './hubSchemaTypes.ts';

/** The statistics types of both schemas: a node's table is the gateway's per-agency table, field for field. */
export function addStatisticsTypes(builder: HubBuilder) {
  const StatisticsDimension = builder.enumType('StatisticsDimension', {
    description: 'What a statistics table can be broken down by (the exchange agreement says which a partner receives).',
    values: Object.fromEntries(statisticsDimensionNames.map((name) => [name, { description: statisticsDimensions[name].description }])),
  });
  const StatisticsMeasure = builder.enumType('StatisticsMeasure', {
    description: 'What a statistics cell measures (the exchange agreement says which a partner receives).',
    values: Object.fromEntries(statisticsMeasureNames.map((name) => [name, { description: statisticsMeasures[name] }])),
  });
  const TimeGrid = builder.enumType('TimeGrid', {
    description: 'The time grid of statistics: whole calendar months (UTC) or whole ISO weeks.',
    values: { MONTH: {}, WEEK: {} },
  });
  const StatisticsInput = builder.inputType('StatisticsInput', {
    fields: (t) => ({
      dimensions: t.field({ type: [StatisticsDimension], required: true, description: 'The breakdown, besides the period: none for one total per period.' }),
      from: t.string({ description: 'First period: `2026-03` (month) or `2026-W09` (ISO week), as the agreement\'s grid. Default: 12 periods up to `to`.' }),
      to: t.string({ description: 'Last period, included. Default: the current one.' }),
    }),
  });
  const StatisticsCellRef = builder.objectRef<StatisticsCell>('StatisticsCell').implement({
    description: 'One cell: a period and a value per dimension. Suppressed cells carry no measure; cells a table does not list hold no alert.',
    fields: (t) => ({
      period: t.exposeString('period'),
      values: t.exposeStringList('values', { description: "The cell's value of each dimension of the table, in the table's order." }),
      suppressed: t.exposeBoolean('suppressed', { description: 'Withheld by disclosure control: under the minimum, or able to reveal a cell that is.' }),
      alerts: t.exposeInt('alerts', { nullable: true }),
      firearms: t.exposeInt('firearms', { nullable: true }),
      rounds: t.exposeInt('rounds', { nullable: true }),
      explosivesKg: t.exposeFloat('explosivesKg', { nullable: true }),
      threat: t.exposeFloat('threat', { nullable: true, description: 'Mean CIRAM threat score (1–5) of the alerts.' }),
      vulnerability: t.exposeFloat('vulnerability', { nullable: true, description: 'Mean CIRAM vulnerability score (1–5).' }),
      impact: t.exposeFloat('impact', { nullable: true, description: 'Mean CIRAM impact score (1–5).' }),
    }),
  });
  const StatisticsTableRef = builder.objectRef<StatisticsTable>('StatisticsTable').implement({
    description: "One agency's statistics over its own alerts, as released to the caller.",
    fields: (t) => ({
      agency: t.exposeString('agency', { description: 'Whose alerts the table counts.' }),
      grid: t.field({ type: TimeGrid, resolve: (table) => table.grid }),
      periods: t.exposeStringList('periods'),
      dimensions: t.field({ type: [StatisticsDimension], resolve: (table) => table.dimensions }),
      measures: t.field({ type: [StatisticsMeasure], resolve: (table) => table.measures }),
      protected: t.exposeBoolean('protected', { description: "Disclosure control applied (a partner's table); false: the owner's own officers see the table whole." }),
      minimumCellSize: t.exposeInt('minimumCellSize'),
      countWithheld: t.exposeBoolean('countWithheld', { description: 'Whether alerts the owner withholds from partners count in them.' }),
      suppressedCells: t.exposeInt('suppressedCells'),
      cells: t.field({ type: [StatisticsCellRef], resolve: (table) => table.cells }),
    }),
  });
  return { StatisticsDimension, StatisticsMeasure, TimeGrid, StatisticsInput, StatisticsCell: StatisticsCellRef, StatisticsTable: StatisticsTableRef };
}
