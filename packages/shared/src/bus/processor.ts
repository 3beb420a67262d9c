// How a bus implementation hands a claimed batch to the caller's handler and learns how far it
// got: `consume` handlers run event by event (the events before a failure count as done, so only
// the rest is redelivered); `consumeBatch` handlers succeed or fail as a whole.

/** Outcome of one batch: `done` leading events were handled; `error` is set when the rest failed. */
export interface BatchOutcome {
  done: number;
  error?: unknown;
}

export type Processor = (events: unknown[]) => Promise<BatchOutcome>;

export function eachEvent(handler: (event: unknown) => Promise<void>): Processor {
  return async (events) => {
    for (let i = 0; i < events.length; i++) {
      try {
        await handler(events[i]);
      } catch (error) {
        return { done: i, error };
      }
    }
    return { done: events.length };
  };
}

export function wholeBatch(handler: (events: unknown[]) => Promise<void>): Processor {
  return async (events) => {
    try {
      await handler(events);
      return { done: events.length };
    } catch (error) {
      return { done: 0, error };
    }
  };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
