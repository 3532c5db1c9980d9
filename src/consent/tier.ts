import type { Officer } from '../identity/officer.ts';

/**
 * Tiers of the exchange, lowest first. A partner at HIT learns that a record
 * exists and whom to call; SUMMARY adds the non-personal facts; FULL adds
 * personal data.
 */
export const tiers = ['NONE', 'HIT', 'SUMMARY', 'FULL'] as const;
export type Tier = (typeof tiers)[number];

export const tierRank = (tier: Tier) => tiers.indexOf(tier);
export const atLeast = (tier: Tier, floor: Tier) => tierRank(tier) >= tierRank(floor);

/**
 * The tier at which a node releases its records to a caller, before sharing
 * policies exist: the owner's own officers see everything, partners see the
 * non-personal summary and no personal data crosses the border by default.
 */
export function baselineTier(officer: Officer, ownerAgency: string): Tier {
  return officer.agency === ownerAgency ? 'FULL' : 'SUMMARY';
}
