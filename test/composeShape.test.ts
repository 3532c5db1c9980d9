import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { databaseUrlFrom, loadGatewayConfig, loadNodeConfig } from '../src/config.ts';

// Docker does not run on these machines, so the production shape is checked
// the way far as it can be without it: every service's environment, as
// compose would hand it over (passwords with URL-breaking characters
// substituted, the image's own ENV added), is parsed by the same config
// module the processes run, and the wiring between services is as intended.

const passwords = { XK_DB_PASSWORD: 'x@k/own:er%1', XK_APP_DB_PASSWORD: 'a p#p?&=', MK_DB_PASSWORD: 'm@k', MK_APP_DB_PASSWORD: 'mk/app', HUB_DB_PASSWORD: 'h%25b', HUB_APP_DB_PASSWORD: 'h:u@b' };

interface Service {
  command: string[];
  environment: Record<string, string>;
  healthcheck?: { disable?: boolean; test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
}

async function composeServices(): Promise<Record<string, Service>> {
  const compose = parse(await readFile('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const imageEnv = Object.fromEntries(
    [...(await readFile('Dockerfile', 'utf8')).matchAll(/^ENV (.+)$/gm)].flatMap((match) => match[1]!.split(/\s+/).map((pair) => pair.split('=') as [string, string])),
  );
  const substitute = (value: string) =>
    value.replace(/\$\{([A-Z_]+)(:\?[^}]*)?\}/g, (_, name: string) => {
      const known = passwords[name as keyof typeof passwords];
      if (known === undefined) throw new Error(`compose uses \${${name}}, which this test does not set`);
      return known;
    });
  for (const service of Object.values(compose.services)) {
    service.environment = { ...imageEnv, ...Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, substitute(String(value))])) };
  }
  return compose.services;
}

describe('the production shape (docker-compose.yml, Dockerfile)', () => {
  it("hands every process an environment its config accepts, passwords intact whatever they hold", async () => {
    const services = await composeServices();
    for (const agency of ['XK', 'MK']) {
      const node = services[`node-${agency.toLowerCase()}`]!;
      const config = loadNodeConfig(node.environment, node.command[node.command.indexOf('--agency') + 1]);
      expect(config.agency).toBe(agency);
      const url = new URL(config.databaseUrl);
      expect([url.username, decodeURIComponent(url.password), url.hostname]).toEqual(['hub_app', passwords[`${agency}_APP_DB_PASSWORD` as keyof typeof passwords], `db-${agency.toLowerCase()}`]);
      const migrate = new URL(databaseUrlFrom(services[`node-${agency.toLowerCase()}-migrate`]!.environment)!);
      expect([migrate.username, decodeURIComponent(migrate.password)]).toEqual(['hub', passwords[`${agency}_DB_PASSWORD` as keyof typeof passwords]]);
    }
    const gateway = loadGatewayConfig(services.gateway!.environment);
    expect(decodeURIComponent(new URL(gateway.databaseUrl).password)).toBe(passwords.HUB_APP_DB_PASSWORD);
    expect([...gateway.nodes.keys()]).toEqual(['XK', 'MK']);
    // The image runs in production mode: no GraphiQL, no introspection.
    expect(gateway.publicApi).toMatchObject({ production: true, graphiql: false, introspection: false });
  });

  it('checks the health of the app services, starts the gateway after healthy nodes, publishes it on loopback only, and mounts the keys read-only', async () => {
    const services = await composeServices();
    for (const name of ['node-xk', 'node-mk', 'gateway']) {
      expect(services[name]!.healthcheck?.test?.join(' '), name).toMatch(/\/readyz/);
      expect(services[name]!.volumes, name).toContain('./deploy:/etc/hub:ro');
    }
    for (const name of Object.keys(services).filter((service) => service.endsWith('-migrate'))) expect(services[name]!.healthcheck?.disable, name).toBe(true);
    expect(services.gateway!.depends_on).toMatchObject({ 'node-xk': { condition: 'service_healthy' }, 'node-mk': { condition: 'service_healthy' } });
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('keeps keys, data and this machine\u2019s modules out of the image', async () => {
    const ignored = (await readFile('.dockerignore', 'utf8')).split('\n').map((line) => line.trim());
    for (const path of ['node_modules', 'deploy', '.data', 'src/generated', '.git']) expect(ignored).toContain(path);
    expect(await readFile('Dockerfile', 'utf8')).toMatch(/^FROM node:24-/m);
  });

  it('has every file of the Prisma schemas in the image before npm ci generates the clients from them', async () => {
    const dockerfile = await readFile('Dockerfile', 'utf8');
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
    const copied = [...beforeInstall.matchAll(/^COPY (.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
    for (const path of ['package.json', 'package-lock.json', 'prisma.config.ts', 'schema.prisma', 'prisma', 'scripts']) expect(copied).toContain(path);
  });
});
