import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDevelopmentKeys } from '../src/identity/developmentKeys.ts';
import type { DemoUserName } from '../src/demo/demoUsers.ts';
import { cpuProfileFlags, officerSessions, type BenchHub, type OfficerSession } from './benchHub.ts';
import type { ServersMessage, ServersReady } from './serveBenchHub.ts';

/** The bench hub running in a child process, seen from the load generator. */
export interface BenchServers extends Pick<BenchHub, 'as' | 'token' | 'postgresVersion' | 'alertCounts' | 'gatewayUrl'> {
  nodeUrls: ReadonlyMap<string, URL>;
  /** The pass-through (bench/passThrough.ts) in front of the XK node. */
  passThroughUrl: URL;
  /** A session whose `node('XK', …)` goes through the pass-through, with the headers it would send the node. */
  viaPassThrough(user: DemoUserName): Promise<OfficerSession>;
  /** The same through Hive Gateway proxying the XK node (bench/hiveProxy.ts). */
  viaHiveProxy(user: DemoUserName): Promise<OfficerSession>;
  /** The servers' process, for its pid. */
  pid: number;
}

export interface BenchServersOptions {
  /** The run's scale: 2,000 generated alerts per agency at 1, never fewer than 200. Only the first call of a run decides. */
  scale: number;
  log(line: string): void;
}

let shared: { servers: Promise<BenchServers>; child: ChildProcess } | null = null;

/**
 * The servers of this run, started on first use and shared by the parts that
 * need them (node, gateway): seeding takes longer than most measurements.
 * {@link stopBenchServers} ends them; the suite calls it once every part ran.
 */
export function benchServers({ scale, log }: BenchServersOptions): Promise<BenchServers> {
  if (shared) return shared.servers;
  const syntheticAlerts = Math.max(200, Math.round(2_000 * scale));
  const child = spawn(process.execPath, [...process.execArgv, ...cpuProfileFlags('hub'), fileURLToPath(new URL('./serveBenchHub.ts', import.meta.url)), String(syntheticAlerts)], {
    // The servers' own output goes to stderr with the progress: stdout holds the report alone.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const servers = new Promise<ServersReady>((resolve, reject) => {
    child.on('message', (message: ServersMessage) => {
      if ('log' in message) log(`servers: ${message.log}`);
      else if ('ready' in message) resolve(message.ready);
      else reject(new Error(`the bench servers failed to start: ${message.error}`));
    });
    child.once('exit', (code) => reject(new Error(`the bench servers exited with ${code} before they were ready`)));
  }).then(async (ready) => {
    const gatewayUrl = new URL(ready.gatewayUrl);
    const nodeUrls = new Map(ready.nodeUrls.map(([agency, url]) => [agency, new URL(url)]));
    // The same keys the child made: loaded from its folder, not created anew.
    const passThroughUrl = new URL(ready.passThroughUrl);
    const keys = await ensureDevelopmentKeys(ready.keysDir, [...nodeUrls.keys()]);
    return {
      ...officerSessions(keys, gatewayUrl, nodeUrls),
      postgresVersion: ready.postgresVersion,
      alertCounts: new Map(ready.alertCounts),
      gatewayUrl,
      nodeUrls,
      passThroughUrl,
      viaPassThrough: officerSessions(keys, gatewayUrl, new Map([['XK', passThroughUrl]])).as,
      viaHiveProxy: officerSessions(keys, gatewayUrl, new Map([['XK', new URL(ready.hiveProxyUrl)]])).as,
      pid: child.pid!,
    };
  });
  shared = { servers, child };
  return servers;
}

/** Stops the servers of this run, if any were started, and waits for their process to end. */
export async function stopBenchServers(): Promise<void> {
  if (!shared) return;
  const { child } = shared;
  shared = null;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send('stop');
  else child.kill('SIGTERM');
  await exited;
}
