import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a running `npm start` tells the tools run beside it (`hub audit verify --party XK|--all`). */
export interface RunningHubInfo {
  pid: number;
  gatewayUrl: string;
  /** The development trust list, with every party's checkpoint keys. */
  trustList: string;
  /** Each party's database (agency codes and GATEWAY), as its owner. */
  parties: Record<string, string>;
}

/** Kept in DATA_DIR while the hub runs, readable by its user only (it holds the databases' owner password). */
export const runningHubFile = (dataDir: string) => join(dataDir, 'running-hub.json');

export async function writeRunningHub(dataDir: string, info: RunningHubInfo): Promise<void> {
  await writeFile(runningHubFile(dataDir), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** The running hub of a data folder, or null when none runs there. */
export async function readRunningHub(dataDir: string): Promise<RunningHubInfo | null> {
  let info: RunningHubInfo;
  try {
    info = JSON.parse(await readFile(runningHubFile(dataDir), 'utf8')) as RunningHubInfo;
  } catch {
    return null;
  }
  try {
    process.kill(info.pid, 0);
  } catch {
    return null; // the hub that wrote it is gone (killed without its clean-up)
  }
  return info;
}

/** The graphql-ws address of a gateway: the same host, port and path as its GraphQL URL. */
export function webSocketUrlOf(gatewayUrl: string | URL): string {
  const url = new URL(gatewayUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
