import { Worker } from 'node:worker_threads';

/**
 * Runs in its own thread, so it keeps watching while the process's main thread is stuck in a long
 * synchronous step (resizing a dataset, one huge convolution on the cpu backend), when a
 * 'disconnect' handler on the main thread would never get to run.
 */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { parentPid, intervalMs } = workerData;
function parentGone() {
  // On Linux and macOS an orphan is adopted by another process; on Windows the parent id stays, so ask whether it still lives.
  if (process.ppid !== parentPid) return true;
  try {
    process.kill(parentPid, 0);
    return false;
  } catch (err) {
    return err.code === 'ESRCH';
  }
}
setInterval(() => {
  if (parentGone()) process.kill(process.pid, 'SIGKILL');
}, intervalMs);
`;

/**
 * Ends this process within about `intervalMs` once the process that started it is gone (crashed,
 * killed, window closed), whatever the main thread is doing, so a run never outlives its host or
 * CLI and keeps using memory and CPU. Call once, in the main thread of a forked process.
 */
export function exitWithParent(intervalMs = 250): void {
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { parentPid: process.ppid, intervalMs } });
  // The watchdog never keeps the process alive by itself.
  worker.unref();
}
