// Generates the Prisma clients offline: the node's (prisma/node: node.prisma and
// audit.prisma, links to the top-level schema.prisma and to prisma/audit.prisma) and the hub database's
// (prisma/hub), each a folder schema with the shared audit models.
// `prisma generate` never runs the schema engine, but the CLI insists that its
// binary exists and would otherwise try to download it from a host these
// machines cannot reach; any existing file will do.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
for (const schema of ['prisma/node', 'prisma/hub']) {
  const result = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate', '--schema', schema], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
