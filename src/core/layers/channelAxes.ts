/**
 * Shape helpers and the groups check for the layers that act on the channel axis at any rank
 * ([H, W, C], [L, C] or [C]): normalizations, LayerScale, PReLU, channel shuffle and slice. The
 * designer is channels-last; the PyTorch and ONNX code is channels-first, where channels are axis 1
 * at every rank.
 */
import type { DiagnosticInput } from '../analysis/diagnostic';
import type { Shape } from '../design';

export const channelsOf = (shape: Shape): number => shape[shape.length - 1];

export const elementsOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** A per-channel tensor shaped to broadcast against a channels-first sample: (C, 1, 1), (C, 1) or (C,). */
export const channelsFirstBroadcast = (shape: Shape): number[] => [channelsOf(shape), ...new Array<number>(shape.length - 1).fill(1)];

/** A per-channel tensor shaped to broadcast against a channels-last sample: [1, 1, C], [1, C] or [C]. */
export const channelsLastBroadcast = (shape: Shape): number[] => [...new Array<number>(shape.length - 1).fill(1), channelsOf(shape)];

/** The divisors of n, ascending. */
export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/** The divisors of `channels` nearest to `groups` below and above it (one or two, nearest first). */
export function nearestDivisors(channels: number, groups: number): number[] {
  const all = divisors(channels);
  const below = all.filter((d) => d < groups).pop();
  const above = all.find((d) => d > groups);
  return [below, above].filter((d): d is number => d !== undefined).sort((a, b) => Math.abs(a - groups) - Math.abs(b - groups));
}

/**
 * Layers that split the channels into equal groups (group norm, channel shuffle) need `groups` to
 * divide them. Reports when it does not, with the nearest groups that do as fixes; returns whether it does.
 */
export function checkGroupsDivideChannels(label: string, nodeId: string, channels: number, groups: number, report: (d: DiagnosticInput) => void): boolean {
  if (channels % groups === 0) return true;
  report({
    severity: 'error',
    code: 'groups-do-not-divide-channels',
    param: 'groups',
    message: `${label} splits the ${channels} channels into ${groups} groups of equal size, but ${groups} does not divide ${channels}.`,
    fixes: nearestDivisors(channels, groups).map((g) => ({
      title: `Use ${g} group${g > 1 ? 's' : ''} (${channels / g} channels each)`,
      edit: { kind: 'setParams', nodeId, params: { groups: g } },
    })),
  });
  return false;
}

/** A channels-first PyTorch expression moved to channels-last and back around `inner` (for layers over the last axis). */
export function pyOverChannelsLast(x: string, rank: number, inner: (y: string) => string): string {
  if (rank === 3) return `${inner(`${x}.permute(0, 2, 3, 1)`)}.permute(0, 3, 1, 2)`;
  if (rank === 2) return `${inner(`${x}.transpose(1, 2)`)}.transpose(1, 2)`;
  return inner(x);
}
