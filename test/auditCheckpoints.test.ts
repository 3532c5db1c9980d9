import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genesisHash } from '../src/audit/auditEntry.ts';
import { columnsFromRow, hashColumns } from '../src/audit/entryColumns.ts';
import { runAuditCommand } from '../src/audit/runAuditCommand.ts';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { adminQuery, codes, graphql, startTestHub, type TestHub } from './helpers.ts';

// The parties exchange signed checkpoints through the gateway; a party that
// rewrites its own log consistently is then caught by the others' copies.

let hub: TestHub;
const exchange = 'mutation Exchange { exchangeAuditCheckpoints { party seq headHash } }';

async function audit(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write: (chunk, _encoding, done) => ((out += chunk), done()) });
  const code = await runAuditCommand(argv, { stdout: sink, stderr: sink, env: {} });
  return { code, out };
}

beforeAll(async () => {
  hub = await startTestHub();
  for (let index = 0; index < 3; index++) await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  await hub.query('mk-border-officer', '{ alerts { totalCount } }');
});
afterAll(async () => {
  await hub?.[Symbol.asyncDispose]();
});

describe('checkpoint exchange', () => {
  it('gives every party verified copies of the others\u2019 signed heads', async () => {
    const token = await hub.token({ sub: 'board.member', agency: 'MK', unit: 'MK-DPO', roles: ['oversight'] });
    const result = await graphql(hub.gatewayUrl, exchange, {}, { token, purpose: 'AUDIT', caseReference: null });
    expect(result.errors).toBeUndefined();
    expect(result.data!.exchangeAuditCheckpoints.map((checkpoint: { party: string }) => checkpoint.party).sort()).toEqual(['GATEWAY', 'MK', 'XK']);
    const keptByMk = await adminQuery<{ party: string }>(hub.nodes.get('MK')!.database.name, 'select party from audit.peer_checkpoint order by party');
    expect(keptByMk.map((row) => row.party)).toEqual(['GATEWAY', 'XK']);
    const keptByGateway = await adminQuery<{ party: string }>(hub.hubDatabase.name, 'select party from audit.peer_checkpoint order by party');
    expect(keptByGateway.map((row) => row.party)).toEqual(['MK', 'XK']);
    const officer = await hub.query('xk-border-officer', exchange);
    expect(codes(officer)).toEqual(['FORBIDDEN']);
  });

  it('lets `audit verify` catch a consistent rewrite of XK\u2019s log through MK\u2019s and the gateway\u2019s copies', async () => {
    const xk = hub.nodes.get('XK')!.database;
    const peers = ['--peer-database-url', hub.nodes.get('MK')!.database.url, '--peer-database-url', hub.hubDatabase.url];
    const intact = await audit(['verify', '--database-url', xk.url, ...peers]);
    expect(intact.code, intact.out).toBe(0);
    expect(intact.out).toMatch(/^OK: \d+ entries/);

    // A superuser of XK rewrites entry 2 and every hash after it, and drops XK's own checkpoints.
    const client = new pg.Client({ connectionString: xk.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query("set local session_replication_role = 'replica'");
      const { rows } = await client.query('select * from audit.entry order by seq');
      let previous = genesisHash;
      for (const row of rows.map(columnsFromRow)) {
        const content = { ...row, prev_hash: previous, ...(row.seq === 2 ? { actor_sub: 'nobody' } : {}) };
        const { hash: _old, ...withoutHash } = content;
        const hash = hashColumns(withoutHash);
        await client.query('update audit.entry set actor_sub = $2, prev_hash = $3, hash = $4 where seq = $1', [row.seq, content.actor_sub, previous, hash]);
        previous = hash;
      }
      await client.query('delete from audit.checkpoint');
      await client.query('commit');
    } finally {
      await client.end();
    }
    const alone = await audit(['verify', '--database-url', xk.url]);
    expect(alone.code, 'a consistent rewrite verifies on its own').toBe(0);
    const caught = await audit(['verify', '--database-url', xk.url, ...peers]);
    expect(caught.code).toBe(1);
    expect(caught.out).toMatch(/^FAILED at entry \d+/);
  });
});
