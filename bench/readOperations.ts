// The requests the node and gateway parts time, written here against the
// contracts (not borrowed from the gateway's own node documents), so that the
// gateway is measured on what a client asks and what it then makes the nodes
// do. test/benchReport.test.ts validates each against its contract.

import { syntheticAlerts, type RawAlertInput } from '../src/demo/demoData.ts';
import { toGlobalId } from '../src/gateway/globalId.ts';
import type { OfficerSession, Variables } from './benchHub.ts';
import type { BenchServers } from './benchServers.ts';

export const pageSize = 20;

/**
 * An officer's list view, as in the README's example: enough to recognise a
 * record, its tier and whom to call, and the personal data where the tier
 * allows. The node's form is the same with the owner as a code.
 */
const listSelection = (owner: string) => /* GraphQL */ `
  id reference kind ${owner} createdAt
  contactPoint { unitName phone }
  access { tier basis validUntil canRequestHigher }
  summary { title occurredAt location { kind borderCrossing } risk { level } firearms { make model serialNumber } }
  personalData { subjects { familyName givenName } vehicles { plate } }
`;

const page = /* GraphQL */ `pageInfo { hasNextPage endCursor } totalCount`;

/** The node contract's form of each request (contracts/node.graphql). */
export const nodeDocuments = {
  floor: /* GraphQL */ `query Floor { __typename }`,
  alerts: /* GraphQL */ `query Alerts($first: Int!, $after: String) { alerts(first: $first, after: $after) { edges { cursor node { ${listSelection('owner')} } } ${page} } }`,
  alert: /* GraphQL */ `query Alert($id: ID!) { alert(id: $id) { ${listSelection('owner')} } }`,
  createAlert: /* GraphQL */ `mutation CreateAlert($input: CreateAlertInput!) { createAlert(input: $input) { ${listSelection('owner')} } }`,
} as const;

/** The public API's form (contracts/gateway.graphql). */
export const gatewayDocuments = {
  alerts: /* GraphQL */ `query Alerts($first: Int!, $after: String) { alerts(first: $first, after: $after) { edges { cursor node { ${listSelection('owner { code name }')} } } ${page} unavailableAgencies } }`,
  alert: /* GraphQL */ `query Alert($id: ID!) { alert(id: $id) { ${listSelection('owner { code name }')} } }`,
  createAlert: /* GraphQL */ `mutation CreateAlert($input: CreateAlertInput!) { createAlert(input: $input) { ${listSelection('owner { code name }')} } }`,
} as const;

interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
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
function newAlertInputs(): () => Variables {
  const seizure = syntheticAlerts('XK', 50, 2_024, new Date()).find((alert) => alert.input.kind === 'SEIZURE');
  if (!seizure) throw new Error('no seizure among the synthetic alerts');
  const template = toWire(seizure.input);
  let serial = 0;
  return () => ({ ...template, title: `Benchmark seizure ${(serial += 1)}` });
}

/** Each request as a call, by the way it reaches the XK records: straight, through the pass-through or Hive Gateway, through the gateway. */
export interface ReadCalls {
  node: { floor: () => Promise<unknown>; alerts: () => Promise<unknown>; alert: () => Promise<unknown>; createAlert: () => Promise<unknown> };
  /** The MK node's page, straight: the other half of the gateway's merge. */
  nodeMK: { alerts: () => Promise<unknown> };
  passThrough: { alerts: () => Promise<unknown>; alert: () => Promise<unknown> };
  hiveProxy: { alerts: () => Promise<unknown>; alert: () => Promise<unknown> };
  gateway: { alerts: () => Promise<unknown>; alert: () => Promise<unknown>; createAlert: () => Promise<unknown> };
}

/**
 * The calls of an XK border officer. Their answers are checked once first
 * (the merge covers both nodes, the pass-through answers as the node does,
 * the lookup finds its alert), so that a broken set-up fails here rather
 * than producing numbers; after that, any error fails the part.
 */
export async function readCalls(servers: BenchServers): Promise<ReadCalls> {
  const session: OfficerSession = await servers.as('xk-border-officer');
  const passThrough: OfficerSession = await servers.viaPassThrough('xk-border-officer');
  const hiveProxy: OfficerSession = await servers.viaHiveProxy('xk-border-officer');
  const first = { first: pageSize };
  const nodePage = () => session.node<{ alerts: Page }>('XK', nodeDocuments.alerts, first);
  const mkPage = () => session.node<{ alerts: Page }>('MK', nodeDocuments.alerts, first);
  const passThroughPage = () => passThrough.node<{ alerts: Page }>('XK', nodeDocuments.alerts, first);
  const hivePage = () => hiveProxy.node<{ alerts: Page }>('XK', nodeDocuments.alerts, first);
  const gatewayPage = () => session.gateway<{ alerts: Page }>(gatewayDocuments.alerts, first);

  // One untimed call each first, its errors ignored: a cold gateway on a busy machine can miss
  // its 5 s node timeout once (JIT, Prisma's first queries), which would fail the checks below.
  for (const call of [nodePage, passThroughPage, hivePage, gatewayPage]) await call().catch(() => {});
  const [xk, mk, viaPassThrough, viaHive, merged] = await Promise.all([nodePage(), mkPage(), passThroughPage(), hivePage(), gatewayPage()]);
  if (merged.alerts.totalCount !== xk.alerts.totalCount + mk.alerts.totalCount) {
    throw new Error(`the gateway merged ${merged.alerts.totalCount} alerts, the nodes hold ${xk.alerts.totalCount} + ${mk.alerts.totalCount}`);
  }
  if (merged.alerts.edges.length !== pageSize) throw new Error(`the gateway's page holds ${merged.alerts.edges.length} alerts, not ${pageSize}`);
  if (JSON.stringify(viaPassThrough) !== JSON.stringify(xk)) throw new Error('the pass-through answered otherwise than the node');
  if (JSON.stringify(viaHive) !== JSON.stringify(xk)) throw new Error('Hive Gateway answered otherwise than the node');

  const localId = xk.alerts.edges[0]?.node.id;
  if (!localId) throw new Error('the XK node holds no alerts');
  const globalId = toGlobalId('Alert', 'XK', localId);
  const found = await Promise.all([
    session.node<{ alert: unknown }>('XK', nodeDocuments.alert, { id: localId }),
    passThrough.node<{ alert: unknown }>('XK', nodeDocuments.alert, { id: localId }),
    hiveProxy.node<{ alert: unknown }>('XK', nodeDocuments.alert, { id: localId }),
    session.gateway<{ alert: unknown }>(gatewayDocuments.alert, { id: globalId }),
  ]);
  if (found.some((data) => !data.alert)) throw new Error(`alert ${localId} of XK was not found`);

  // One sequence for both ways, so that every alert created has a title of its own.
  const nextInput = newAlertInputs();
  return {
    node: {
      floor: () => session.node('XK', nodeDocuments.floor),
      alerts: nodePage,
      alert: () => session.node('XK', nodeDocuments.alert, { id: localId }),
      createAlert: () => session.node('XK', nodeDocuments.createAlert, { input: nextInput() }),
    },
    nodeMK: { alerts: mkPage },
    passThrough: {
      alerts: passThroughPage,
      alert: () => passThrough.node('XK', nodeDocuments.alert, { id: localId }),
    },
    hiveProxy: {
      alerts: hivePage,
      alert: () => hiveProxy.node('XK', nodeDocuments.alert, { id: localId }),
    },
    gateway: {
      alerts: gatewayPage,
      alert: () => session.gateway(gatewayDocuments.alert, { id: globalId }),
      createAlert: () => session.gateway(gatewayDocuments.createAlert, { input: nextInput() }),
    },
  };
}
