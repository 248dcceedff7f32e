// The typed request/response channel between a webview and the host (RpcEndpoint on both ends),
// the host's check of what the training panel sends, and the one run-state reducer both ends use.
import assert from 'node:assert/strict';
import { validateTrainingPanelEnvelope } from '../../src/extension/training/validateTrainingPanelEnvelope';
import { InvalidPanelMessageError } from '../../src/extension/training/validateTrainingPanelMessage';
import { RpcEndpoint, RpcRemoteError, type RpcSide } from '../../src/protocol/RpcEndpoint';
import type { LiveRun, RunEvent, TrainingProgress } from '../../src/protocol/trainingPanelProtocol';
import { LiveRunTracker } from '../../src/runs/LiveRunTracker';
import { MAX_LOG_LINES, MAX_PROGRESS_POINTS, reduceRunEvent } from '../../src/runs/reduceRunEvent';

interface AskerSide extends RpcSide {
  request: { type: 'double'; value: number } | { type: 'fail' } | { type: 'slow'; value: number };
  replies: { double: number; fail: never; slow: string };
  event: never;
}
interface AnswererSide extends RpcSide {
  request: never;
  replies: Record<never, never>;
  event: { type: 'tick'; n: number };
}

/** Two ends joined as a webview channel joins them: each envelope arrives later, as a structured copy. */
function channel() {
  const ticks: number[] = [];
  let releaseSlow: (() => void) | undefined;
  const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
  let answerer!: RpcEndpoint<AnswererSide, AskerSide>;
  const asker = new RpcEndpoint<AskerSide, AnswererSide>((envelope) => setImmediate(() => answerer.receive(structuredClone(envelope))), {
    requests: {},
    event: (e) => ticks.push(e.n),
  });
  answerer = new RpcEndpoint<AnswererSide, AskerSide>((envelope) => setImmediate(() => asker.receive(structuredClone(envelope))), {
    requests: {
      double: ({ value }) => value * 2,
      fail: () => {
        throw new Error('the host refused');
      },
      slow: async ({ value }) => {
        await slowGate;
        return `slow ${value}`;
      },
    },
    event: () => undefined,
  });
  return { asker, answerer, ticks, releaseSlow: () => releaseSlow?.() };
}

describe('RpcEndpoint', () => {
  it('answers each request with its own reply, matched by id even when answered out of order', async () => {
    const { asker, releaseSlow } = channel();
    const slow = asker.request({ type: 'slow', value: 1 });
    const doubled = await asker.request({ type: 'double', value: 21 });
    assert.equal(doubled, 42, 'the later request was answered first');
    releaseSlow();
    assert.equal(await slow, 'slow 1');
  });

  it('rejects the caller with the other end\'s error, and rejects what is pending when closed', async () => {
    const { asker } = channel();
    await assert.rejects(asker.request({ type: 'fail' }), (err: unknown) => err instanceof RpcRemoteError && err.message === 'the host refused');
    const pending = asker.request({ type: 'slow', value: 2 });
    asker.dispose();
    await assert.rejects(pending, /channel closed before the reply came/);
  });

  it('delivers events in order, with no reply', async () => {
    const { answerer, ticks } = channel();
    for (let n = 1; n <= 3; n++) answerer.notify({ type: 'tick', n });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ticks, [1, 2, 3]);
  });
});

describe('the training panel channel as the host checks it', () => {
  it('accepts a request envelope exactly as sent', () => {
    const envelope = { rpc: 'request', id: 7, request: { type: 'openRun', name: '2026-11-23T14-21-08Z' } };
    assert.deepEqual(validateTrainingPanelEnvelope(envelope), envelope);
  });

  it('refuses anything else the panel could put on the channel, saying what is wrong', () => {
    const refused: [unknown, RegExp][] = [
      [{ rpc: 'reply', id: 1, ok: true, value: 1 }, /rpc must be "request"/],
      [{ rpc: 'event', event: { type: 'runs', runs: [] } }, /rpc must be "request"/],
      [{ rpc: 'request', request: { type: 'ready' } }, /id must be a non-negative integer/],
      [{ rpc: 'request', id: -1, request: { type: 'ready' } }, /id must be a non-negative integer/],
      [{ rpc: 'request', id: 1.5, request: { type: 'ready' } }, /id must be a non-negative integer/],
      [{ rpc: 'request', id: 1, request: { type: 'ready' }, extra: true }, /extra must be absent/],
      [{ rpc: 'request', id: 1, request: { type: 'deleteRun', name: '../..' } }, /name must be a run folder name/],
      [{ rpc: 'request', id: 1, request: { type: 'launchMissiles' } }, /type must be a training panel message type/],
      [[], /message must be an object/],
    ];
    for (const [raw, message] of refused) assert.throws(() => validateTrainingPanelEnvelope(raw), (err: unknown) => err instanceof InvalidPanelMessageError && message.test(err.message), JSON.stringify(raw));
  });
});

const point = (batch: number): TrainingProgress => ({ epoch: 1, epochs: 1, batch, batches: 1_000_000, loss: 1 / batch, accuracy: 0.5, samplesPerSecond: 100, etaSeconds: 1, learningRate: 0.01 });

describe('reduceRunEvent: one run state for host and panel', () => {
  it('leaves the host\'s and the panel\'s view of a long run identical, thinned the same way', () => {
    const events: RunEvent[] = [];
    const tracker = new LiveRunTracker({ runId: 'r', startedAt: 0, designHash: 'h', settings: {} }, (e) => events.push(e));
    // The panel starts from what the host sent when the run started.
    let panel: LiveRun = structuredClone(tracker.run);
    tracker.onProcessMessage({ type: 'backend', backend: 'cpu', attempts: [{ backend: 'wasm', ok: false, reason: 'no SIMD' }], tfjsVersion: 'x' });
    for (let b = 1; b <= MAX_PROGRESS_POINTS * 3; b++) tracker.onProcessMessage({ type: 'progress', progress: point(b) });
    for (let i = 0; i < MAX_LOG_LINES + 10; i++) tracker.onProcessMessage({ type: 'log', level: 'info', message: `line ${i}` });
    tracker.onOutcome({ kind: 'cancelled' });
    for (const event of events) panel = reduceRunEvent(panel, structuredClone(event));
    assert.deepEqual(panel, tracker.run);
    assert.ok(panel.progress.length <= MAX_PROGRESS_POINTS, `${panel.progress.length} points kept`);
    assert.equal(panel.progress.at(-1)!.batch, MAX_PROGRESS_POINTS * 3, 'the newest point is kept');
    assert.equal(panel.log.length, MAX_LOG_LINES);
    assert.equal(panel.log.at(-1), `line ${MAX_LOG_LINES + 9}`);
    assert.equal(panel.phase, 'cancelled');
    assert.equal(panel.backend, 'cpu');
  });

  it('ignores another run\'s events and never reopens a finished run', () => {
    const run: LiveRun = { runId: 'r', phase: 'starting', startedAt: 0, designHash: 'h', settings: {}, progress: [], epochs: [], log: [] };
    assert.equal(reduceRunEvent(run, { type: 'progress', runId: 'older', progress: point(1) }), run);
    const failed = reduceRunEvent(run, { type: 'failed', runId: 'r', error: { kind: 'other', title: 't', detail: 'd', advice: 'a' } });
    assert.equal(failed.phase, 'failed');
    assert.equal(reduceRunEvent(failed, { type: 'progress', runId: 'r', progress: point(2) }).phase, 'failed', 'a late progress point does not bring a failed run back');
    assert.equal(run.phase, 'starting', 'the reducer does not change the view it is given');
  });
});
