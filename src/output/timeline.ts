import type { Sample } from "../monitor/sampler.ts";
import type { Sink } from "./sink.ts";

// --timeline FILE: every sample as JSON, streamed as it is taken so memory does not grow
// with the length of the run: { command, interval_ms, started_at, samples: [...] }.

export class TimelineWriter {
  private count = 0;

  constructor(private readonly sink: Sink) {}

  start(header: { command: string; intervalMs: number; startedAt: string }): void {
    const head = { command: header.command, interval_ms: header.intervalMs, started_at: header.startedAt };
    this.sink.write(`${JSON.stringify(head).slice(0, -1)},"samples":[`);
  }

  add(sample: Sample): void {
    const row = { t_ms: Math.round(sample.tMs), rss_bytes: sample.rss, vsz_bytes: sample.vsz, process_count: sample.count };
    this.sink.write(`${this.count++ === 0 ? "\n" : ",\n"}${JSON.stringify(row)}`);
  }

  finish(): void {
    this.sink.write("\n]}\n");
    this.sink.close();
  }
}
