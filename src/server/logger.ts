import pino from 'pino';

const requested = process.env.LOG_LEVEL ?? 'info';
const known = Object.hasOwn(pino.levels.values, requested) || requested === 'silent';

/** What is wrong with LOG_LEVEL, for the CLI to report before it starts anything; null when it is fine. */
export const invalidLogLevel = known ? null : `LOG_LEVEL: "${requested}" is not a level; use one of ${[...Object.keys(pino.levels.values), 'silent'].join(', ')}`;

/** The process logger: JSON lines on stdout, level from LOG_LEVEL (default info; a bad level logs at info until the CLI refuses it). */
export const logger = pino({
  level: known ? requested : 'info',
  base: undefined,
  redact: { paths: ['*.authorization', '*.token', '*.officerToken'], remove: true },
});

export type Logger = pino.Logger;
