/**
 * Tiers of the exchange, lowest first. A partner at HIT learns that a record
 * exists and whom to call; SUMMARY adds the non-personal facts; FULL adds
 * personal data.
 */
export const tiers = ['NONE', 'HIT', 'SUMMARY', 'FULL'] as const;
export type Tier = (typeof tiers)[number];

export const tierRank = (tier: Tier) => tiers.indexOf(tier);
