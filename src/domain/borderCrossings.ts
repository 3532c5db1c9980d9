import { BorderCrossingPoint } from './enums.ts';

export interface BorderCrossingInfo {
  /** Name on the Kosovo side / name on the North Macedonia side. */
  name: string;
  mode: 'road' | 'rail';
  latitude: number;
  longitude: number;
  /** Municipality on each side. */
  municipalities: { XK: string; MK: string };
}

/** The crossing points of the Kosovo – North Macedonia border. */
export const borderCrossings: Record<BorderCrossingPoint, BorderCrossingInfo> = {
  [BorderCrossingPoint.HANI_I_ELEZIT_BLACE]: {
    name: 'Hani i Elezit / Blace',
    mode: 'road',
    latitude: 42.1496,
    longitude: 21.2967,
    municipalities: { XK: 'Hani i Elezit', MK: 'Čučer-Sandevo' },
  },
  [BorderCrossingPoint.HANI_I_ELEZIT_BLACE_RAIL]: {
    name: 'Hani i Elezit / Volkovo (rail)',
    mode: 'rail',
    latitude: 42.1465,
    longitude: 21.2952,
    municipalities: { XK: 'Hani i Elezit', MK: 'Gjorče Petrov' },
  },
  [BorderCrossingPoint.GLLOBOCICE_JAZHINCE]: {
    name: 'Glloboçicë / Jažince',
    mode: 'road',
    latitude: 42.0906,
    longitude: 20.9856,
    municipalities: { XK: 'Dragash', MK: 'Jegunovce' },
  },
  [BorderCrossingPoint.STANCIQ_BELANOVCE]: {
    name: 'Stançiq / Belanovce',
    mode: 'road',
    latitude: 42.2603,
    longitude: 21.6561,
    municipalities: { XK: 'Kamenicë', MK: 'Kumanovo' },
  },
};
