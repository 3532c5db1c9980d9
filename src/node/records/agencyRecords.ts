import type { PrismaClient } from '../../generated/node/client.ts';
import { agencyInfo } from '../../domain/agencies.ts';

/** Registers agencies of the exchange in the node's directory, so its records can name them. Existing rows are kept. */
export async function registerAgencies(prisma: PrismaClient, codes: readonly string[]): Promise<void> {
  for (const code of codes) {
    const info = agencyInfo(code);
    await prisma.agency.upsert({
      where: { code },
      create: {
        code,
        name: info.name,
        country: info.country,
        contactEmail: info.contactEmail,
        contactPhone: info.contactPhone || null,
      },
      update: {},
    });
  }
}
