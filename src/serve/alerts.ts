// Performance alerts: thresholds given at start (p99 latency of evaluate requests over a
// sliding window, resident memory) are checked now and then; crossing one raises a warn
// log line and sets a metric, and falling back under it clears both (with an info line).

import type { FastifyBaseLogger } from 'fastify';
import type { ServeMetrics } from './metrics.js';

export interface AlertOptions {
  /** Raise when the p99 latency of evaluate requests over the window passes this (ms). */
  p99Ms?: number | undefined;
  /** Raise when the resident set size passes this (MiB). */
  rssMb?: number | undefined;
  /** How often thresholds are checked (ms). */
  intervalMs: number;
  /** The p99's window (s), for the message. */
  windowSeconds: number;
}

type AlertName = 'p99_latency' | 'rss';

export class Alerts {
  private readonly options: AlertOptions;
  private readonly metrics: ServeMetrics;
  private readonly log: FastifyBaseLogger;
  private readonly active = new Set<AlertName>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(options: AlertOptions, metrics: ServeMetrics, log: FastifyBaseLogger) {
    this.options = options;
    this.metrics = metrics;
    this.log = log;
    if (options.p99Ms !== undefined) metrics.alertActive.set({ alert: 'p99_latency' }, 0);
    if (options.rssMb !== undefined) metrics.alertActive.set({ alert: 'rss' }, 0);
  }

  start(): void {
    if (this.options.p99Ms === undefined && this.options.rssMb === undefined) return;
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Checks every threshold once. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const { p99Ms, rssMb, windowSeconds } = this.options;
      if (p99Ms !== undefined) {
        const p99 = await this.p99Ms();
        // No evaluate request in the window: nothing to judge, the state stays.
        if (p99 !== null) this.judge('p99_latency', p99, p99Ms, 'ms', `p99 latency of evaluate requests over the last ${windowSeconds} s`);
      }
      if (rssMb !== undefined) this.judge('rss', process.memoryUsage.rss() / 2 ** 20, rssMb, 'MiB', 'resident memory');
    } finally {
      this.checking = false;
    }
  }

  private judge(alert: AlertName, value: number, threshold: number, unit: string, what: string): void {
    const rounded = Math.round(value * 10) / 10;
    const fields = { alert, value: rounded, threshold, unit };
    if (value > threshold && !this.active.has(alert)) {
      this.active.add(alert);
      this.metrics.alertActive.set({ alert }, 1);
      this.metrics.alertsRaised.inc({ alert });
      this.log.warn(fields, `alert: ${what} is ${rounded} ${unit}, above ${threshold} ${unit}`);
    } else if (value <= threshold && this.active.has(alert)) {
      this.active.delete(alert);
      this.metrics.alertActive.set({ alert }, 0);
      this.log.info(fields, `alert cleared: ${what} is ${rounded} ${unit}, at or below ${threshold} ${unit}`);
    }
  }

  private async p99Ms(): Promise<number | null> {
    const data = await this.metrics.evaluateLatency.get();
    const q = data.values.find((v) => v.labels.quantile === 0.99);
    return q === undefined || !Number.isFinite(q.value) ? null : q.value * 1000;
  }
}
