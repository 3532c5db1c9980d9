// Prisma 7 CLI configuration. The project only uses the CLI for `generate`;
// migrations are plain SQL files in migrations/ applied by src/database/migrate.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
});
