import type { OperationOutcome as OutcomeView } from '../operationOutcome.ts';
import { builder } from '../../gateway/schema/builder.ts';
import { domain } from '../../gateway/schema/domain.ts';

const FirearmCategoryTotal = builder.objectRef<OutcomeView['firearmsByCategory'][number]>('FirearmCategoryTotal').implement({
  fields: (t) => ({
    category: t.expose('category', { type: domain.enums.EuFirearmCategory, nullable: true, description: 'EU category; null when not categorised.' }),
    count: t.exposeInt('count'),
  }),
});

export const OperationOutcome = builder.objectRef<OutcomeView>('OperationOutcome').implement({
  description:
    'Totals derived from the linked SEIZURE alerts at what you may see of them, and the arrests of the timeline. Never typed in.',
  fields: (t) => ({
    seizuresCounted: t.exposeInt('seizuresCounted'),
    seizuresWithheld: t.exposeInt('seizuresWithheld', { description: 'Linked seizures you see only at HIT: not in the totals.' }),
    firearms: t.exposeInt('firearms'),
    firearmsByCategory: t.expose('firearmsByCategory', { type: [FirearmCategoryTotal] }),
    roundsOfAmmunition: t.exposeInt('roundsOfAmmunition'),
    explosivesKilograms: t.exposeFloat('explosivesKilograms'),
    explosiveItemsWithoutMass: t.exposeInt('explosiveItemsWithoutMass'),
    personsArrested: t.exposeInt('personsArrested'),
    unavailableAgencies: t.stringList({
      description: 'Agencies whose node did not answer: their linked seizures are in none of the counts.',
      resolve: (outcome) => [...outcome.unavailableAgencies],
    }),
  }),
});
