import { Writable } from 'node:stream';
import type { Page } from 'puppeteer-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnsFromRow, hashColumns } from '../src/audit/entryColumns.ts';
import { runAuditCommand } from '../src/audit/runAuditCommand.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, databaseUrl, launchTestBrowser, startTestHub, type TestBrowser, type TestHub } from './helpers.ts';

// Issue 18 item 10: the console's chains show what `audit verify --all` finds,
// not only each party's walk of its own log. A party that deleted its tail, or
// rewrote its history and removed its own checkpoints, still walks green on
// its own; the scheduled check against the other parties' checkpoint copies and
// witnessed heads turns it red, naming the party and the entry.

const slow = { timeout: 60_000 };
let hub: TestHub;
let browser: TestBrowser;
let page: Page;

/** The cards' texts once `until` holds of them (polled, the console refreshed meanwhile: no wall-clock assertion, a limit). */
async function chainsWhen(until: (cards: Record<string, { className: string; text: string }>) => boolean) {
  let cards: Record<string, { className: string; text: string }> = {};
  for (let attempt = 0; attempt < 120; attempt += 1) {
    await page.click('#chains-refresh');
    await new Promise((resolve) => setTimeout(resolve, 500));
    cards = await page.$$eval('#chains .chain[data-party]', (elements) =>
      Object.fromEntries(elements.map((element) => [element.getAttribute('data-party'), { className: element.className, text: (element as HTMLElement).innerText }])),
    );
    if (until(cards)) return cards;
  }
  throw new Error(`the chains show: ${JSON.stringify(cards)}`);
}

/** The last check of every party, as the hub database keeps it. */
const lastChecks = () => adminQuery<{ party: string; status: string; checked_at: Date }>(hub.hubDatabase.name, 'select party, status, checked_at from hub.audit_chain_check');

/** As a superuser of the party's database, with the log's triggers off: what an insider with the keys could do. */
async function asSuperuser(database: string, tamper: (client: pg.Client) => Promise<void>) {
  const client = new pg.Client({ connectionString: databaseUrl(database) });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    await tamper(client);
    await client.query('commit');
  } finally {
    await client.end();
  }
}

const headOf = async (database: string) => Number((await adminQuery<{ seq: string }>(database, 'select max(seq) as seq from audit.entry'))[0]!.seq);

/** Waits for a check that started after now, with every party verified. */
async function allVerifiedAfter(since: Date) {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    const checks = await lastChecks();
    if (checks.length === 3 && checks.every((check) => check.status === 'VERIFIED' && check.checked_at > since)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no check with every party verified: ${JSON.stringify(await lastChecks())}`);
}

/** What `hub audit verify` says of the party's log against the other two parties' databases, as `--all` checks each. */
async function verifyCommand(party: string): Promise<string> {
  let out = '';
  const sink = new Writable({ write: (chunk, _encoding, done) => ((out += chunk), done()) });
  const databases = new Map([['GATEWAY', hub.hubDatabase.name], ...[...hub.nodes].map(([agency, node]) => [agency, node.database.name] as const)]);
  const peers = [...databases].filter(([other]) => other !== party).flatMap(([, name]) => ['--peer-database-url', databaseUrl(name)]);
  await runAuditCommand(['verify', '--database-url', databaseUrl(databases.get(party)!), '--party', party, ...peers], { stdout: sink, stderr: sink, env: {} });
  return out;
}

/** Whether the party's walk of its own log, alone, finds it intact (what the console showed before). */
async function ownWalk(party: string) {
  const { data } = await hub.query('xk-auditor', 'query Own { auditChains { party verified } }', {}, { purpose: 'AUDIT', caseReference: null });
  return (data!.auditChains as { party: string; verified: boolean }[]).find((chain) => chain.party === party)!.verified;
}

beforeAll(async () => {
  // Exchanges and checks every 700 ms, fresh walks: what is tampered shows at the next run.
  hub = await startTestHub({ gateway: { auditChainMaxAgeMs: 0, checkpointIntervalMs: 700 }, node: { auditChainMaxAgeMs: 0 } });
  // Entries in both nodes' logs, whose heads the gateway records in its own entries.
  for (const officer of ['xk-border-officer', 'mk-border-officer'] as const) {
    for (let i = 0; i < 3; i += 1) expect((await hub.query(officer, createAlertMutation, { input: alertInput() })).errors).toBeUndefined();
  }
  await allVerifiedAfter(new Date());
  browser = await launchTestBrowser({ width: 1280, height: 860 });
  page = browser.page;
  await page.goto(new URL('/console', hub.gatewayUrl).href, { waitUntil: 'load' });
  await page.$eval('#token', (element, value) => ((element as HTMLTextAreaElement).value = value), await hub.token('xk-auditor'));
  await page.click('#signin-form button[type=submit]');
  await page.waitForFunction(() => !document.querySelector('#signin-form') || (document.querySelector('#who') as HTMLElement)?.innerText.length > 0, slow);
  await page.click('#tabs [data-tab=chains]');
}, 240_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await hub?.[Symbol.asyncDispose]();
});

describe("the console's chains, checked against the other parties", () => {
  it('shows every chain verified against the others, with the time of the check', async () => {
    const cards = await chainsWhen((shown) => Object.keys(shown).length === 3 && Object.values(shown).every((card) => card.text.includes('Against the other parties: verified')));
    expect(Object.keys(cards).sort()).toEqual(['GATEWAY', 'MK', 'XK']);
    for (const card of Object.values(cards)) expect(card.className).toBe('chain verified');
    expect(cards.MK!.text).toMatch(/checked against GATEWAY, XK at /);
  });

  it("turns red for MK's deleted tail, its own checkpoints deleted with it, naming MK and the entry", async () => {
    const mk = hub.nodes.get('MK')!.database.name;
    const head = await headOf(mk);
    await asSuperuser(mk, async (client) => {
      await client.query('delete from audit.checkpoint');
      await client.query('delete from audit.entry where seq = $1', [head]);
    });
    const cards = await chainsWhen((shown) => shown.MK?.className === 'chain broken');
    // MK's own walk finds nothing wrong: only the others' records of its log show what is missing.
    expect(await ownWalk('MK')).toBe(true);
    // The console names the entry `audit verify` names (the tail refills as MK logs the console's reads: entry `head` is then a different one).
    expect(await verifyCommand('MK')).toMatch(new RegExp(`^FAILED at entry ${head}: `));
    expect(cards.MK!.text).toMatch(new RegExp(`^MK: BROKEN at entry ${head}\\b`));
    expect(cards.MK!.text).toMatch(new RegExp(`Against the other parties: BROKEN at entry ${head}: .*(GATEWAY|XK)`));
    expect(cards.XK!.className).toBe('chain verified');
    expect(cards.GATEWAY!.className).toBe('chain verified');
    await browser.screenshot('console-chains-peers');
  });

  it("turns red for XK's history rewritten with recomputed hashes and its own checkpoints removed, naming XK and the entry", async () => {
    const xk = hub.nodes.get('XK')!.database.name;
    const head = await headOf(xk);
    await asSuperuser(xk, async (client) => {
      await client.query('delete from audit.checkpoint');
      // Entry 2 says another officer did it; every hash after it is recomputed, so that XK's own walk holds.
      const { rows } = await client.query('select * from audit.entry where seq >= 1 order by seq');
      let previous = columnsFromRow(rows[0]).hash;
      for (const row of rows.slice(1).map(columnsFromRow)) {
        const { hash: _hash, ...content } = { ...row, ...(row.seq === 2 ? { actor_sub: 'somebody-else' } : {}), prev_hash: previous };
        const hash = hashColumns(content);
        await client.query('update audit.entry set actor_sub = $2, prev_hash = $3, hash = $4 where seq = $1', [row.seq, content.actor_sub, content.prev_hash, hash]);
        previous = hash;
      }
    });
    const cards = await chainsWhen((shown) => shown.XK?.className === 'chain broken');
    expect(cards.XK!.text).toMatch(/^XK: BROKEN at entry \d+/);
    const entry = Number(/^XK: BROKEN at entry (\d+)/.exec(cards.XK!.text)![1]);
    // The first record the others keep of XK's log after the rewritten entry: a witnessed head or a checkpoint copy.
    expect(entry).toBeGreaterThanOrEqual(2);
    expect(entry).toBeLessThanOrEqual(head);
    expect(cards.XK!.text).toMatch(new RegExp(`Against the other parties: BROKEN at entry ${entry}: .*(GATEWAY|XK|MK)`));
    expect(await ownWalk('XK')).toBe(true);
    expect(await verifyCommand('XK')).toMatch(new RegExp(`^FAILED at entry ${entry}: `));
  });
});
