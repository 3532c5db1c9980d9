import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleContentSecurityPolicy } from '../src/console/useConsole.ts';
import { loadTrustedDocuments } from '../src/gateway/trustedDocuments.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, anotherGateway, demoUsers, graphql, launchTestBrowser, startTestHub, tamperWithAuditEntry, type TestBrowser, type TestHub } from './helpers.ts';

// The auditors' console as an auditor uses it, in a real Chromium that cannot
// reach the internet: signing in with a demo token, the log filtered and an
// entry opened, a record's trail, the chains turning red on a tampering, the
// charts, the exports, and an officer's token refused.

const slow = { timeout: 30_000 };
const auditor = demoUsers['xk-auditor'];
const mkOfficer = demoUsers['mk-border-officer'];
const fisher = 'xk.bp.fisher';

let hub: TestHub;
let browser: TestBrowser;
let page: Page;
let downloads: string;
/** What the page itself reported as broken: script errors, CSP refusals. */
const pageProblems: string[] = [];

/** The visible text of the element, once it shows something for which `until` holds (polled: no wall-clock assertion, a limit). */
async function textOf(selector: string, until: (text: string) => boolean = (text) => text.length > 0): Promise<string> {
  let text = '';
  for (let attempt = 0; attempt < 300; attempt += 1) {
    text = await page.$eval(selector, (element) => (element as HTMLElement).innerText).catch(() => '(absent)');
    if (text !== '(absent)' && until(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${selector} shows: ${text}; page problems: ${pageProblems.join(' | ') || 'none'}`);
}

async function signIn(token: string) {
  await page.goto(new URL('/console', hub.gatewayUrl).href, { waitUntil: 'load' });
  await page.$eval('#token', (element, value) => ((element as HTMLTextAreaElement).value = value), token);
  await page.click('#signin-form button[type=submit]');
}

async function fill(selector: string, value: string) {
  await page.$eval(selector, (element, v) => ((element as HTMLInputElement).value = v), value);
}

beforeAll(async () => {
  // Each walk of a log is fresh, so that the tampering below shows at once.
  hub = await startTestHub({ gateway: { auditChainMaxAgeMs: 0 }, node: { auditChainMaxAgeMs: 0 } });
  const alert = (await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() })).data!.createAlert;
  await hub.query('mk-border-officer', `query Peek($id: ID!) { alert(id: $id) { reference } }`, { id: alert.id });
  await hub.query('mk-border-officer', `query Feed { alerts(agencies: ["XK"]) { totalCount } }`);
  const watch = `mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`;
  const watched = await hub.query('xk-border-officer', watch, { input: { plate: 'WE-417-KS', plateCountry: 'XK', expiresAt: new Date(Date.now() + 5 * 864e5).toISOString() } });
  expect(watched.errors).toBeUndefined();
  const search = `query Find($plate: String!) { search(input: { plate: $plate }) { outcome } }`;
  for (const [sub, times] of [['xk.bp.a', 1], ['xk.bp.b', 2], ['xk.bp.c', 1], ['xk.bp.d', 2], [fisher, 10]] as const) {
    const token = await hub.token({ sub, agency: 'XK', unit: 'XK-BP-HANI', roles: ['officer'] });
    for (let i = 0; i < times; i += 1) await graphql(hub.gatewayUrl, search, { plate: `01-${100 + i}-AB` }, { token });
  }
  browser = await launchTestBrowser({ width: 1280, height: 860 });
  page = browser.page;
  page.on('pageerror', (error) => pageProblems.push(String(error)));
  // Refused requests are the API's answers (a query this hub lacks is a 400), not faults of the page.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageProblems.push(message.text());
  });
  downloads = await mkdtemp(join(tmpdir(), 'console-downloads-'));
  const session = await page.browser().target().createCDPSession();
  await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
}, 180_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await hub?.[Symbol.asyncDispose]();
  if (downloads) await rm(downloads, { recursive: true, force: true });
});

describe('the audit console', () => {
  it("signs the demo auditor in and shows their agency's log, everything from the hub, under a strict policy", async () => {
    const response = await page.goto(new URL('/console', hub.gatewayUrl).href, { waitUntil: 'load' });
    expect(response!.headers()['content-security-policy']).toBe(consoleContentSecurityPolicy);
    expect(consoleContentSecurityPolicy).toContain("script-src 'self';");
    await signIn(await hub.token('xk-auditor'));
    const summary = await textOf('#log-summary');
    expect(summary).toMatch(/^XK: \d+ entries match/);
    expect(await textOf('#who')).toContain(auditor.sub);
    await browser.screenshot('console-log');
    expect(browser.foreignRequests).toEqual([]);
    expect(pageProblems).toEqual([]);
  });

  it("is audited like any other read: the console's reads are consultations in the gateway's log", async () => {
    const entries = await adminQuery<{ operation: string; purpose: string; outcome: string }>(
      hub.hubDatabase.name,
      `select operation, purpose, outcome from audit.entry where kind = 'CONSULTATION' and actor_sub = $1 order by seq`,
      [auditor.sub],
    );
    expect(entries).toEqual(expect.arrayContaining([{ operation: 'query ConsoleAuditEntries', purpose: 'AUDIT', outcome: 'OK' }]));
  });

  it('filters the log by officer and opens an entry in full', async () => {
    await fill('#log-filter [name=actorSub]', mkOfficer.sub);
    await page.click('#log-filter button[type=submit]');
    await textOf('#log-summary', (text) => /^XK: \d+ entries match/.test(text) && !text.startsWith('XK: 0 '));
    await page.waitForFunction(
      (sub: string) => {
        const rows = [...document.querySelectorAll('#log-table tbody tr')];
        return rows.length > 0 && rows.every((row) => row.children[3]?.textContent === sub);
      },
      slow,
      mkOfficer.sub,
    );
    await page.click('#log-table tbody tr');
    const entry = await textOf('#entry');
    expect(entry).toMatch(/Entry \d+ of XK/);
    for (const field of ['actorSub', 'records', 'purpose', 'hash', 'prevHash', 'traceId']) expect(entry).toContain(field);
    expect(entry).toContain(mkOfficer.sub);
    await browser.screenshot('console-entry');
  });

  it('exports the filtered entries as JSON Lines and CSV', async () => {
    const total = Number(/XK: (\d+) entries match/.exec(await textOf('#log-summary'))![1]);
    const downloaded = async (suffix: string) => {
      await page.waitForFunction(() => /^Exported/.test(document.querySelector('#log-summary')?.textContent ?? ''), slow);
      for (;;) {
        const name = (await readdir(downloads)).find((file) => file.endsWith(suffix));
        if (name) return readFile(join(downloads, name), 'utf8');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await page.click('#export-jsonl');
    const lines = (await downloaded('.jsonl')).trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(total);
    expect(lines.every((entry) => entry.actorSub === mkOfficer.sub && entry.party === 'XK')).toBe(true);
    await page.click('#export-csv');
    const csv = (await downloaded('.csv')).split('\r\n');
    expect(csv[0]!.split(',').slice(0, 3)).toEqual(['seq', 'party', 'at']);
    expect(csv.filter(Boolean)).toHaveLength(total + 1);
  });

  it("opens a record's trail across parties as a timeline", async () => {
    await page.click('#entry .trail-link');
    await textOf('#trail-summary', (text) => /entries across 2 parties/.test(text));
    const parties = await page.$$eval('#trail li', (items) => items.map((item) => item.getAttribute('data-party')));
    expect(new Set(parties)).toEqual(new Set(['XK', 'GATEWAY']));
    // At the gateway, XK's auditor sees XK's officers only; the owner's own log in full.
    const trail = await textOf('#trail');
    expect(trail).toContain(mkOfficer.sub);
    await browser.screenshot('console-trail');
  });

  it('offers no trail for a record that is not an alert (a watch entry), and names what the record is', async () => {
    await page.click('#tabs [data-tab=log]');
    await fill('#log-filter [name=actorSub]', demoUsers['xk-border-officer'].sub);
    await page.$eval('#log-filter [name=kind]', (select) => ((select as HTMLSelectElement).value = 'CHANGE'));
    await page.click('#log-filter button[type=submit]');
    await page.waitForFunction(() => [...document.querySelectorAll('#log-table tbody tr')].some((row) => row.children[7]?.textContent === 'mutation CreateWatchEntry'), slow);
    await page.$$eval('#log-table tbody tr', (rows) => (rows.find((row) => row.children[7]?.textContent === 'mutation CreateWatchEntry') as HTMLElement).click());
    const entry = await textOf('#entry', (text) => text.includes('WATCH_ENTRY'));
    expect(entry).toContain('WATCH_ENTRY XK');
    expect(await page.$$eval('#entry .trail-link', (buttons) => buttons.length)).toBe(0);
    // The trail of an id that names no alert says so, rather than "0 entries across 0 parties".
    await page.click('#tabs [data-tab=trail]');
    await fill('#trail-form [name=alertId]', Buffer.from('Alert:XK:00000000-0000-4000-8000-000000000000').toString('base64'));
    await page.click('#trail-form button[type=submit]');
    expect(await textOf('#trail-summary', (text) => text.startsWith('No entry'))).toContain('names this alert');
  });

  it('shows every chain verified, then red where a tampering broke one', async () => {
    await page.click('#tabs [data-tab=chains]');
    await page.waitForFunction(() => document.querySelectorAll('#chains .chain.verified').length === 3, slow);
    expect(await textOf('#checkpoints')).toMatch(/Not available|Party|No checkpoint/);
    await tamperWithAuditEntry(hub.nodes.get('MK')!.database.name, 2);
    await page.click('#chains-refresh');
    const broken = await textOf('#chains .chain.broken[data-party=MK]');
    expect(broken).toContain('MK: BROKEN at entry 2');
    expect(broken).toContain('entry 2 was altered: its content does not match its hash');
    expect(await page.$$eval('#chains .chain.verified', (cards) => cards.map((card) => card.getAttribute('data-party')).sort())).toEqual(['GATEWAY', 'XK']);
    await browser.screenshot('console-chains');
    // The README's picture (docs/console.png is a copy): the states, one of them red.
    await browser.screenshot('console-readme', { x: 0, y: 0, width: 1280, height: 312 });
  });

  it('draws the activity charts and names the officer with unusually many searches', async () => {
    await page.click('#tabs [data-tab=activity]');
    await textOf('#activity-summary', (text) => text.startsWith('XK: '));
    await page.$eval('#activity-form [name=party]', (select) => ((select as HTMLSelectElement).value = 'MK'));
    await page.click('#activity-form button[type=submit]');
    await textOf('#activity-summary', (text) => text.startsWith('MK: '));
    // In MK's log, XK's auditor counts what XK's officers did there, and nothing of MK's own.
    const units = await page.evaluate(() => (window as any).Chart.getChart('chart-unit').data.datasets.map((dataset: any) => dataset.label));
    expect(units.length).toBeGreaterThan(0);
    expect(units.every((unit: string) => unit.startsWith('XK-'))).toBe(true);
    const rule = await textOf('#unusual-rule', (text) => text.includes('Unusually many'));
    expect(rule).toContain('median + k × MAD');
    expect(rule).toContain(`${fisher} (10)`);
    expect(rule).not.toContain('xk.bp.a (');
    const drawn = await page.$$eval('.charts canvas', (canvases) => canvases.map((canvas) => (canvas as HTMLCanvasElement).width > 0));
    expect(drawn).toEqual([true, true, true, true]);
    await browser.screenshot('console-activity');
    expect(pageProblems).toEqual([]);
  });

  it("gives an officer's token no console data, and says why", async () => {
    await page.click('#signout');
    await signIn(await hub.token('xk-border-officer'));
    const error = await textOf('#error', (text) => text.includes('FORBIDDEN'));
    expect(error).toContain('Your roles do not allow this operation. (FORBIDDEN)');
    expect(await page.$$eval('#log-table tbody tr', (rows) => rows.length)).toBe(0);
    expect(await page.$$eval('#chains .chain', (cards) => cards.length)).toBe(0);
    await browser.screenshot('console-officer');
    expect(browser.foreignRequests).toEqual([]);
  });

  it('works on a gateway that runs trusted documents only, as production does: every operation sent by the id of its agreed document', async () => {
    await using gateway = anotherGateway(hub, { introspection: false, followFeeds: false, trustedDocuments: loadTrustedDocuments() });
    const url = await gateway.start();
    await page.goto(new URL('/console', url).href, { waitUntil: 'load' });
    await page.$eval('#token', (element, value) => ((element as HTMLTextAreaElement).value = value), await hub.token('xk-auditor'));
    await page.click('#signin-form button[type=submit]');
    expect(await textOf('#log-summary', (text) => /^XK: \d+ entries match/.test(text))).not.toMatch(/^XK: 0 /);
    await page.click('#tabs [data-tab=chains]');
    await page.waitForFunction(() => document.querySelectorAll('#chains .chain').length === 3, slow);
    await page.click('#tabs [data-tab=activity]');
    await textOf('#activity-summary', (text) => text.startsWith('XK: '));
    expect(await page.$eval('#error', (element) => (element as HTMLElement).hidden)).toBe(true);
    // Nothing the console sent was refused as untrusted.
    const refused = await adminQuery(hub.hubDatabase.name, `select seq from audit.entry where error_code = 'DOCUMENT_NOT_TRUSTED'`);
    expect(refused).toEqual([]);
  });
});
