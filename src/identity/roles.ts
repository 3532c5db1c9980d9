import { z } from 'zod';

/** Roles an agency identity provider may put in an officer's token. */
/** `oversight`: the joint oversight board, which reads every party's audit log. */
export const roles = ['officer', 'analyst', 'liaison', 'duty_officer', 'auditor', 'oversight', 'admin'] as const;
export type Role = (typeof roles)[number];
export const roleSchema = z.enum(roles);

/** Roles that work with operational data (everyone but the pure auditor). */
export const operationalRoles: readonly Role[] = ['officer', 'analyst', 'liaison', 'duty_officer', 'admin'];

/** Roles that read audit logs: an agency's own auditors, and the joint oversight board. */
export const auditRoles: readonly Role[] = ['auditor', 'oversight'];
