import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import pg from 'pg';
import type { AuditDatabase } from '../audit/auditDatabase.ts';
import { applicationRole } from './applicationRole.ts';
import { migrate, type DatabaseKind, type MigrationResult } from './migrate.ts';


/** The owner's connection string with the application role's credentials instead. */
export function applicationUrl(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = applicationRole;
  url.password = encodeURIComponent(password);
  return url.href;
}

/**
 * Applies the migrations of the database's kind as the owner, then lets the application role log in
 * with `password` (roles belong to the server: every database on it shares the
 * role and its password). Resolves with the connection string the services use.
 */
export async function migrateWithApplicationLogin(
  ownerUrl: string,
  password: string,
  kind: DatabaseKind,
): Promise<{ migration: MigrationResult; applicationUrl: string }> {
  const migration = await migrate(ownerUrl, kind);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    // A utility statement takes no parameters: the password goes in as a quoted literal.
    await client.query(`alter role ${applicationRole} with login password ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
  return { migration, applicationUrl: applicationUrl(ownerUrl, password) };
}

/** The password kept in `file` (created, readable by its owner only, on first use). */
export async function ensureApplicationPassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, password, { mode: 0o600 });
  return password;
}

/**
 * Refuses to serve over a connection that could do more than the application
 * may: a superuser, a role that can create roles or databases or bypass row
 * security, or one that is (or may become, by SET ROLE) the owner of the log.
 */
export async function assertApplicationConnection(prisma: Pick<AuditDatabase, '$queryRaw'>): Promise<void> {
  const [role] = await prisma.$queryRaw<{ name: string; privileged: boolean; owner: boolean }[]>`
    select current_user::text as name,
           (rolsuper or rolcreaterole or rolcreatedb or rolbypassrls) as privileged,
           exists (select 1 from pg_class where relnamespace = 'audit'::regnamespace and pg_has_role(current_user, relowner, 'MEMBER')) as owner
      from pg_roles where rolname = current_user`;
  if (!role || role.privileged || role.owner) {
    throw new Error(
      `the service connects as database role "${role?.name}", which ${role?.owner ? 'owns the audit log' : 'is privileged'}: ` +
        `connect as ${applicationRole} (DATABASE_URL), and migrate as the owner with hub migrate (APPLICATION_DB_PASSWORD sets ${applicationRole}'s password)`,
    );
  }
}
