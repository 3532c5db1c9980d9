import { BorderCrossingPoint } from './enums.ts';

export interface GreenBorderSector {
  code: 'SECTOR_SHARR' | 'SECTOR_KACANIK' | 'SECTOR_KARADAK';
  name: string;
  /** The sector holds the green border from this longitude (inclusive) to `toLongitude` (exclusive). */
  fromLongitude: number;
  toLongitude: number;
  /** Where the picture's map puts its label: a point on the border line within the sector. */
  latitude: number;
  longitude: number;
}

/**
 * The Kosovo – North Macedonia green border in three sectors, west to east,
 * cut by longitude so that any place reported on the green border falls in
 * one (migration 0012's node.stat_place says the same in SQL; a test holds
 * them together).
 */
export const greenBorderSectors: readonly GreenBorderSector[] = [
  { code: 'SECTOR_SHARR', name: 'Sharr / Šar Planina (Dragash – Jegunovce, Tearce)', fromLongitude: -180, toLongitude: 21.15, latitude: 42.03, longitude: 20.85 },
  { code: 'SECTOR_KACANIK', name: 'Kaçanik – Hani i Elezit / Čučer-Sandevo', fromLongitude: 21.15, toLongitude: 21.45, latitude: 42.17, longitude: 21.3 },
  { code: 'SECTOR_KARADAK', name: 'Karadak / Skopska Crna Gora (Viti, Kamenicë – Lipkovo, Kumanovo)', fromLongitude: 21.45, toLongitude: 180, latitude: 42.24, longitude: 21.58 },
];

/** Where an alert happened, as the statistics place it: its crossing point, its green-border sector, or inland. */
export const statisticsPlaces = [...Object.values(BorderCrossingPoint), ...greenBorderSectors.map((sector) => sector.code), 'INLAND'] as const;

/** The sector of a point on the green border. */
export function greenBorderSectorAt(longitude: number): GreenBorderSector {
  return greenBorderSectors.find((sector) => longitude >= sector.fromLongitude && longitude < sector.toLongitude)!;
}
