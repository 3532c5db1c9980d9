/**
 * The login role of the running services, created by migrations/0003_audit.sql:
 * it may read and write the records and only read and append to the audit log,
 * and it is a member of no other role, so it has nothing to SET ROLE (or RESET
 * ROLE) to. Migrations run as the database owner; the services never do.
 */
export const applicationRole = 'hub_app';
