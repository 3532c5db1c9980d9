import { addStatisticsTypes } from '../../domain/schema/addStatisticsTypes.ts';
import { operationalRoles } from '../../identity/roles.ts';
import { statisticsTable, type StatisticsRequest } from '../../statistics/statisticsTable.ts';
import { builder } from './builder.ts';

export const statistics = addStatisticsTypes(builder);

builder.queryFields((t) => ({
  statistics: t.field({
    type: statistics.StatisticsTable,
    description:
      "Statistics over this agency's alerts, from its rollups, on the agreement's time grid: whole to its own officers; to a partner by the " +
      "agreement's dimensions and measures only, under its statistics purposes, with disclosure control (minimum cell size, secondary " +
      'suppression). The disclosure entry names the table released and its suppressed cells.',
    authScopes: { operational: operationalRoles },
    args: { input: t.arg({ type: statistics.StatisticsInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const table = await statisticsTable(context.prisma, context.agency, context.officer, context.purpose, input as StatisticsRequest, context.agreement);
      context.audit.details = {
        statistics: {
          recipient: context.officer.agency,
          dimensions: table.dimensions,
          grid: table.grid,
          from: table.periods[0]!,
          to: table.periods.at(-1)!,
          protected: table.protected,
          minimumCellSize: table.minimumCellSize,
          countWithheld: table.countWithheld,
          cells: table.cells.length - table.suppressedCells,
          suppressedCells: table.suppressedCells,
          suppressed: table.cells.filter((cell) => cell.suppressed).map((cell) => [cell.period, ...cell.values].join(' ')),
        },
      };
      return table;
    },
  }),
}));
