import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { loadStartConfig } from '../src/config.ts';
import { hubAudience } from '../src/identity/developmentKeys.ts';
import { mintOfficerToken } from '../src/identity/mintOfficerToken.ts';
import { startHub, type RunningHub } from '../src/hub/startHub.ts';
import { templateDatabases } from './globalSetup.ts';
import { codes, createTestDatabase, demoUsers, graphql, type TestDatabase } from './helpers.ts';

// `npm start` runs the gateway that `hub gateway` runs: a gateway setting of
// the environment works under start too. In process, on databases of the test
// cluster (external to start, as XK_DATABASE_URL etc. make them), with the
// settings read by the one config module.

let dataDir: string;
let databases: TestDatabase[];
let hub: RunningHub;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hub-start-settings-'));
  // start gives hub_app the password it keeps beside the data: the cluster's own, so no other test file notices.
  await writeFile(join(dataDir, 'application-db-password'), inject('applicationPassword'));
  const [xk, mk, gateway] = (databases = [await createTestDatabase('XK'), await createTestDatabase('MK'), await createTestDatabase('gateway', templateDatabases.hub)]);
  hub = await startHub(
    loadStartConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      SEED_DEMO_DATA: 'false',
      XK_DATABASE_URL: xk!.url,
      MK_DATABASE_URL: mk!.url,
      HUB_DATABASE_URL: gateway!.url,
      RATE_LIMIT_SEARCHES_PER_OFFICER: '2',
      RATE_LIMIT_OPERATIONS_PER_OFFICER: '5',
    }),
  );
});
afterAll(async () => {
  await hub?.stop();
  for (const database of databases ?? []) await database[Symbol.asyncDispose]();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the gateway of `hub start` takes the gateway settings of the environment', () => {
  it('limits searches and operations per officer as RATE_LIMIT_* say', async () => {
    const token = await mintOfficerToken(hub.keys.agencies.get('XK')!, demoUsers['xk-border-officer'], { audience: hubAudience });
    const search = '{ search(input: { serialNumber: "M70-481516" }) { outcome } }';
    const results = [];
    for (let attempt = 0; attempt < 3; attempt += 1) results.push(codes(await graphql(hub.gatewayUrl, search, {}, { token })));
    expect(results).toEqual([[], [], ['RATE_LIMITED']]);
    // Two operations left of five: the third is refused whatever it is.
    const viewer = '{ viewer { sub } }';
    const operations = [];
    for (let attempt = 0; attempt < 3; attempt += 1) operations.push(codes(await graphql(hub.gatewayUrl, viewer, {}, { token })));
    expect(operations).toEqual([[], [], ['RATE_LIMITED']]);
  });
});
