// The service's metrics in Prometheus text format (prom-client, on a registry of its own):
// requests by route and status, latency, facts and firings by rule set, errors by code,
// requests in flight, rule-set versions, alerts, and the process's RSS and heap.

import { Counter, Gauge, Histogram, Registry, Summary, collectDefaultMetrics } from 'prom-client';
import type { RuleSetChange } from './rulesets.js';

/** Latency buckets (seconds): from a one-fact request to a large batch. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route'>;
  /** Evaluate requests only, over a sliding window: what the p99 alert reads. */
  readonly evaluateLatency: Summary;
  readonly facts: Counter<'ruleset'>;
  readonly firings: Counter<'ruleset'>;
  readonly errors: Counter<'code'>;
  readonly aborted: Counter<'reason'>;
  readonly inFlight: Gauge;
  readonly ruleSetInfo: Gauge<'ruleset' | 'version'>;
  readonly ruleSetRules: Gauge<'ruleset'>;
  readonly ruleSetLoads: Counter<'ruleset' | 'result'>;
  readonly alertActive: Gauge<'alert'>;
  readonly alertsRaised: Counter<'alert'>;

  constructor(options: { latencyWindowSeconds: number }) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'rete_eval_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'rete_eval_http_request_duration_seconds',
      help: 'Time from the request to the end of its response (or its abandonment), by route',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.evaluateLatency = new Summary({
      name: 'rete_eval_evaluate_latency_seconds',
      help: `Latency of evaluate requests over the last ${options.latencyWindowSeconds} s (the p99 alert reads it)`,
      percentiles: [0.5, 0.9, 0.99],
      maxAgeSeconds: options.latencyWindowSeconds,
      ageBuckets: 5,
      pruneAgedBuckets: false,
      registers,
    });
    this.facts = new Counter({ name: 'rete_eval_facts_evaluated_total', help: 'Facts read and evaluated, by rule set', labelNames: ['ruleset'], registers });
    this.firings = new Counter({ name: 'rete_eval_firings_total', help: 'Rule firings, by rule set', labelNames: ['ruleset'], registers });
    this.errors = new Counter({ name: 'rete_eval_errors_total', help: 'Error responses by stable error code', labelNames: ['code'], registers });
    this.aborted = new Counter({
      name: 'rete_eval_requests_abandoned_total',
      help: 'Evaluate requests whose session ended early: the client disconnected, or the request timed out',
      labelNames: ['reason'],
      registers,
    });
    this.inFlight = new Gauge({ name: 'rete_eval_requests_in_flight', help: 'Evaluate requests being read or evaluated', registers });
    this.ruleSetInfo = new Gauge({
      name: 'rete_eval_ruleset_info',
      help: 'The version of each rule set in use (value 1)',
      labelNames: ['ruleset', 'version'],
      registers,
    });
    this.ruleSetRules = new Gauge({ name: 'rete_eval_ruleset_rules', help: 'Rules in each rule set', labelNames: ['ruleset'], registers });
    this.ruleSetLoads = new Counter({
      name: 'rete_eval_ruleset_loads_total',
      help: 'Rule set loads (start, PUT, SIGHUP) by result',
      labelNames: ['ruleset', 'result'],
      registers,
    });
    this.alertActive = new Gauge({
      name: 'rete_eval_alert_active',
      help: 'Whether a performance alert is raised (1) or not (0)',
      labelNames: ['alert'],
      registers,
    });
    this.alertsRaised = new Counter({ name: 'rete_eval_alerts_total', help: 'Times a performance alert was raised', labelNames: ['alert'], registers });
    // process_resident_memory_bytes, nodejs_heap_size_used_bytes, event-loop lag, GC...
    collectDefaultMetrics({ register: this.registry });
  }

  /** A rule set was loaded or replaced: its version label moves. */
  ruleSetChanged({ set, previous }: RuleSetChange): void {
    if (previous !== undefined) this.ruleSetInfo.remove({ ruleset: previous.name, version: previous.version });
    this.ruleSetInfo.set({ ruleset: set.name, version: set.version }, 1);
    this.ruleSetRules.set({ ruleset: set.name }, set.rules);
    this.ruleSetLoads.inc({ ruleset: set.name, result: 'ok' });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
