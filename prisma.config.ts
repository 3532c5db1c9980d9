// Prisma 7 CLI configuration. The project only uses the CLI for `generate`
// (scripts/prisma-generate.mjs passes --schema prisma/node, then prisma/hub);
// migrations are plain SQL files in migrations/node and migrations/hub, applied
// by src/database/migrate.ts. prisma/node is a folder of links: the node's
// schema is ../schema.prisma at the top, the audit models prisma/audit.prisma.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/node',
});
