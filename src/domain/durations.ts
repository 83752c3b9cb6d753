/** Durations in policies are strings like "90s", "30m", "4h", "2d" (or a combination: "1h30m"). */
export const DURATION_PATTERN = /^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/;

export function durationMs(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const part = (s: string | undefined, unit: number) => (s ? parseInt(s, 10) * unit : 0);
  return part(m[1], 86_400_000) + part(m[2], 3_600_000) + part(m[3], 60_000) + part(m[4], 1000);
}
