import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The hub's settings, read from the environment once, at start, and checked
 * as a whole: a bad setting stops the process with a message naming it,
 * instead of surfacing as a confusing failure an hour later.
 */

const agencyCode = z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter agency code such as XK');
const port = z.coerce.number().int().min(0).max(65535);
const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection string');
/**
 * A duration such as `15m`, `30s`, `500ms` or `1h`, in milliseconds (at least
 * 100 ms: a shorter schedule would only load the databases).
 */
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 15m, 30s or 500ms')
  .transform((value) => {
    const [, amount = '0', unit = 'ms'] = /^(\d+)(ms|s|m|h)$/.exec(value)!;
    return Number(amount) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  })
  .pipe(z.number().int().min(100, 'must be at least 100ms'));

const agencyList = z
  .string()
  .transform((value) => value.split(',').map((code) => code.trim()).filter(Boolean))
  .pipe(z.array(agencyCode).min(1, 'needs at least one agency'));

/**
 * DATABASE_URL with DATABASE_PASSWORD put in, encoded: a password with `@`,
 * `/` or `%` cannot break the URL (compose passes the two apart).
 */
export function databaseUrlFrom(env: Env, url = env.DATABASE_URL): string | undefined {
  if (url === undefined || !env.DATABASE_PASSWORD) return url;
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(env.DATABASE_PASSWORD);
  return parsed.href;
}

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

function parse<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
}

const shared = {
  /** Folder for the embedded PostgreSQL and the development keys. Default .data */
  DATA_DIR: z.string().default('.data'),
  /** Interface to bind. Default 127.0.0.1; containers set 0.0.0.0. */
  HOST: z.string().default('127.0.0.1'),
};

/**
 * How the public API presents itself. In production (NODE_ENV=production)
 * GraphiQL and introspection are off unless switched on; cross-origin
 * requests are refused unless their origin is listed.
 */
const publicApi = {
  NODE_ENV: z.string().optional(),
  /** Serve GraphiQL on GET /graphql. Default true, false in production. */
  GRAPHIQL: z.enum(['true', 'false']).optional(),
  /** Answer introspection queries. Default true, false in production. */
  INTROSPECTION: z.enum(['true', 'false']).optional(),
  /** Run only the trusted documents of contracts/trusted-documents.json. Default false. */
  TRUSTED_DOCUMENTS: z.enum(['true', 'false']).default('false'),
  /** Origins a browser may call the gateway from (comma-separated, e.g. https://console.police.example). Default none. */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url().transform((url) => new URL(url).origin))),
};

/**
 * Everything the gateway does that a setting decides, read alike by `hub
 * gateway` and by `hub start` (whose gateway is the same gateway): listing a
 * gateway setting here is what makes it work under `npm start` too.
 */
const gatewayBehaviour = {
  /** Milliseconds a node has to answer. Default 5000. */
  NODE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Rate limits per minute (see src/gateway/useRateLimits.ts for the defaults). */
  RATE_LIMIT_OPERATIONS_PER_OFFICER: z.coerce.number().int().positive().optional(),
  RATE_LIMIT_OPERATIONS_PER_UNIT: z.coerce.number().int().positive().optional(),
  RATE_LIMIT_SEARCHES_PER_OFFICER: z.coerce.number().int().positive().optional(),
  RATE_LIMIT_SEARCHES_PER_UNIT: z.coerce.number().int().positive().optional(),
  /** How often the parties exchange signed checkpoints of their logs (the gateway's job runner). Default 15m. */
  AUDIT_CHECKPOINT_INTERVAL: duration.default(15 * 60_000),
  /** How long a gateway process's lease on a node's feed lasts unrenewed (one process follows each node; another takes over within about 1.25× this when it dies). Default 10s. */
  FEED_LEASE_TTL: duration.default(10_000),
  ...publicApi,
};
type GatewayBehaviour = z.infer<z.ZodObject<typeof gatewayBehaviour>>;

/** The gateway's settings: `gateway` as createGateway takes them, `publicApi` for publicApiOptions. */
function gatewaySettings(raw: GatewayBehaviour) {
  const rateLimits = Object.fromEntries(
    Object.entries({
      operationsPerOfficer: raw.RATE_LIMIT_OPERATIONS_PER_OFFICER,
      operationsPerUnit: raw.RATE_LIMIT_OPERATIONS_PER_UNIT,
      searchesPerOfficer: raw.RATE_LIMIT_SEARCHES_PER_OFFICER,
      searchesPerUnit: raw.RATE_LIMIT_SEARCHES_PER_UNIT,
    }).filter(([, value]) => value !== undefined),
  ) as Partial<Record<'operationsPerOfficer' | 'operationsPerUnit' | 'searchesPerOfficer' | 'searchesPerUnit', number>>;
  const production = raw.NODE_ENV === 'production';
  return {
    gateway: {
      nodeTimeoutMs: raw.NODE_TIMEOUT_MS,
      rateLimits,
      /** Milliseconds between two checkpoint exchanges (AUDIT_CHECKPOINT_INTERVAL). */
      checkpointIntervalMs: raw.AUDIT_CHECKPOINT_INTERVAL,
      /** Milliseconds a node feed's lease lasts unrenewed (FEED_LEASE_TTL). */
      feedLeaseTtlMs: raw.FEED_LEASE_TTL,
    },
    publicApi: {
      production,
      trustedDocumentsOnly: raw.TRUSTED_DOCUMENTS === 'true',
      graphiql: raw.GRAPHIQL === undefined ? !production : raw.GRAPHIQL === 'true',
      introspection: raw.INTROSPECTION === undefined ? !production : raw.INTROSPECTION === 'true',
      corsOrigins: raw.CORS_ORIGINS,
    },
  };
}

/** The data folder of `hub start`, where the commands run beside it (`url`, `subscribe`) find the running hub. */
export function loadDataDir(env: Env = process.env): string {
  return resolve(parse(z.object({ DATA_DIR: shared.DATA_DIR }), env).DATA_DIR);
}

/** `hub start`: the whole hub on one machine. */
export function loadStartConfig(env: Env = process.env) {
  const raw = parse(
    z.object({
      ...shared,
      /** Gateway port. Default 4000. */
      PORT: port.default(4000),
      /** Agencies to run a node for. Default XK,MK. */
      AGENCIES: agencyList.default(['XK', 'MK']),
      /** Gateway (hub) database, as its owner; embedded PostgreSQL when absent. */
      HUB_DATABASE_URL: postgresUrl.optional(),
      /** Seed demo data into empty node databases. Default true. */
      SEED_DEMO_DATA: z.enum(['true', 'false']).default('true'),
      ...gatewayBehaviour,
    }),
    env,
  );
  const nodeDatabaseUrls = new Map<string, string>();
  const problems: string[] = [];
  for (const agency of raw.AGENCIES) {
    const url = env[`${agency}_DATABASE_URL`];
    if (url === undefined) continue;
    const checked = postgresUrl.safeParse(url);
    if (checked.success) nodeDatabaseUrls.set(agency, checked.data);
    else problems.push(`${agency}_DATABASE_URL: ${checked.error.issues[0]?.message}`);
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    dataDir: resolve(raw.DATA_DIR),
    host: raw.HOST,
    port: raw.PORT,
    agencies: raw.AGENCIES,
    hubDatabaseUrl: raw.HUB_DATABASE_URL,
    /** Per agency: external database, when `<AGENCY>_DATABASE_URL` is set. */
    nodeDatabaseUrls,
    seedDemoData: raw.SEED_DEMO_DATA === 'true',
    ...gatewaySettings(raw),
  };
}
export type StartConfig = ReturnType<typeof loadStartConfig>;

/** `hub node --agency XK`: one agency node. */
export function loadNodeConfig(env: Env = process.env, agencyFlag?: string) {
  const raw = parse(
    z.object({
      ...shared,
      NODE_AGENCY: agencyCode,
      /** The agency's own database, as the application role hub_app (migrated beforehand by `hub migrate`). */
      DATABASE_URL: postgresUrl,
      /** Node port. Default 4001. */
      PORT: port.default(4001),
      /** Trust list file (issuers, their keys, the gateway's key). */
      TRUST_LIST: z.string().min(1),
      /** Every agency of the exchange. Default XK,MK. */
      AGENCIES: agencyList.default(['XK', 'MK']),
      /** Private JWK (JSON file) the node signs its audit checkpoints with; none: no checkpoints. */
      NODE_SIGNING_KEY: z.string().min(1).optional(),
      /** Secret JWK (JSON file, kty oct) of the digests the node's log keeps of identifiers; required: no key, no log. */
      AUDIT_DIGEST_KEY: z.string().min(1),
    }),
    { ...env, ...(agencyFlag ? { NODE_AGENCY: agencyFlag } : {}) },
  );
  return {
    agency: raw.NODE_AGENCY,
    databaseUrl: databaseUrlFrom(env, raw.DATABASE_URL)!,
    host: raw.HOST,
    port: raw.PORT,
    trustListPath: resolve(raw.TRUST_LIST),
    signingKeyPath: raw.NODE_SIGNING_KEY ? resolve(raw.NODE_SIGNING_KEY) : undefined,
    auditDigestKeyPath: resolve(raw.AUDIT_DIGEST_KEY),
    agencies: raw.AGENCIES.includes(raw.NODE_AGENCY) ? raw.AGENCIES : [...raw.AGENCIES, raw.NODE_AGENCY],
  };
}
export type NodeProcessConfig = ReturnType<typeof loadNodeConfig>;

/** `hub gateway`: the public API. */
export function loadGatewayConfig(env: Env = process.env) {
  const raw = parse(
    z.object({
      ...shared,
      PORT: port.default(4000),
      /** The hub database (consultation log), as the application role hub_app (migrated beforehand by `hub migrate`). */
      DATABASE_URL: postgresUrl,
      TRUST_LIST: z.string().min(1),
      /** Private JWK (JSON file) the gateway signs its node credentials with. */
      GATEWAY_SIGNING_KEY: z.string().min(1),
      /** The gateway's `iss` as the nodes' trust list names it. Default urn:border-hub:gateway */
      GATEWAY_ISSUER: z.string().min(1).default('urn:border-hub:gateway'),
      /** Secret JWK (JSON file, kty oct) of the digests the consultation log keeps of identifiers; required: no key, no log. */
      AUDIT_DIGEST_KEY: z.string().min(1),
      /** AGENCY=URL pairs: "XK=http://node-xk:4001/graphql,MK=http://node-mk:4001/graphql". */
      AGENCY_NODES: z
        .string()
        .transform((value, ctx) => {
          const nodes = new Map<string, URL>();
          for (const pair of value.split(',').map((part) => part.trim()).filter(Boolean)) {
            const [agency = '', url = ''] = pair.split(/=(.*)/s);
            if (!/^[A-Z]{2}$/.test(agency) || !URL.canParse(url)) {
              ctx.addIssue({ code: 'custom', message: `"${pair}" is not AGENCY=URL` });
              return z.NEVER;
            }
            nodes.set(agency, new URL(url));
          }
          if (nodes.size === 0) {
            ctx.addIssue({ code: 'custom', message: 'names no agency node' });
            return z.NEVER;
          }
          return nodes;
        }),
      ...gatewayBehaviour,
    }),
    env,
  );
  return {
    host: raw.HOST,
    port: raw.PORT,
    databaseUrl: databaseUrlFrom(env, raw.DATABASE_URL)!,
    trustListPath: resolve(raw.TRUST_LIST),
    signingKeyPath: resolve(raw.GATEWAY_SIGNING_KEY),
    issuer: raw.GATEWAY_ISSUER,
    auditDigestKeyPath: resolve(raw.AUDIT_DIGEST_KEY),
    nodes: raw.AGENCY_NODES,
    ...gatewaySettings(raw),
  };
}
export type GatewayProcessConfig = ReturnType<typeof loadGatewayConfig>;
