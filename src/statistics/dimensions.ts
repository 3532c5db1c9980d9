import { AlertKind, EuFirearmCategory, FirearmType, RiskLevel } from '../domain/enums.ts';
import { statisticsPlaces } from '../domain/greenBorderSectors.ts';
import { municipalities, noMunicipality, otherMunicipality } from '../domain/municipalities.ts';

const yesNo = ['YES', 'NO'] as const;

/**
 * Every dimension a table can be broken down by, with the values it takes and
 * the rollup column it is read from (node.stat_alert, migration 0012). All
 * are facts of the alert: firearm facts say what its firearms were (one type,
 * MIXED or NONE; the most restricted EU category; whether any was converted,
 * 3D-printed, reactivated or had its serial obliterated), so that every table
 * counts alerts, each in exactly one cell, and margins add up.
 */
export const statisticsDimensions = {
  PLACE: { column: 'place', values: statisticsPlaces, description: 'The crossing point, the green-border sector, or INLAND.' },
  ALERT_KIND: { column: 'kind', values: Object.values(AlertKind), description: 'The kind of alert.' },
  RISK_LEVEL: { column: 'risk_level', values: Object.values(RiskLevel), description: 'The CIRAM risk level the owner assessed.' },
  FIREARM_TYPE: {
    column: 'firearm_type',
    values: [...Object.values(FirearmType), 'MIXED', 'NONE'],
    description: 'The type of the firearms of the alert: one type, MIXED, or NONE without firearms.',
  },
  EU_CATEGORY: {
    column: 'eu_category',
    values: [...Object.values(EuFirearmCategory), 'UNCLASSIFIED', 'NONE'],
    description: 'The most restricted EU category (A before B before C) among its firearms; UNCLASSIFIED, or NONE without firearms.',
  },
  CONVERTED_GAS_ALARM: { column: 'converted', values: yesNo, description: 'Whether any of its firearms was a converted gas or alarm weapon.' },
  PRINTED_3D: { column: 'printed_3d', values: yesNo, description: 'Whether any of its firearms was 3D-printed.' },
  REACTIVATED: { column: 'reactivated', values: yesNo, description: 'Whether any of its firearms was a reactivated deactivated weapon.' },
  SERIAL_OBLITERATED: { column: 'obliterated', values: yesNo, description: 'Whether any of its firearms had its serial obliterated.' },
  MUNICIPALITY: {
    column: 'municipality',
    values: [...municipalities.map((municipality) => municipality.name), otherMunicipality, noMunicipality],
    description: 'The municipality of Kosovo or North Macedonia the alert names (any known spelling), OTHER for a name the hub does not know, or NONE.',
  },
} as const satisfies Record<string, { column: string; values: readonly string[]; description: string }>;

export type StatisticsDimension = keyof typeof statisticsDimensions;
export const statisticsDimensionNames = Object.keys(statisticsDimensions) as [StatisticsDimension, ...StatisticsDimension[]];

/** What a cell measures; every one is a sum over the cell's alerts. */
export const statisticsMeasures = {
  ALERTS: 'Alerts.',
  FIREARMS: 'Firearms seized or reported in them.',
  ROUNDS: 'Rounds of ammunition.',
  EXPLOSIVES_KG: 'Kilograms of explosives (quantities given in grams or kilograms).',
  CIRAM_SCORES: "The CIRAM threat, vulnerability and impact scores the owner assessed, as the cell's means.",
} as const;

export type StatisticsMeasure = keyof typeof statisticsMeasures;
export const statisticsMeasureNames = Object.keys(statisticsMeasures) as [StatisticsMeasure, ...StatisticsMeasure[]];

/**
 * What the gateway measures over the hub's own records (joint operations),
 * not an agency node over its alerts: data of an operation's parties together,
 * released marked JOINT (src/statistics/jointArrests.ts).
 */
export const jointMeasures = {
  PERSONS_ARRESTED: "Persons arrested in joint operations of the caller's agency (ARREST entries of their timelines).",
} as const;

export type JointMeasure = keyof typeof jointMeasures;
/** Every measure an agreement may list: the nodes' and the joint ones. */
export const agreementMeasureNames = [...statisticsMeasureNames, ...(Object.keys(jointMeasures) as JointMeasure[])] as [
  StatisticsMeasure | JointMeasure,
  ...(StatisticsMeasure | JointMeasure)[],
];

/** Whether a measure of the agreement is one a node computes. */
export const isNodeMeasure = (measure: string): measure is StatisticsMeasure => (statisticsMeasureNames as readonly string[]).includes(measure);
