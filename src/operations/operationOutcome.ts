import type { AlertView } from '../domain/alertView.ts';
import type { TimelineEntry } from '../generated/hub/client.ts';

/** What an operation achieved, derived from the record, never typed in. */
export interface OperationOutcome {
  /** Linked SEIZURE alerts whose seized items the reader may see (SUMMARY or above). */
  seizuresCounted: number;
  /** Linked SEIZURE alerts the reader sees only at HIT: their items are not in the totals. */
  seizuresWithheld: number;
  /** Agencies whose node did not answer: their linked seizures are in none of the counts. */
  unavailableAgencies: readonly string[];
  /** Firearms per EU category (null: not categorised), most first. */
  firearmsByCategory: { category: 'A' | 'B' | 'C' | null; count: number }[];
  firearms: number;
  roundsOfAmmunition: number;
  /** Explosives reported by mass (grams and kilograms), in kilograms. */
  explosivesKilograms: number;
  /** Explosive items reported by count or length, not by mass. */
  explosiveItemsWithoutMass: number;
  /** From the timeline's ARREST entries that no later entry corrects. */
  personsArrested: number;
}

const kilograms = { GRAM: 0.001, KILOGRAM: 1 } as const;

/** The fields of a linked alert that {@link operationOutcome} counts: all the gateway asks its owner for, for the outcome. */
export const outcomeAlertFields = 'kind summary { firearms { euCategory } ammunition { quantity } explosives { quantity unit } }';

/**
 * Totals of the linked seizures at what the reader may see, and of the
 * arrests the timeline records. A corrected entry counts no more: its
 * correction (if an ARREST) counts instead. Alerts the reader may not see at
 * all are not given to it, and it counts none of them: how many there are is
 * the owners' to tell, not the outcome's.
 */
export function operationOutcome(
  visibleAlerts: Iterable<AlertView>,
  timeline: readonly TimelineEntry[],
  unavailableAgencies: readonly string[] = [],
): OperationOutcome {
  const seizures = [...visibleAlerts].filter((alert) => alert.kind === 'SEIZURE');
  const visible = seizures.filter((alert) => alert.summary);
  const byCategory = new Map<'A' | 'B' | 'C' | null, number>();
  let rounds = 0;
  let mass = 0;
  let withoutMass = 0;
  for (const { summary } of visible) {
    for (const firearm of summary!.firearms) byCategory.set(firearm.euCategory ?? null, (byCategory.get(firearm.euCategory ?? null) ?? 0) + 1);
    for (const ammunition of summary!.ammunition) rounds += ammunition.quantity;
    for (const explosive of summary!.explosives) {
      const factor = kilograms[explosive.unit as keyof typeof kilograms];
      if (factor === undefined) withoutMass += 1;
      else mass += explosive.quantity * factor;
    }
  }
  const corrected = new Set(timeline.map((entry) => entry.correctsId).filter((id) => id !== null));
  const personsArrested = timeline
    .filter((entry) => entry.kind === 'ARREST' && !corrected.has(entry.id))
    .reduce((sum, entry) => sum + (entry.personsArrested ?? 0), 0);
  return {
    seizuresCounted: visible.length,
    seizuresWithheld: seizures.length - visible.length,
    firearmsByCategory: [...byCategory].map(([category, count]) => ({ category, count })).sort((a, b) => b.count - a.count || String(a.category).localeCompare(String(b.category))),
    firearms: [...byCategory.values()].reduce((sum, count) => sum + count, 0),
    roundsOfAmmunition: rounds,
    // Nodes store quantities to three decimals: the total is rounded to what a gram-level sum can be.
    explosivesKilograms: Math.round(mass * 1_000_000) / 1_000_000,
    explosiveItemsWithoutMass: withoutMass,
    personsArrested,
    unavailableAgencies,
  };
}
