import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditChainMonitor } from '../src/audit/auditChainMonitor.ts';
import { unusualThreshold } from '../src/audit/auditActivity.ts';
import { csvCell, toCsv, toJsonLines } from '../src/console/csv.js';
import { consoleContentSecurityPolicy } from '../src/console/useConsole.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { codes, graphql, startTestHub, tamperWithAuditEntry, type TestHub } from './helpers.ts';

// The console's own queries: each party's walk of its log, and the activity aggregates.

let hub: TestHub;
const audit = { purpose: 'AUDIT', caseReference: null };
const chains = `query Chains { auditChains { party entryCount headSeq headHash headAt verified problem { seq reason } checkedAt } }`;
const activity = `query Activity($party: String!, $from: DateTime, $to: DateTime) {
  auditActivity(party: $party, from: $from, to: $to) {
    party from to
    accessesByPurpose { day key count } accessesByUnit { day key count } denials { day key count }
    searches { median mad k threshold officers { actorSub actorUnit count unusual } }
  }
}`;
const total = `query Total($party: String!, $filter: AuditFilter) { auditEntries(party: $party, filter: $filter, first: 1) { totalCount } }`;
const search = `query Find($plate: String!) { search(input: { plate: $plate }) { outcome } }`;
const searchers = ['xk.bp.a', 'xk.bp.b', 'xk.bp.c', 'xk.bp.d', 'xk.bp.e'];
const fisher = 'xk.bp.fisher';
/** Fishes with watch entries instead: each is a standing search, matched at once against every record. */
const watcher = 'xk.bp.watcher';
const oversight = { sub: 'board.member', agency: 'MK', unit: 'MK-DPO', roles: ['oversight' as const] };

const sum = (counts: { count: number }[]) => counts.reduce((total, { count }) => total + count, 0);

beforeAll(async () => {
  hub = await startTestHub({ gateway: { auditChainMaxAgeMs: 0 }, node: { auditChainMaxAgeMs: 0 } });
  await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  await hub.query('mk-border-officer', `query Feed { alerts { totalCount } }`);
  // A denial at the nodes' and the gateway's: an officer reading the logs.
  await hub.query('mk-border-officer', total, { party: 'MK' }, audit);
  const searchAs = async (sub: string, times: number) => {
    const token = await hub.token({ sub, agency: 'XK', unit: 'XK-BP-HANI', roles: ['officer'] });
    for (let i = 0; i < times; i += 1) await graphql(hub.gatewayUrl, search, { plate: `01-${100 + i}-AB` }, { token });
  };
  for (const [index, sub] of searchers.entries()) await searchAs(sub, 1 + (index % 2));
  await searchAs(fisher, 12);
  const watcherToken = await hub.token({ sub: watcher, agency: 'XK', unit: 'XK-BP-HANI', roles: ['officer'] });
  for (let i = 0; i < 12; i += 1) {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const watched = await graphql(hub.gatewayUrl, `mutation($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`, { input: { plate: `03-${100 + i}-AB`, plateCountry: 'MK', expiresAt } }, { token: watcherToken });
    expect(watched.errors).toBeUndefined();
  }
  await hub.query('mk-border-officer', search, { plate: '02-777-KS' });
}, 120_000);
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('auditChains', () => {
  it("gives every party's own verdict on its log, and the break a tampering made, with where it is", async () => {
    const before = await hub.query('xk-auditor', chains, {}, audit);
    expect(before.errors).toBeUndefined();
    const states = before.data!.auditChains as any[];
    expect(states.map((state) => state.party).sort()).toEqual(['GATEWAY', 'MK', 'XK']);
    for (const state of states) {
      expect(state, state.party).toMatchObject({ verified: true, problem: null });
      expect(state.entryCount, state.party).toBeGreaterThan(0);
      expect(state.entryCount, state.party).toBe(state.headSeq);
      expect(state.headHash, state.party).toMatch(/^[0-9a-f]{64}$/);
    }

    await tamperWithAuditEntry(hub.nodes.get('MK')!.database.name, 2);
    const after = await hub.query('xk-auditor', chains, {}, audit);
    const byParty = new Map((after.data!.auditChains as any[]).map((state) => [state.party, state]));
    expect(byParty.get('MK')).toMatchObject({ verified: false, problem: { seq: 2, reason: 'entry 2 was altered: its content does not match its hash' } });
    expect(byParty.get('XK')).toMatchObject({ verified: true });
    expect(byParty.get('GATEWAY')).toMatchObject({ verified: true });
  });

  it('walks a log once for any number of callers at once, and serves the walk for its maximum age', async () => {
    const monitor = createAuditChainMonitor({ party: 'XK', databaseUrl: hub.nodes.get('XK')!.database.url, maxAgeMs: 60_000 });
    try {
      const [a, b] = await Promise.all([monitor.state(), monitor.state()]);
      expect(a).toBe(b);
      await tamperWithAuditEntry(hub.nodes.get('XK')!.database.name, 1);
      // Within the maximum age the walk stands (checkedAt says when it was made); a new monitor walks again.
      expect(await monitor.state()).toBe(a);
      const fresh = createAuditChainMonitor({ party: 'XK', databaseUrl: hub.nodes.get('XK')!.database.url });
      expect((await fresh.state()).problem?.seq).toBe(1);
      await fresh.close();
    } finally {
      await monitor.close();
    }
  });

  it('is closed to officers, and to auditors under another purpose', async () => {
    expect(codes(await hub.query('xk-border-officer', chains, {}, audit))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.query('xk-auditor', chains, {}))).toEqual(['PURPOSE_NOT_ALLOWED']);
  });
});

describe('auditActivity', () => {
  it("counts exactly the entries of the auditor's scope, as auditEntries gives them", async () => {
    // Reading is audited: the period ends before these reads, so that they do not count themselves.
    const period = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() };
    for (const party of ['MK', 'XK', 'GATEWAY']) {
      const result = await hub.query('xk-auditor', activity, { party, ...period }, audit);
      expect(result.errors, party).toBeUndefined();
      const { accessesByPurpose, accessesByUnit, denials } = result.data!.auditActivity;
      const count = async (filter: Record<string, unknown>) =>
        (await hub.query('xk-auditor', total, { party, filter: { ...filter, ...period } }, audit)).data!.auditEntries.totalCount as number;
      let accesses = 0;
      for (const kind of ['CONSULTATION', 'DISCLOSURE']) for (const outcome of ['OK', 'PARTIAL']) accesses += await count({ kind, outcome });
      expect(sum(accessesByPurpose), party).toBe(accesses);
      expect(sum(accessesByUnit), party).toBe(accesses);
      expect(sum(denials), party).toBe(await count({ outcome: 'DENIED' }));
      // Only what XK's officers did, in another party's log.
      if (party !== 'XK') expect(accessesByUnit.every((row: any) => row.key.startsWith('XK-')), party).toBe(true);
    }
    // The oversight board sees MK's own officers too.
    const board = await graphql(hub.gatewayUrl, activity, { party: 'MK' }, { token: await hub.token(oversight), ...audit });
    const units = new Set(board.data!.auditActivity.accessesByUnit.map((row: any) => row.key));
    expect(units.has('MK-BP-BLACE')).toBe(true);
    const mine = await hub.query('xk-auditor', activity, { party: 'MK' }, audit);
    expect(mine.data!.auditActivity.accessesByUnit.some((row: any) => row.key === 'MK-BP-BLACE')).toBe(false);
  });

  it('counts searches per officer at each node and marks the unusual ones (median + 3 × MAD)', async () => {
    const result = await hub.query('xk-auditor', activity, { party: 'MK' }, audit);
    const searches = result.data!.auditActivity.searches;
    const counts = new Map(searches.officers.map((officer: any) => [officer.actorSub, officer]));
    expect([...counts.keys()].sort()).toEqual([...searchers, fisher, watcher].sort());
    // Counts 1, 2, 1, 2, 1, 12 and 12: median 2, absolute deviations 1, 0, 1, 0, 1, 10, 10, their median 1.
    expect(searches).toMatchObject({ median: 2, mad: 1, k: 3, threshold: 5 });
    expect(counts.get(fisher)).toMatchObject({ count: 12, unusual: true });
    expect(counts.get(watcher)).toMatchObject({ count: 12, unusual: true });
    expect(searchers.every((sub) => !(counts.get(sub) as any).unusual)).toBe(true);
    // The gateway's entries do not say which fields an operation ran: no search counts there.
    expect((await hub.query('xk-auditor', activity, { party: 'GATEWAY' }, audit)).data!.auditActivity.searches).toBeNull();
  });

  it('takes a period: entries outside it are not counted, and the day is UTC', async () => {
    const empty = await hub.query('xk-auditor', activity, { party: 'XK', from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' }, audit);
    expect(empty.data!.auditActivity).toMatchObject({ accessesByPurpose: [], accessesByUnit: [], denials: [], from: '2020-01-01T00:00:00.000Z' });
    const now = await hub.query('xk-auditor', activity, { party: 'XK' }, audit);
    expect(now.data!.auditActivity.accessesByPurpose.map((row: any) => row.day)).toContain(new Date().toISOString().slice(0, 10));
  });

  it('refuses a bad period, an unknown party, officers and other purposes, with stable codes', async () => {
    const refused = async (variables: Record<string, unknown>) => {
      const result = await hub.query('xk-auditor', activity, variables, audit);
      expect(result.data?.auditActivity ?? null).toBeNull();
      return codes(result);
    };
    expect(await refused({ party: 'XK', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toEqual(['VALIDATION_FAILED']);
    expect(await refused({ party: 'XK', from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toEqual(['VALIDATION_FAILED']);
    expect(await refused({ party: 'GATEWAY', from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toEqual(['VALIDATION_FAILED']);
    expect(await refused({ party: 'AL' })).toEqual(['AGENCY_UNKNOWN']);
    expect(await refused({ party: 'XK', from: 'yesterday' })).toEqual(['BAD_USER_INPUT']);
    expect(codes(await hub.query('xk-border-officer', activity, { party: 'XK' }, audit))).toEqual(['FORBIDDEN']);
    expect(codes(await hub.query('xk-auditor', activity, { party: 'XK' }))).toEqual(['PURPOSE_NOT_ALLOWED']);
  });
});

describe('unusualThreshold', () => {
  it('is median + k × MAD, the MAD taken as at least 1', () => {
    expect(unusualThreshold([1, 1, 2, 2, 1, 12])).toEqual({ median: 1.5, mad: 0.5, threshold: 4.5 });
    expect(unusualThreshold([10, 20, 30, 40, 50])).toEqual({ median: 30, mad: 10, threshold: 60 });
    expect(unusualThreshold([])).toEqual({ median: 0, mad: 0, threshold: 3 });
  });
});

describe('what /console serves', () => {
  it('its own files only, each under the strict policy, nothing else of the disk', async () => {
    for (const path of ['/console', '/console/console.js', '/console/csv.js', '/console/console.css', '/console/chart.umd.min.js']) {
      const response = await fetch(new URL(path, hub.gatewayUrl));
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toBe(consoleContentSecurityPolicy);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      await response.arrayBuffer();
    }
    for (const path of ['/console/useConsole.ts', '/console/csv.d.ts', '/console/../package.json', '/console/%2e%2e/package.json', '/console/x']) {
      const response = await fetch(new URL(path, hub.gatewayUrl));
      expect(response.status, path).toBe(404);
      await response.arrayBuffer();
    }
    const post = await fetch(new URL('/console', hub.gatewayUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(404);
    await post.arrayBuffer();
  });
});

describe("the console's exports", () => {
  it('escapes CSV cells (RFC 4180) and defuses every cell a spreadsheet would run as a formula', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const formula of ['=HYPERLINK("http://x")', '+1', '-1+1', '@SUM(A1)', '\t=1', '\r=1']) {
      const cell = csvCell(formula);
      expect(cell.replace(/^"/, '').startsWith("'"), formula).toBe(true);
    }
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    // Numbers stay numbers; nothing is a formula there. Objects are JSON.
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
    expect(csvCell([{ id: 'x', tier: 'HIT' }])).toBe('"[{""id"":""x"",""tier"":""HIT""}]"');
  });

  it('writes every field any entry has, in order of first appearance, one line per entry', () => {
    const entries = [
      { seq: 2, party: 'XK', operation: '=cmd|calc' },
      { seq: 1, party: 'XK', variables: { plate: '01-234-AB' } },
    ];
    expect(toCsv(entries)).toBe(`seq,party,operation,variables\r\n2,XK,'=cmd|calc,\r\n1,XK,,"{""plate"":""01-234-AB""}"\r\n`);
    expect(toJsonLines(entries).split('\n').filter(Boolean).map((line) => JSON.parse(line))).toEqual(entries);
  });
});
