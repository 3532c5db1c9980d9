import { days } from '../domain/durations.ts';
import { greenBorderSectors } from '../domain/greenBorderSectors.ts';
import { type DemoAgency, type DemoAlert, type RawAlertInput, syntheticAlerts } from './demoData.ts';

/** Alerts each agency's demo adds for the joint picture. */
export const pictureAlertCount = 240;


/** Where the picture's alerts happen, by weight: busy crossing points, quieter ones, the three sectors, inland. */
const places: readonly { weight: number; location: RawAlertInput['location'] | null }[] = [
  { weight: 40, location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' } },
  { weight: 18, location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'GLLOBOCICE_JAZHINCE' } },
  { weight: 8, location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'STANCIQ_BELANOVCE' } },
  { weight: 2, location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE_RAIL' } },
  ...greenBorderSectors.map((sector, index) => ({ weight: [6, 5, 9][index]!, location: { kind: 'GREEN_BORDER' as const, latitude: sector.latitude, longitude: sector.longitude } })),
  { weight: 12, location: null },
];

/**
 * A year of alerts for the joint picture: the synthetic generator's firearms,
 * ammunition and explosives, spread over the last twelve months (more of them
 * lately), mostly at the busy crossing points, with the threat at Hani i
 * Elezit / Blace rising over the year. Enough that both sides of the border
 * show on the map and in the series, and few enough at the quiet places that
 * a partner sees suppressed cells there.
 */
export function pictureAlerts(agency: DemoAgency, now: Date): DemoAlert[] {
  const total = places.reduce((sum, place) => sum + place.weight, 0);
  return syntheticAlerts(agency, pictureAlertCount, 7, now).map((alert, index) => {
    // Deterministic spread: alert i lands in month m (0 = eleven months ago), weighted towards now.
    const share = ((index * 0.6180339887) % 1) ** 0.8;
    const monthsAgo = Math.min(11, Math.floor((1 - share) * 12));
    const occurredAt = new Date(Math.min(now.getTime() - 3_600_000, Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1 + (index % 27), 8 + (index % 12))));
    let pick = (index * 37) % total;
    const place = places.find((candidate) => (pick -= candidate.weight) < 0)!;
    const blace = place.location?.borderCrossing === 'HANI_I_ELEZIT_BLACE';
    const risk = blace ? { threat: Math.min(5, 2 + Math.floor((11 - monthsAgo) / 4)), vulnerability: 3, impact: 4 } : alert.input.risk;
    return {
      ...alert,
      input: {
        ...alert.input,
        occurredAt: new Date(Math.max(occurredAt.getTime(), now.getTime() - days(364))),
        location: place.location ?? (alert.input.location?.kind === 'MUNICIPALITY' ? alert.input.location : { kind: 'MUNICIPALITY', municipality: agency === 'XK' ? 'Prishtinë' : 'Skopje' }),
        risk,
      },
    };
  });
}
