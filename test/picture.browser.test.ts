import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubPrismaClient } from '../src/database/createHubPrismaClient.ts';
import { seedDemoData } from '../src/demo/seedDemoData.ts';
import { seedDemoJointArrests } from '../src/demo/seedDemoJointArrests.ts';
import { loadTrustedDocuments } from '../src/gateway/trustedDocuments.ts';
import { pictureContentSecurityPolicy } from '../src/picture/usePicture.ts';
import { adminQuery, anotherGateway, launchTestBrowser, startTestHub, type TestBrowser, type TestHub } from './helpers.ts';

// The analysts' joint picture as each agency's demo analyst uses it, in a real
// Chromium that cannot reach the internet: the map of the border drawn from
// Natural Earth, the series, the CIRAM matrix, the breakdowns, the partner's
// suppressed cells shown as such (and none of one's own), and the CSV export.

let hub: TestHub;
let browser: TestBrowser;
let page: Page;
let downloads: string;
/** What the page itself reported as broken: script errors, CSP refusals. */
const pageProblems: string[] = [];

/** Polls the page until `check` holds (no wall-clock assertion: a bound for a stuck test). */
async function until<T>(what: string, check: () => Promise<T | false | null | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const error = await page.$eval('#error', (element) => (element as HTMLElement).innerText).catch(() => '');
  throw new Error(`the page never showed ${what}; error box: ${error || 'empty'}; page problems: ${pageProblems.join(' | ') || 'none'}`);
}

const count = (selector: string) => page.$$eval(selector, (elements) => elements.length);

async function signIn(user: 'xk-analyst' | 'mk-analyst', gatewayUrl: URL = hub.gatewayUrl) {
  await page.goto(new URL('/picture', gatewayUrl).href, { waitUntil: 'load' });
  const token = await hub.token(user);
  await page.$eval('#token', (element, value) => ((element as HTMLTextAreaElement).value = value), token);
  await page.click('#signin-form button[type=submit]');
  const started = Date.now();
  await until('the map', async () => (await count('#map .mark')) > 0 && (await count('#map path.country')) > 5);
  console.log(`${user}: the picture in ${Date.now() - started} ms`);
}

beforeAll(async () => {
  // The page asks seven tables at once of both nodes: on a shared 2-core machine, more than the default 2 s.
  hub = await startTestHub({ nodeTimeoutMs: 15_000 });
  const now = new Date();
  await Promise.all([...hub.nodes].map(([agency, node]) => seedDemoData(node.prisma, agency, { now })));
  // The joint operations with arrests, in the hub database as `npm start` seeds them.
  const hubPrisma = createHubPrismaClient({ databaseUrl: hub.hubDatabase.applicationUrl, maxConnections: 2 });
  try {
    expect((await seedDemoJointArrests(hubPrisma, ['XK', 'MK'], now)).skipped).toBe(false);
  } finally {
    await hubPrisma.$disconnect();
  }
  browser = await launchTestBrowser({ width: 1400, height: 1500 });
  page = browser.page;
  page.on('pageerror', (error) => pageProblems.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageProblems.push(message.text());
  });
  downloads = await mkdtemp(join(tmpdir(), 'picture-downloads-'));
  const session = await page.browser().target().createCDPSession();
  await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
}, 240_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await hub?.[Symbol.asyncDispose]();
  if (downloads) await rm(downloads, { recursive: true, force: true });
});

describe('the joint picture', () => {
  it('is served whole by the hub under a strict policy', async () => {
    const response = await page.goto(new URL('/picture', hub.gatewayUrl).href, { waitUntil: 'load' });
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toBe(pictureContentSecurityPolicy);
    const missing = await page.goto(new URL('/picture/package.json', hub.gatewayUrl).href);
    expect(missing!.status()).toBe(404);
    // That refusal is the test's own doing, not a fault of the page.
    pageProblems.length = 0;
  });

  it("shows the XK analyst both sides of the border: XK's own statistics whole, MK's with its small cells suppressed", { timeout: 120_000 }, async () => {
    await signIn('xk-analyst');
    expect(await page.$eval('#who', (element) => element.textContent)).toContain('xk.ffp.blerta.morina');
    await until('both agencies on the map', async () => (await count('#map .mark.XK')) > 0 && (await count('#map .mark.MK')) > 0);
    await until('the series', async () => (await count('#series .bar.XK')) >= 12 && (await count('#series .bar.MK')) >= 12);
    await until('the CIRAM matrix', async () => (await count('#ciram tbody tr')) >= 7);
    await until('the breakdowns', async () => (await count('#breakdowns .breakdown')) === 6);
    expect(await page.$eval('#breakdowns [data-table=byMunicipality]', (element) => element.textContent ?? '')).toContain('Municipality');
    // The joint arrests beside the series: one bar per month, JOINT, with the demo's suppressed months hatched.
    await until('the arrests', async () => (await count('#arrests .bar.JOINT')) >= 12);
    expect(await count('#arrests .bar.JOINT.suppressed')).toBe(2);
    expect(await page.$$eval('#arrests .bar.JOINT:not(.suppressed) title', (titles) => titles.map((title) => title.textContent))).toContain(
      `JOINT ${new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 6, 1)).toISOString().slice(0, 7)}: 12 persons arrested`,
    );
    const legend = await page.$eval('#legend', (element) => element.textContent ?? '');
    expect(legend).toContain('XK: your agency, whole');
    expect(legend).toContain("MK: partner's statistics, cells under 5 alerts suppressed");
    expect(legend).toContain('JOINT: joint operations of XK, protected');
    // MK's small cells are suppressed, and shown as such; XK's own never are.
    const suppressed = await page.$$eval('#ciram td.suppressed, #breakdowns td.suppressed, #series .bar.suppressed, #map .mark.suppressed', (elements) =>
      elements.map((element) => element.getAttribute('data-agency') ?? element.closest('td')?.cellIndex ?? 'cell'),
    );
    expect(suppressed.length).toBeGreaterThan(0);
    expect(await count('#series .bar.XK.suppressed')).toBe(0);
    expect(await count('#map .mark.XK.suppressed')).toBe(0);
    await browser.screenshot('picture-xk-analyst');

    await page.click('#export-csv');
    const csv = await until('the CSV download', async () => {
      const name = (await readdir(downloads)).find((file) => file.endsWith('.csv'));
      return name ? readFile(join(downloads, name), 'utf8') : undefined;
    });
    const [header, ...rows] = csv.trimEnd().split('\r\n');
    expect(header).toBe('table,agency,period,breakdown,suppressed,alerts,firearms,rounds,explosivesKg,threat,vulnerability,impact,personsArrested');
    expect(rows.some((row) => row.startsWith('arrests,JOINT,') && row.endsWith(',true,,,,,,,,'))).toBe(true);
    expect(rows.some((row) => /^arrests,JOINT,[0-9-]+,,false,,,,,,,,12$/.test(row))).toBe(true);
    expect(rows.some((row) => row.startsWith('byMunicipality,'))).toBe(true);
    expect(rows.some((row) => row.startsWith('byPlace,MK,') && row.includes(',true,'))).toBe(true);
    expect(rows.some((row) => row.startsWith('byPlace,XK,') && row.includes(',true,'))).toBe(false);
    expect(browser.foreignRequests).toEqual([]);
    expect(pageProblems).toEqual([]);
  });

  it("shows the MK analyst the same border from MK's side: XK's cells protected", { timeout: 120_000 }, async () => {
    await page.click('#signout');
    await signIn('mk-analyst');
    await until('the series', async () => (await count('#series .bar.MK')) >= 12);
    const legend = await page.$eval('#legend', (element) => element.textContent ?? '');
    expect(legend).toContain('MK: your agency, whole');
    expect(legend).toContain("XK: partner's statistics");
    expect(await count('#series .bar.MK.suppressed')).toBe(0);
    expect(await count('#ciram td.suppressed, #breakdowns td.suppressed, #map .mark.XK.suppressed, #series .bar.XK.suppressed')).toBeGreaterThan(0);
    await browser.screenshot('picture-mk-analyst');
    await browser.screenshot('picture-readme', { x: 0, y: 0, width: 1400, height: 900 });
    expect(browser.foreignRequests).toEqual([]);
    expect(pageProblems).toEqual([]);
  });

  it('works on a gateway that runs trusted documents only, as production does: its one operation sent by the id of its agreed document', { timeout: 120_000 }, async () => {
    await using gateway = anotherGateway(hub, { introspection: false, followFeeds: false, trustedDocuments: loadTrustedDocuments(), nodeTimeoutMs: 15_000 });
    const url = await gateway.start();
    // Another origin (its own port): nobody is signed in there yet.
    await signIn('xk-analyst', url);
    await until('the series', async () => (await count('#series .bar.XK')) >= 12 && (await count('#series .bar.MK')) >= 12);
    await until('the breakdowns', async () => (await count('#breakdowns .breakdown')) === 6);
    expect(await page.$eval('#error', (element) => (element as HTMLElement).hidden)).toBe(true);
    // Nothing the page sent was refused as untrusted.
    expect(await adminQuery(hub.hubDatabase.name, `select seq from audit.entry where error_code = 'DOCUMENT_NOT_TRUSTED'`)).toEqual([]);
    expect(browser.foreignRequests).toEqual([]);
    expect(pageProblems).toEqual([]);
  });
});
