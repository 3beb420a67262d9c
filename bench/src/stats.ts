// Latency sampling and summaries for benchmarks: p50/p95 over a fixed number of sequential runs
// (after warm-up), and ratios against a baseline measured in the same process.
export interface Summary {
  n: number;
  p50_ms: number;
  p95_ms: number;
  mean_ms: number;
}

export async function measure(fn: () => Promise<unknown>, iterations: number, warmup = Math.min(20, iterations)): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { n: samples.length, p50_ms: round(pick(0.5)), p95_ms: round(pick(0.95)), mean_ms: round(samples.reduce((a, b) => a + b, 0) / samples.length) };
}

export function ratio(a: Summary, b: Summary): number {
  return Math.round((a.p50_ms / b.p50_ms) * 100) / 100;
}

export function fmt(s: Summary): string {
  return `p50 ${s.p50_ms.toFixed(2)} ms  p95 ${s.p95_ms.toFixed(2)} ms`;
}
