import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { BenchHub } from './benchHub.ts';
import { measure, type Load, type Measurement } from './measure.ts';

/** What a hit costs: an XK seizure until the watching MK unit's subscriber holds the hit, against the seizure alone. */
export interface HitLatency {
  load: Load;
  /** createAlert through the gateway, with a plate nobody watches. */
  createOnly: Measurement;
  /** createAlert through the gateway with a watched plate, until the hit has arrived over graphql-ws. */
  createUntilHit: Measurement;
}

const hitLoad: Load = { label: 'sequential', warmup: 5, requests: 100, concurrency: 1 };

const seizure = (plate: string) => ({
  kind: 'SEIZURE',
  title: 'Benchmark seizure at Blace',
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
  location: { kind: 'BORDER_CROSSING_POINT', borderCrossing: 'HANI_I_ELEZIT_BLACE' },
  risk: { threat: 3, vulnerability: 3, impact: 3 },
  vehicles: [{ role: 'CONCEALMENT', plate, plateCountry: 'XK' }],
});

const createAlert = /* GraphQL */ `mutation CreateAlert($input: CreateAlertInput!) { createAlert(input: $input) { id } }`;

/**
 * Real sockets, the gateway's own follower and the node's outbox: the MK
 * officer watches a plate and subscribes to `hits`; each measured request is
 * an XK officer's createAlert with that plate, timed until the hit is in the
 * subscriber's hands (node matching, outbox, feed, hub routing, delivery by
 * the owner with its disclosure entry, the push).
 */
export async function measureHitLatency(hub: BenchHub): Promise<HitLatency> {
  const xk = await hub.as('xk-border-officer');
  const mk = await hub.as('mk-border-officer');
  const watched = 'BE-000-NC';
  await mk.gateway(`mutation Watch($input: WatchEntryInput!) { createWatchEntry(input: $input) { id } }`, {
    input: { plate: watched, plateCountry: 'XK', expiresAt: new Date(Date.now() + 864e5).toISOString() },
  });

  const url = new URL(hub.gatewayUrl);
  url.protocol = 'ws:';
  const client = createClient({
    url: url.href,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${await hub.token('mk-border-officer')}`, purpose: 'CRIMINAL_INVESTIGATION', caseReference: 'XK-MK-2026-BENCH' },
  });
  const waiting = new Map<string, () => void>();
  const arrived = new Set<string>();
  let failure: unknown = null;
  client.subscribe(
    { query: 'subscription Hits { hits { alert { localId } } }' },
    {
      next: (result) => {
        const id = (result.data as { hits?: { alert: { localId: string } } } | undefined)?.hits?.alert.localId;
        if (!id) return;
        arrived.add(id);
        waiting.get(id)?.();
      },
      error: (error) => (failure = error),
      complete: () => {},
    },
  );
  const probe = async (withinMs = 30_000) => {
    const { createAlert: alert } = await xk.gateway<{ createAlert: { id: string } }>(createAlert, { input: seizure(watched) });
    const local = Buffer.from(alert.id, 'base64').toString().split(':').pop()!;
    if (arrived.has(local)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no hit within ${withinMs} ms${failure ? `: ${JSON.stringify(failure)}` : ''}`)), withinMs);
      waiting.set(local, () => (clearTimeout(timer), waiting.delete(local), resolve()));
    });
  };
  try {
    // Seizures until one hit arrives: then the subscription is in place, before anything is timed.
    for (let attempt = 0; ; attempt++) {
      try {
        await probe(2_000);
        break;
      } catch (error) {
        if (attempt === 10) throw error;
      }
    }
    let unwatched = 0;
    const createOnly = await measure(() => xk.gateway(createAlert, { input: seizure(`BE-${String(++unwatched).padStart(3, '0')}-UN`) }), hitLoad);
    const createUntilHit = await measure(probe, hitLoad);
    return { load: hitLoad, createOnly, createUntilHit };
  } finally {
    await client.dispose();
  }
}
