/**
 * Gives the event loop a turn every few milliseconds of synchronous work. Training steps and
 * evaluation batches compute synchronously (the wasm engine, and replicas answering through shared
 * memory), and awaiting them only runs microtasks: without these turns, progress messages would
 * wait in the IPC queue and a cancel request would not be read until the work ended.
 */
export class EventLoopTurns {
  private last = Date.now();

  constructor(private readonly intervalMs = 20) {}

  async maybeYield(): Promise<void> {
    if (Date.now() - this.last < this.intervalMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.last = Date.now();
  }
}
