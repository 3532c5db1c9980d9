/**
 * A capability a server is made of that lives longer than a request: its
 * HTTP listener, a WebSocket endpoint, a feed follower, a job schedule, a
 * pool of its own. A server starts its parts in the order it lists them and
 * stops them in reverse, so a part may rely on those listed before it for
 * its whole life. (Yoga plugins are listed with the server's other plugins,
 * where their order shows.)
 */
export interface ServerPart {
  /** Named when it fails to stop. */
  readonly name: string;
  start?(): Promise<void> | void;
  /** Called once, whether or not start ran. */
  stop?(): Promise<void> | void;
}

/** Starts the parts in order; if one fails, stops those already started (in reverse) and throws its error. */
export async function startParts(parts: readonly ServerPart[]): Promise<void> {
  const started: ServerPart[] = [];
  try {
    for (const part of parts) {
      started.push(part);
      await part.start?.();
    }
  } catch (error) {
    await stopParts(started).catch(() => {});
    throw error;
  }
}

/** Stops every part in reverse order; one that fails to stop does not keep the others running. */
export async function stopParts(parts: readonly ServerPart[]): Promise<void> {
  const failures: Error[] = [];
  for (const part of [...parts].reverse()) {
    try {
      await part.stop?.();
    } catch (error) {
      failures.push(new Error(`${part.name} did not stop cleanly: ${(error as Error).message}`, { cause: error }));
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length) throw new AggregateError(failures, failures.map((failure) => failure.message).join('; '));
}
