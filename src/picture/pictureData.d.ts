// Types of pictureData.js, which the browser loads as it is (no build step).

import type { StatisticsCell } from '../statistics/statisticsTable.ts';

/** A breakdown the page shows: the alias of its table in the document, its dimension, its title. */
export interface Breakdown {
  alias: string;
  dimension: string;
  title: string;
}

/** One CSV row of the export: a cell's measures as the API released them, where it sits, and the joint arrests. */
export interface PictureRow extends Omit<StatisticsCell, 'values'> {
  table: string;
  agency: string;
  breakdown: string;
  personsArrested: number | null;
}

/** What a key's released cells sum to, and how many of its cells were suppressed. */
export interface Summary {
  alerts: number;
  firearms: number;
  released: number;
  suppressed: number;
}

interface Cell {
  agency: string;
  suppressed: boolean;
  alerts?: number | null;
  firearms?: number | null;
}

export const breakdowns: readonly Breakdown[];
export const pictureQuery: string;
export function periodOf(monthInput: string): string;
export function defaultRange(now?: Date, count?: number): { from: string; to: string };
export function summarise<C extends Cell>(cells: readonly C[], agency: string, key?: (cell: C) => string): Map<string, Summary>;
export function pictureRows(data: Record<string, unknown>): PictureRow[];
