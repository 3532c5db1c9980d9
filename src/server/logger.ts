import pino from 'pino';

/** The process logger: JSON lines on stdout, level from LOG_LEVEL (default info). */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: undefined,
  redact: { paths: ['*.authorization', '*.token', '*.officerToken'], remove: true },
});

export type Logger = pino.Logger;
