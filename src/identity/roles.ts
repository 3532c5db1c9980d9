import { z } from 'zod';

/** Roles an agency identity provider may put in an officer's token. */
export const roles = ['officer', 'analyst', 'liaison', 'duty_officer', 'auditor', 'admin'] as const;
export type Role = (typeof roles)[number];
export const roleSchema = z.enum(roles);

/** Roles that work with operational data (everyone but the pure auditor). */
export const operationalRoles: readonly Role[] = ['officer', 'analyst', 'liaison', 'duty_officer', 'admin'];
