// Issue 19: writes at the scale of a real watch list. `createAlert` at the XK
// node with 10,000 active watch entries of MK units (1,000 units, every kind:
// plates, serials, serials with unreadable characters, persons, documents,
// VINs), beside the same writes before any entry was registered, and beside
// the MK node, which has none, in the same rounds. Goals: committed writes per
// second at least 0.8× the baseline, p99 at most 1.5×.

import pg from 'pg';
import { createPrismaClient } from '../../src/database/createPrismaClient.ts';
import { syntheticWatchedIdentifier, syntheticWatchEntries } from '../../src/demo/syntheticWatchList.ts';
import { nodeOperations } from '../../src/gateway/nodeOperations.ts';
import { startBenchHub, type OfficerSession } from '../benchHub.ts';
import { httpLoads, measureInterleaved, type Measurement } from '../measure.ts';
import type { BenchContext, BenchFigure, BenchPart } from '../suite.ts';

const entriesAtScale1 = 10_000;
const unitsAtScale1 = 1_000;
/** One write in this many carries an identifier an entry watches: it hits, and its event is written with it. */
const watchedEvery = 20;
/** One firearm in this many has its serial marked obliterated: it is also compared by trigram similarity. */
const obliteratedEvery = 12;
const requestsAtScale1 = 400;

const pad = (value: number, length: number) => String(value).padStart(length, '0');

/**
 * The k-th seizure a writer records: a firearm, a car and its driver with a
 * passport, every identifier its own, so that each is looked up; one in
 * {@link watchedEvery} also carries what synthetic entry k watches.
 */
function seizure(agency: string, k: number, entries: number) {
  const serial = `ZR${pad(k, 7)}${agency}`;
  const own = {
    firearms: [{ make: 'Zastava', model: 'M70', type: 'PISTOL', calibre: '7.65×17 mm', serialNumber: serial, serialObliterated: k % obliteratedEvery === 0 }],
    vehicles: [{ role: 'CONCEALMENT', plate: `${agency}-${pad(k, 6)}`, plateCountry: agency, vin: `BX${agency === 'XK' ? 'K' : 'M'}${pad(k, 14)}` }],
    subjects: [
      {
        role: 'DRIVER',
        familyName: 'Krasniqi',
        givenName: `Besnik`,
        dateOfBirth: new Date(Date.UTC(1970, 0, 1) + (k % 9_000) * 86_400_000).toISOString().slice(0, 10),
        nationality: agency,
        documents: [{ kind: 'PASSPORT', number: `P${agency}${pad(k, 7)}`, issuingCountry: agency }],
      },
    ],
  };
  const watched = k % watchedEvery === 0 ? syntheticWatchedIdentifier((k / watchedEvery) % entries) : {};
  return {
    kind: 'SEIZURE',
    title: `Seizure ${k}`,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
    risk: { threat: 3, vulnerability: 3, impact: 3 },
    ...own,
    ...watched,
  };
}

/** Writes seizures at an agency's node, straight (as the gateway would send them), numbering them from `start`. */
function writer(session: OfficerSession, agency: string, entries: number) {
  let k = 0;
  return () => session.node(agency, nodeOperations.createAlert, { input: seizure(agency, k++, entries) });
}

async function runWatchList({ scale, log }: BenchContext): Promise<BenchFigure[]> {
  const entries = Math.max(200, Math.round(entriesAtScale1 * scale));
  const units = Math.max(20, Math.round(unitsAtScale1 * scale));
  const { concurrent } = httpLoads(scale, requestsAtScale1);
  // Each node in a process of its own, as production runs one container per party: the writer here does not share their event loop.
  const hub = await startBenchHub({ agencies: ['XK', 'MK'], syntheticAlerts: Math.max(100, Math.round(1_000 * scale)), log, nodeProcesses: true, gateway: { followFeeds: false } });
  try {
    const writes = { xk: writer(await hub.as('xk-border-officer'), 'XK', entries), mk: writer(await hub.as('mk-border-officer'), 'MK', entries) };

    log(`watchList: createAlert at XK and MK, ${concurrent.requests} each, ${concurrent.label}, no watch entry anywhere`);
    const before = await measureInterleaved(writes, concurrent);

    log(`watchList: ${entries} watch entries of ${units} MK units registered at the XK node`);
    const prisma = createPrismaClient({ databaseUrl: hub.setup.nodeDatabaseUrls.get('XK')! });
    try {
      await prisma.watchEntry.createMany({ data: syntheticWatchEntries({ count: entries, units, agency: 'MK', now: new Date() }) });
    } finally {
      await prisma.$disconnect();
    }
    // As autovacuum leaves a table that grew by this much (statistics, the trigram index's pending list merged).
    const client = new pg.Client({ connectionString: hub.setup.nodeDatabaseUrls.get('XK')! });
    await client.connect();
    try {
      await client.query('vacuum analyze node.watch_entry');
    } finally {
      await client.end();
    }

    log(`watchList: createAlert at XK (${entries} entries) and MK (none), ${concurrent.requests} each, ${concurrent.label}`);
    const after = await measureInterleaved(writes, concurrent);
    const hits = await countHits(hub.setup.nodeDatabaseUrls.get('XK')!);

    const setting = `${concurrent.requests} createAlert each, ${concurrent.label}, straight to the node (own process); each write a firearm (1 in ${obliteratedEvery} obliterated), a car with plate and VIN, a driver with a passport; 1 in ${watchedEvery} carries a watched identifier (${hits} hits written)`;
    const control = `before any entry, XK ${fmt(before.xk.throughput)}/s p99 ${fmt(before.xk.p99)} ms, MK ${fmt(before.mk.throughput)}/s p99 ${fmt(before.mk.p99)} ms`;
    const goals = (name: string, measured: Measurement, baseline: { name: string; value: Measurement }, note: string): BenchFigure[] => [
      {
        name: `createAlert committed/s at XK, ${entries} watch entries, ${name}`,
        value: measured.throughput,
        unit: 'writes/s',
        baseline: { name: baseline.name, value: baseline.value.throughput },
        goal: '≥ 0.8× baseline',
        met: measured.throughput >= 0.8 * baseline.value.throughput,
        note,
      },
      {
        name: `createAlert p99 at XK, ${entries} watch entries, ${name}`,
        value: measured.p99,
        unit: 'ms',
        baseline: { name: baseline.name, value: baseline.value.p99 },
        goal: '≤ 1.5× baseline',
        met: measured.p99 <= 1.5 * baseline.value.p99,
        note: `p50 ${fmt(measured.p50)} ms (baseline ${fmt(baseline.value.p50)} ms)`,
      },
    ];
    return [
      ...goals('vs the same node before', after.xk, { name: 'XK before any watch entry', value: before.xk }, setting),
      ...goals('vs MK in the same rounds', after.xk, { name: 'MK, no watch entry, interleaved', value: after.mk }, `the two nodes alike without entries: ${control}`),
    ];
  } finally {
    log('watchList: stopping');
    await hub.stop();
  }
}

const fmt = (value: number) => value.toFixed(1);

/** Hits the XK node wrote during the measured writes: that matching found what it should. */
async function countHits(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from node.watch_hit`);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

const part: BenchPart = {
  name: 'watchList',
  description: `Writes at the scale of a real watch list (issue 19): createAlert at the XK node with ${entriesAtScale1.toLocaleString('en')} active watch entries of ${unitsAtScale1.toLocaleString('en')} MK units, beside the same writes before any entry and beside the MK node (no entries) in the same rounds`,
  run: runWatchList,
};

export default part;
