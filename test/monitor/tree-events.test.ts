// The tree fed by the kernel's process events (a fake source here; the real one is tested in
// test/platform/linux/proc-events.test.ts): processes too short for any sample are still
// counted, named by their exit statistics, with their exact peaks; strangers are not.
import { describe, expect, test } from "bun:test";
import { ProcessTree } from "../../src/monitor/tree.ts";
import type { ProcessEvent, ProcessEventSource, TaskExit } from "../../src/platform/types.ts";
import { FakeReader } from "./fake-reader.ts";

const ADOPTER = 50;
const ROOT = 100;
const MiB = 1024 * 1024;

class FakeEvents implements ProcessEventSource {
  readonly fds = [];
  queue: Array<ProcessEvent | TaskExit> = [];
  lost = false;
  constructor(readonly taskStats = true) {}
  fork(pid: number, parent: number, ms: number) {
    this.queue.push({ kind: "fork", pid, tgid: pid, parentPid: parent, parentTgid: parent, exitStatus: 0, monotonicMs: ms });
  }
  exec(pid: number, ms: number) {
    this.queue.push({ kind: "exec", pid, tgid: pid, parentPid: 0, parentTgid: 0, exitStatus: 0, monotonicMs: ms });
  }
  exit(pid: number, status: number, ms: number, name = "", peak = 0) {
    if (name) this.queue.push({ pid, tgid: pid, ppid: ROOT, name, peakRssBytes: peak, peakVszBytes: 2 * peak, exitStatus: status, elapsedUs: 0 });
    this.queue.push({ kind: "exit", pid, tgid: pid, parentPid: ROOT, parentTgid: ROOT, exitStatus: status, monotonicMs: ms });
  }
  drain(onEvent: (event: ProcessEvent) => void, onExit: (exit: TaskExit) => void): boolean {
    for (const item of this.queue.splice(0)) {
      if ("kind" in item) onEvent(item);
      else onExit(item);
    }
    const ok = !this.lost;
    this.lost = false;
    return ok;
  }
  close() {}
}

function start(events: FakeEvents, reader = new FakeReader(99)) {
  // Run time is monotonic time less 1000 ms.
  const tree = new ProcessTree(reader, { children: true, adopterPid: ADOPTER, events: { source: events, toRunMs: (ms) => ms - 1000 } });
  reader.spawn(ROOT, { ppid: ADOPTER, startTime: 10, rss: 5 * MiB });
  tree.addRoot(ROOT);
  return { tree, reader };
}

describe("ProcessTree with process events", () => {
  test("forty children that came and went between samples are all counted, named and timed", () => {
    const events = new FakeEvents();
    const { tree } = start(events);
    tree.sample(0);
    for (let i = 0; i < 40; i++) {
      const pid = 200 + i;
      events.fork(pid, ROOT, 1010 + i);
      events.exec(pid, 1010.1 + i);
      events.exit(pid, 0, 1010.5 + i, "cat", 2 * MiB);
    }
    const reading = tree.sample(100);
    const cats = tree.members.filter((m) => m.name === "cat");
    expect(cats).toHaveLength(40);
    expect(tree.eventOnly).toBe(40);
    expect(cats.every((m) => m.eventOnly && !m.alive && m.peakRss === 2 * MiB)).toBe(true);
    expect(cats[0]).toMatchObject({ forkedMs: 10, exitedMs: 10.5, firstSeenMs: 10, lastSeenMs: 10.5, exitSignal: 0 });
    // Their exact peaks reach the tree's largest single-process peak.
    expect(reading.processPeakRss).toBe(5 * MiB);
    expect(reading.count).toBe(1);
  });

  test("a child still alive at its fork event joins and is read; its exit's signal is kept", () => {
    const events = new FakeEvents();
    const { tree, reader } = start(events);
    reader.spawn(300, { ppid: ROOT, startTime: 11, rss: 50 * MiB });
    events.fork(300, ROOT, 1005);
    expect(tree.sample(10)).toMatchObject({ count: 2, rss: 55 * MiB });
    const child = tree.members.find((m) => m.pid === 300);
    expect(child).toMatchObject({ alive: true, forkedMs: 5 });
    expect(child?.eventOnly).toBeUndefined();
    reader.table.delete(300);
    events.exit(300, 9, 1020, "worker", 80 * MiB); // SIGKILL
    const reading = tree.sample(30);
    expect(child).toMatchObject({ alive: false, exitSignal: 9, exitedMs: 20, name: "worker", peakRss: 80 * MiB });
    expect(reading.processPeakRss).toBe(80 * MiB);
  });

  test("strangers' events are ignored, and a pid reused by one keeps the tree's process as it was", () => {
    const events = new FakeEvents();
    const { tree } = start(events);
    events.fork(400, 1, 1001); // not the tree's
    events.exit(400, 0, 1002, "stranger", 900 * MiB);
    events.fork(401, ROOT, 1003);
    events.exit(401, 0, 1004, "cat", MiB);
    events.fork(401, 1, 1005); // the pid handed to a stranger
    events.exit(401, 0, 1006, "stranger", 900 * MiB);
    const reading = tree.sample(10);
    expect(tree.members.map((m) => m.pid)).toEqual([ROOT, 401]);
    expect(tree.members[1]).toMatchObject({ name: "cat", peakRss: MiB, exitedMs: 4 });
    expect(reading.processPeakRss).toBe(5 * MiB);
  });

  test("a thread is not a process", () => {
    const events = new FakeEvents();
    const { tree } = start(events);
    events.queue.push({ kind: "fork", pid: 501, tgid: ROOT, parentPid: ROOT, parentTgid: ROOT, exitStatus: 0, monotonicMs: 1001 });
    tree.sample(10);
    expect(tree.seen).toBe(1);
  });

  test("events the kernel dropped are remembered", () => {
    const events = new FakeEvents();
    const { tree } = start(events);
    tree.sample(0);
    expect(tree.eventsLost).toBe(false);
    events.lost = true;
    tree.sample(10);
    tree.sample(20);
    expect(tree.eventsLost).toBe(true);
  });

  test("without exit statistics, a child alive at its fork joins and is named as it is read", () => {
    const events = new FakeEvents(false);
    const reader = new FakeReader(99);
    const { tree } = start(events, reader);
    events.fork(600, ROOT, 1001);
    reader.spawn(600, { ppid: ROOT, startTime: 12, rss: MiB }); // FakeReader names it proc600
    events.exec(600, 1002);
    tree.sample(10);
    // Alive at its fork's handling: it joined, and is read as any member.
    expect(tree.members.find((m) => m.pid === 600)?.name).toBe("proc600");
  });
});

describe("ProcessTree with process events: the look for new processes", () => {
  test("while every event is heard, the creation mark is read only at every tenth sample; a child joins at its fork", () => {
    const events = new FakeEvents();
    const { tree, reader } = start(events);
    const before = reader.markReads;
    for (let t = 1; t <= 9; t++) tree.sample(t);
    expect(reader.markReads).toBe(before);
    events.fork(800, ROOT, 1009.5);
    reader.spawn(800, { ppid: ROOT, startTime: 14, rss: MiB });
    tree.sample(9.6);
    expect(tree.members.find((m) => m.pid === 800)).toMatchObject({ alive: true, rss: MiB, forkedMs: 9.5 });
    tree.sample(10); // the tenth: the periodic look
    expect(reader.markReads).toBe(before + 1);
  });

  test("once events were lost, the mark is read and new processes looked for at every sample", () => {
    const events = new FakeEvents();
    const { tree, reader } = start(events);
    tree.sample(1);
    events.lost = true;
    const before = reader.markReads;
    tree.sample(2);
    reader.spawn(900, { ppid: ROOT, startTime: 15, rss: MiB }); // its fork event among those lost
    tree.sample(3);
    expect(reader.markReads).toBe(before + 2);
    expect(tree.eventsLost).toBe(true);
    expect(tree.members.find((m) => m.pid === 900)?.alive).toBe(true);
  });
});

describe("ProcessTree with process events, late", () => {
  test("a child found by a sample and gone before its fork event was heard is counted once", () => {
    const events = new FakeEvents();
    const { tree, reader } = start(events);
    for (let t = 1; t <= 9; t++) tree.sample(t); // with events heard, the look for new processes comes at every tenth
    reader.spawn(700, { ppid: ROOT, startTime: 13, rss: 1024 });
    tree.sample(10); // found by that look, before its fork event arrived (the kernel lists a child a moment before it sends its fork)
    reader.table.delete(700);
    tree.sample(20); // gone
    events.fork(700, ROOT, 1009);
    events.exit(700, 0, 1015, "cat", 3 * MiB);
    tree.sample(30);
    const cats = tree.members.filter((m) => m.pid === 700);
    expect(cats).toHaveLength(1);
    expect(cats[0]).toMatchObject({ name: "cat", forkedMs: 9, exitedMs: 15, peakRss: 3 * MiB });
    expect(tree.eventOnly).toBe(0);
  });
});

describe("ProcessTree with process events, out of order", () => {
  test("exit statistics read before the fork (the sockets are read one after the other) wait for it", () => {
    const events = new FakeEvents();
    const { tree } = start(events);
    // The statistics come in one drain, the fork and exit in the next.
    events.queue.push({ pid: 800, tgid: 800, ppid: ROOT, name: "cat", peakRssBytes: 2 * MiB, peakVszBytes: 4 * MiB, exitStatus: 0, elapsedUs: 400 });
    tree.sample(10);
    expect(tree.seen).toBe(1);
    events.fork(800, ROOT, 1011);
    events.queue.push({ kind: "exit", pid: 800, tgid: 800, parentPid: ROOT, parentTgid: ROOT, exitStatus: 0, monotonicMs: 1011.5 });
    const reading = tree.sample(20);
    expect(tree.members[1]).toMatchObject({ pid: 800, name: "cat", peakRss: 2 * MiB, eventOnly: true, exitedMs: 11.5 });
    expect(reading.processPeakRss).toBe(5 * MiB);
  });

  test("statistics of strangers are not kept, and unclaimed ones are dropped after a sample", () => {
    const events = new FakeEvents();
    const { tree } = start(events);
    events.queue.push({ pid: 900, tgid: 900, ppid: 1, name: "stranger", peakRssBytes: MiB, peakVszBytes: MiB, exitStatus: 0, elapsedUs: 1 });
    events.queue.push({ pid: 901, tgid: 901, ppid: ROOT, name: "late", peakRssBytes: MiB, peakVszBytes: MiB, exitStatus: 0, elapsedUs: 1 });
    tree.sample(10);
    tree.sample(20);
    tree.sample(30);
    events.fork(901, ROOT, 1031); // far too late to be the same one
    tree.sample(40);
    expect(tree.members[1]).toMatchObject({ pid: 901, name: "proc100" });
  });
});
