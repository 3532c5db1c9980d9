import type { Prisma } from '../../generated/node/client.ts';

/**
 * Issues the next human reference for a prefix and year, e.g.
 * XK-ALR-2026-000042. The upsert takes a row lock, so concurrent
 * transactions queue instead of issuing the same number.
 */
export async function nextReference(tx: Prisma.TransactionClient, prefix: string, year: number): Promise<string> {
  const counter = await tx.referenceCounter.upsert({
    where: { prefix_year: { prefix, year } },
    create: { prefix, year, last: 1 },
    update: { last: { increment: 1 } },
  });
  return `${prefix}-${year}-${String(counter.last).padStart(6, '0')}`;
}
