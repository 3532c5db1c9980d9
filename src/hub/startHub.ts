import { gatewayParty } from '../audit/auditEntry.ts';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { runningHubFile, writeRunningHub } from './runningHub.ts';
import { ConfigError, type StartConfig } from '../config.ts';
import { ensureApplicationPassword, migrateWithApplicationLogin } from '../database/applicationLogin.ts';
import type { DatabaseKind } from '../database/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../database/startEmbeddedPostgres.ts';
import { seedDemoData } from '../demo/seedDemoData.ts';
import { seedDemoJointArrests } from '../demo/seedDemoJointArrests.ts';
import { demoOperationCode, seedDemoJointOperation } from '../demo/seedDemoJointOperation.ts';
import { createHubPrismaClient } from '../database/createHubPrismaClient.ts';
import { createGateway, publicApiOptions } from '../gateway/createGateway.ts';
import { ensureDevelopmentKeys, type DevelopmentKeys } from '../identity/developmentKeys.ts';
import { createTrustList } from '../identity/trustList.ts';
import { createNode, type AgencyNode } from '../node/createNode.ts';
import { logger } from '../server/logger.ts';

export interface RunningHub {
  gatewayUrl: URL;
  nodeUrls: ReadonlyMap<string, URL>;
  keys: DevelopmentKeys;
  stop(): Promise<void>;
}

/** Refuses to start when the gateway's port is taken, with what to do about it. */
async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ConfigError([`PORT: ${host}:${port} is already in use (another hub running?); stop it or start with PORT=<another port>`])
          : error,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Database name of a party on the embedded PostgreSQL. */
export const partyDatabase = (party: string) => `hub_${party.toLowerCase()}`;

/**
 * The whole hub on one machine: development keys, one database per party
 * (on the embedded PostgreSQL unless `<AGENCY>_DATABASE_URL` and
 * `HUB_DATABASE_URL` point elsewhere, as their owner), migrations, the
 * application role's login, demo data, a node per agency and the gateway.
 * What `npm start` runs.
 */
export async function startHub(config: StartConfig): Promise<RunningHub> {
  const cleanup: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of cleanup.reverse()) await step().catch((error) => logger.error({ err: error }, 'stop step failed'));
    cleanup.length = 0;
  };
  try {
    // Before anything is started or seeded: a port in use is the most common reason a start fails.
    await assertPortFree(config.host, config.port);
    const keys = await ensureDevelopmentKeys(join(config.dataDir, 'keys'), config.agencies);
    const trustList = createTrustList(keys.trustList);

    const needsEmbedded =
      !config.hubDatabaseUrl || config.agencies.some((agency) => !config.nodeDatabaseUrls.has(agency));
    let postgres: EmbeddedPostgresServer | undefined;
    if (needsEmbedded) {
      logger.info({ dir: join(config.dataDir, 'postgres') }, 'starting embedded PostgreSQL');
      postgres = await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), onLog: (line) => {
        if (line.includes('is not reachable by the postgres user')) logger.info(line);
      } });
      const embedded = postgres;
      cleanup.push(() => embedded.stop());
    }
    // Migrations run as each database's owner; the services log in as the application role,
    // whose password is kept beside the data.
    const applicationPassword = await ensureApplicationPassword(join(config.dataDir, 'application-db-password'));
    // Each party's database as its owner, for `hub audit verify --party/--all` while this hub runs.
    const ownerUrls: Record<string, string> = {};
    const databaseUrl = async (party: string, external: string | undefined, kind: DatabaseKind) => {
      if (!external) await postgres!.ensureDatabase(partyDatabase(party));
      const ownerUrl = external ?? postgres!.url(partyDatabase(party));
      ownerUrls[party === 'gateway' ? 'GATEWAY' : party] = ownerUrl;
      const { migration, applicationUrl } = await migrateWithApplicationLogin(ownerUrl, applicationPassword, kind);
      if (migration.applied.length) logger.info({ party, applied: migration.applied }, 'migrations applied');
      return applicationUrl;
    };

    const hubDatabaseUrl = await databaseUrl('gateway', config.hubDatabaseUrl, 'hub');

    const nodes: AgencyNode[] = [];
    const nodeUrls = new Map<string, URL>();
    for (const agency of config.agencies) {
      const url = await databaseUrl(agency, config.nodeDatabaseUrls.get(agency), 'node');
      const node = createNode({ agency, databaseUrl: url, trustList, agencies: config.agencies, checkpointSigner: keys.nodes.get(agency)!, auditDigestKey: keys.auditDigests.get(agency)! });
      cleanup.push(() => node.stop());
      nodes.push(node);
      nodeUrls.set(agency, await node.start());
      if (config.seedDemoData) {
        const seeded = await seedDemoData(node.prisma, agency);
        if (!seeded.skipped) logger.info({ agency, alerts: seeded.created }, 'demo data seeded');
      }
    }

    if (config.seedDemoData) {
      const hubPrisma = createHubPrismaClient({ databaseUrl: hubDatabaseUrl, maxConnections: 2 });
      try {
        if (!(await seedDemoJointOperation(hubPrisma, config.agencies)).skipped) logger.info({ code: demoOperationCode }, 'demo joint operation seeded');
        if (!(await seedDemoJointArrests(hubPrisma, config.agencies)).skipped) logger.info('demo joint operations with arrests seeded');
      } finally {
        await hubPrisma.$disconnect();
      }
    }

    const gateway = createGateway({
      trustList,
      databaseUrl: hubDatabaseUrl,
      nodes: nodeUrls,
      signer: keys.gateway,
      auditDigestKey: keys.auditDigests.get(gatewayParty)!,
      ...config.gateway,
      ...publicApiOptions(config.publicApi),
      listen: { port: config.port, host: config.host },
    });
    const gatewayUrl = await gateway.start();
    cleanup.push(() => gateway.stop());
    await writeRunningHub(config.dataDir, { pid: process.pid, gatewayUrl: gatewayUrl.href, trustList: keys.trustListPath, parties: ownerUrls });
    cleanup.push(() => rm(runningHubFile(config.dataDir), { force: true }));
    return { gatewayUrl, nodeUrls, keys, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

