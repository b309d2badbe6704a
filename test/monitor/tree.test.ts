import { describe, expect, test } from "bun:test";
import { ProcessTree, type TreeOptions } from "../../src/monitor/tree.ts";
import { FakeReader, type FakeProcess } from "./fake-reader.ts";

const ADOPTER = 50; // peak-mem itself
const ROOT = 100; // the command

/** A tree created before the command starts (mark 99), then given its root. */
function startTree(reader: FakeReader, options: TreeOptions = { children: true }): ProcessTree {
  const tree = new ProcessTree(reader, options);
  reader.spawn(ROOT, { ppid: ADOPTER, startTime: 10, rss: 100 });
  tree.addRoot(ROOT);
  return tree;
}

const alivePids = (tree: ProcessTree) =>
  tree.members.filter((m) => m.alive).map((m) => m.pid).sort((a, b) => a - b);

describe("ProcessTree", () => {
  test("the root alone", () => {
    const tree = startTree(new FakeReader(99));
    expect(tree.sample()).toEqual({ rss: 100, vsz: 200, swap: 0, count: 1, processPeakRss: 100, processPeakVsz: 200 });
    expect(tree.seen).toBe(1);
  });

  test("finds descendants even when a child is listed before its parent", () => {
    const reader = new FakeReader(99);
    const tree = startTree(reader);
    reader.table.set(300, { ppid: 200, startTime: 12, rss: 3 }); // listed first
    reader.table.set(200, { ppid: ROOT, startTime: 11, rss: 20 });
    reader.mark = 300;
    expect(tree.sample()).toMatchObject({ rss: 123, count: 3 });
    expect(alivePids(tree)).toEqual([100, 200, 300]);
  });

  test("unrelated processes are not counted", () => {
    const reader = new FakeReader(99, { 1: { ppid: 0, startTime: 1, rss: 5000 }, 60: { ppid: 1, startTime: 2, rss: 6000 } });
    const tree = startTree(reader);
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    reader.spawn(201, { ppid: 1, startTime: 12, rss: 7000 });
    reader.spawn(202, { ppid: 201, startTime: 13, rss: 9000 });
    expect(tree.sample()).toMatchObject({ rss: 120, count: 2 });
    expect(alivePids(tree)).toEqual([100, 200]);
  });

  test("without a creation mark, descendants are still found and outsiders ignored", () => {
    const reader = new FakeReader(undefined, { 1: { ppid: 0, startTime: 1, rss: 5000 } });
    const tree = startTree(reader);
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    reader.spawn(150, { ppid: 1, startTime: 12, rss: 7000 });
    expect(tree.sample()).toMatchObject({ rss: 120, count: 2 });
  });

  test("children:false counts only the root", () => {
    const reader = new FakeReader(99);
    const tree = startTree(reader, { children: false });
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
    expect(tree.seen).toBe(1);
  });

  test("a process that vanishes is dropped silently", () => {
    const reader = new FakeReader(99);
    const tree = startTree(reader);
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    expect(tree.sample().count).toBe(2);
    reader.table.delete(200);
    expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
    expect(tree.members.find((m) => m.pid === 200)?.alive).toBe(false);
    expect(tree.seen).toBe(2);
  });

  test("a process listed but gone before it is read is skipped", () => {
    const reader = new FakeReader(99);
    const tree = startTree(reader);
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    const listPids = reader.listPids.bind(reader);
    reader.listPids = () => {
      const pids = listPids();
      reader.table.delete(200);
      return pids;
    };
    expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
  });

  test("a root already gone gives an empty reading", () => {
    const reader = new FakeReader(99);
    const tree = new ProcessTree(reader, { children: true });
    tree.addRoot(ROOT);
    expect(tree.sample()).toEqual({ rss: 0, vsz: 0, swap: 0, count: 0, processPeakRss: 0, processPeakVsz: 0 });
  });

  describe("pid reuse: (pid, start time) is the identity", () => {
    /**
     * Root, child 200 and an unrelated 250 known (mark 250); then 200 exits, the pid
     * counter wraps and hands 200 to `newOwner`: the mark drops to 200.
     */
    function reusedAfterWrap(newOwner: FakeProcess) {
      const reader = new FakeReader(99);
      const tree = startTree(reader);
      reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
      reader.spawn(250, { ppid: 1, startTime: 12, rss: 1 });
      expect(tree.sample()).toMatchObject({ rss: 120, count: 2 });
      reader.table.delete(200);
      reader.spawn(200, newOwner);
      expect(reader.mark).toBe(200);
      return { reader, tree };
    }

    // The sample that first sees the reused pid must not read the new owner under the
    // old member (known members are read early, so suspects are verified first).
    test("an unrelated new owner is not counted, even at the sample that sees it", () => {
      const { tree } = reusedAfterWrap({ ppid: 1, startTime: 99, rss: 5000 });
      expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
    });

    test("a descendant new owner is not counted twice at the sample that sees it", () => {
      const { tree } = reusedAfterWrap({ ppid: ROOT, startTime: 99, rss: 30 });
      expect(tree.sample()).toMatchObject({ rss: 130, count: 2 });
    });

    test("an unrelated new owner is not counted at later samples", () => {
      const { tree } = reusedAfterWrap({ ppid: 1, startTime: 99, rss: 5000 });
      tree.sample();
      expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
      expect(tree.members.find((m) => m.pid === 200)?.alive).toBe(false);
    });

    test("a counter that went all the way round within one interval is caught by the periodic re-check", () => {
      const reader = new FakeReader(99);
      const tree = startTree(reader);
      reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
      tree.sample(); // round 1, mark 200
      reader.table.delete(200);
      reader.table.set(200, { ppid: 1, startTime: 99, rss: 5000 }); // pid 200 again...
      reader.mark = 210; // ...and the counter ends past where it was: the window (200, 210] misses it
      const counts = Array.from({ length: 9 }, () => tree.sample().rss); // rounds 2..10
      expect(counts.at(-1)).toBe(100); // round 10 re-identifies every member
      expect(tree.members.find((m) => m.pid === 200)?.alive).toBe(false);
    });

    test("a descendant new owner becomes a new member", () => {
      const { tree } = reusedAfterWrap({ ppid: ROOT, startTime: 99, rss: 30 });
      tree.sample();
      expect(tree.sample()).toMatchObject({ rss: 130, count: 2 });
      expect(tree.seen).toBe(3);
      expect(tree.members.filter((m) => m.pid === 200).map((m) => [m.startTime, m.alive])).toEqual([
        [11, false],
        [99, true],
      ]);
    });
  });

  test("the command is read before any other process is looked at", () => {
    const reader = new FakeReader(99);
    const calls: string[] = [];
    const memory = reader.memory.bind(reader);
    const list = reader.listPids.bind(reader);
    reader.memory = (pid) => (calls.push(`memory ${pid}`), memory(pid));
    reader.listPids = () => (calls.push("list"), list());
    const tree = new ProcessTree(reader, { children: true });
    reader.spawn(ROOT, { ppid: ADOPTER, startTime: 10, rss: 100 });
    tree.addRoot(ROOT);
    tree.sample();
    expect(calls[0]).toBe(`memory ${ROOT}`);
  });

  describe("cost", () => {
    test("while the creation mark is unchanged, only the periodic re-check reads info(), of members only", () => {
      const reader = new FakeReader(99, { 1: { ppid: 0, startTime: 1, rss: 1 } });
      const tree = startTree(reader);
      reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
      reader.spawn(201, { ppid: 1, startTime: 12, rss: 20 });
      tree.sample();
      reader.infoCalls = [];
      for (let i = 0; i < 20; i++) expect(tree.sample().count).toBe(2);
      // 21 samples in all: rounds 10 and 20 re-identify the two members, nothing else is read.
      expect(reader.infoCalls.sort()).toEqual([ROOT, ROOT, 200, 200]);
    });

    test("when the mark moves, only the pids handed out since are read", () => {
      const older: Record<number, FakeProcess> = {};
      for (let pid = 1; pid < 90; pid++) older[pid] = { ppid: 1, startTime: pid, rss: 1 };
      const reader = new FakeReader(99, older);
      const tree = startTree(reader);
      tree.sample();
      reader.infoCalls = [];
      reader.spawn(101, { ppid: ROOT, startTime: 11, rss: 20 });
      reader.spawn(102, { ppid: 1, startTime: 12, rss: 20 });
      expect(tree.sample()).toMatchObject({ rss: 120, count: 2 });
      expect(reader.infoCalls.sort()).toEqual([101, 102]);
    });
  });

  test("orphans reparented to the adopter (peak-mem as subreaper) are adopted", () => {
    const reader = new FakeReader(99);
    const tree = startTree(reader, { children: true, adopterPid: ADOPTER });
    // A double-forked daemon: its parent 200 is gone, it now has peak-mem as parent.
    reader.spawn(700, { ppid: ADOPTER, startTime: 20, rss: 7 });
    reader.spawn(701, { ppid: 700, startTime: 21, rss: 1 });
    expect(tree.sample()).toMatchObject({ rss: 108, count: 3 });
    expect(alivePids(tree)).toEqual([100, 700, 701]);
  });

  test("without an adopter, a process whose parent is not in the tree stays outside", () => {
    const reader = new FakeReader(99);
    const tree = startTree(reader);
    reader.spawn(700, { ppid: ADOPTER, startTime: 20, rss: 7 });
    expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
  });

  test("per-process peaks keep the kernel's high-water mark", () => {
    const reader = new FakeReader(99);
    const tree = startTree(reader);
    reader.table.set(ROOT, { ppid: ADOPTER, startTime: 10, rss: 100, peakRss: 400 });
    expect(tree.sample()).toMatchObject({ rss: 100, processPeakRss: 400 });
    reader.table.set(ROOT, { ppid: ADOPTER, startTime: 10, rss: 50 });
    expect(tree.sample()).toMatchObject({ rss: 50, processPeakRss: 400 });
    expect(tree.members[0]?.peakRss).toBe(400);
  });
});

/**
 * A FakeReader whose kernel lists children (CONFIG_PROC_CHILDREN): a process's children
 * are derived from the table's ppid fields. Counts listPids() calls and childrenOf() pids.
 * childrenOf is an arrow property, as in the real reader: the tree calls it unbound.
 */
class ChildrenReader extends FakeReader {
  listCalls = 0;
  childrenCalls: number[] = [];

  childrenOf = (pid: number): number[] | undefined => {
    this.childrenCalls.push(pid);
    if (pid !== ADOPTER && !this.table.has(pid)) return undefined;
    return [...this.table].filter(([, p]) => p.ppid === pid).map(([child]) => child);
  };

  override listPids(): number[] {
    this.listCalls++;
    return super.listPids();
  }
}

describe("children lists", () => {
  test("new descendants, a grandchild of the same interval included, are found without listing every pid", () => {
    const reader = new ChildrenReader(99, { 1: { ppid: 0, startTime: 1, rss: 5000 } });
    const tree = startTree(reader);
    expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    reader.spawn(201, { ppid: 200, startTime: 12, rss: 3 });
    reader.spawn(202, { ppid: 201, startTime: 13, rss: 1 });
    expect(tree.sample()).toMatchObject({ rss: 124, count: 4 });
    expect(alivePids(tree)).toEqual([100, 200, 201, 202]);
    expect(reader.listCalls).toBe(0);
    expect(reader.childrenCalls).toContain(ROOT);
  });

  test("the same tree is found as the listing finds it", () => {
    const build = (reader: FakeReader) => {
      const tree = startTree(reader, { children: true, adopterPid: ADOPTER });
      reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
      reader.spawn(201, { ppid: 1, startTime: 12, rss: 7000 });
      reader.spawn(202, { ppid: 200, startTime: 13, rss: 3 });
      reader.spawn(203, { ppid: ADOPTER, startTime: 14, rss: 5 });
      return tree.sample();
    };
    const listed = build(new FakeReader(99, { 1: { ppid: 0, startTime: 1, rss: 1 } }));
    const fromChildren = build(new ChildrenReader(99, { 1: { ppid: 0, startTime: 1, rss: 1 } }));
    expect(fromChildren).toEqual(listed);
    expect(fromChildren).toMatchObject({ rss: 128, count: 4 });
  });

  test("orphans adopted by peak-mem are found among the adopter's children", () => {
    const reader = new ChildrenReader(99);
    const tree = startTree(reader, { children: true, adopterPid: ADOPTER });
    tree.sample();
    reader.childrenCalls = [];
    // A double-forked daemon: its parent is gone, peak-mem is its parent now.
    reader.spawn(700, { ppid: ADOPTER, startTime: 20, rss: 7 });
    reader.spawn(701, { ppid: 700, startTime: 21, rss: 1 });
    expect(tree.sample()).toMatchObject({ rss: 108, count: 3 });
    expect(alivePids(tree)).toEqual([100, 700, 701]);
    expect(reader.childrenCalls).toContain(ADOPTER);
    expect(reader.listCalls).toBe(0);
  });

  test("without an adopter, its children are not looked at", () => {
    const reader = new ChildrenReader(99);
    const tree = startTree(reader);
    reader.spawn(700, { ppid: ADOPTER, startTime: 20, rss: 7 });
    expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
    expect(reader.childrenCalls).not.toContain(ADOPTER);
    expect(reader.infoCalls).not.toContain(700);
  });

  test("unrelated processes are never read", () => {
    const reader = new ChildrenReader(99, { 1: { ppid: 0, startTime: 1, rss: 5000 }, 60: { ppid: 1, startTime: 2, rss: 6000 } });
    const tree = startTree(reader, { children: true, adopterPid: ADOPTER });
    reader.infoCalls = [];
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    reader.spawn(201, { ppid: 1, startTime: 12, rss: 7000 });
    reader.spawn(202, { ppid: 201, startTime: 13, rss: 9000 });
    reader.spawn(203, { ppid: 60, startTime: 14, rss: 9000 });
    expect(tree.sample()).toMatchObject({ rss: 120, count: 2 });
    expect(reader.infoCalls).toEqual([200]);
    expect(reader.childrenCalls).not.toContain(1);
    expect(reader.childrenCalls).not.toContain(60);
    expect(reader.childrenCalls).not.toContain(201);
  });

  test("a child whose pid is outside the creation-mark window is not read", () => {
    const reader = new ChildrenReader(99);
    const tree = startTree(reader);
    tree.sample(); // mark 100
    reader.infoCalls = [];
    // 90 is listed as a child but was handed out before the last look: not new.
    reader.table.set(90, { ppid: ROOT, startTime: 9, rss: 1000 });
    reader.spawn(150, { ppid: ROOT, startTime: 15, rss: 15 }); // window (100, 150]
    expect(tree.sample()).toMatchObject({ rss: 115, count: 2 });
    expect(reader.infoCalls).toEqual([150]);
    expect(alivePids(tree)).toEqual([100, 150]);
  });

  test("known members listed again are not re-read, and an unchanged mark reads no list", () => {
    const reader = new ChildrenReader(99);
    const tree = startTree(reader);
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    tree.sample();
    reader.infoCalls = [];
    reader.childrenCalls = [];
    tree.sample(); // mark unchanged
    expect(reader.childrenCalls).toEqual([]);
    reader.spawn(201, { ppid: ROOT, startTime: 12, rss: 2 });
    expect(tree.sample()).toMatchObject({ rss: 122, count: 3 });
    expect(reader.infoCalls).toEqual([201]); // 200 is a child of ROOT too, but known
  });

  test("a child list of a process already gone is skipped", () => {
    const reader = new ChildrenReader(99);
    const tree = startTree(reader);
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    tree.sample();
    reader.table.delete(200);
    const childrenOf = reader.childrenOf;
    reader.childrenOf = (pid) => (pid === 200 ? undefined : childrenOf(pid));
    reader.spawn(201, { ppid: ROOT, startTime: 12, rss: 2 });
    expect(tree.sample()).toMatchObject({ rss: 102, count: 2 });
  });

  test("past 32 live members, one listing of every pid is used instead", () => {
    const reader = new ChildrenReader(99);
    const tree = startTree(reader);
    for (let pid = 101; pid <= 131; pid++) reader.spawn(pid, { ppid: ROOT, startTime: pid, rss: 1 });
    expect(tree.sample().count).toBe(32);
    expect(reader.listCalls).toBe(0);

    // 32 live members: still the children lists.
    reader.spawn(132, { ppid: ROOT, startTime: 132, rss: 1 });
    expect(tree.sample().count).toBe(33);
    expect(reader.listCalls).toBe(0);

    // 33: the listing.
    reader.childrenCalls = [];
    reader.spawn(133, { ppid: 132, startTime: 133, rss: 1 });
    expect(tree.sample().count).toBe(34);
    expect(reader.listCalls).toBe(1);
    expect(reader.childrenCalls).toEqual([]);
    expect(alivePids(tree)).toContain(133);

    // Only live members count: back to 32, back to the lists.
    for (const pid of [101, 102]) reader.table.delete(pid);
    reader.spawn(134, { ppid: ROOT, startTime: 134, rss: 1 });
    expect(tree.sample().count).toBe(33);
    expect(reader.listCalls).toBe(1);
    expect(alivePids(tree)).toContain(134);
  });
});

describe("handles bound to one process", () => {
  /** Handles that, like a held /proc fd, fail once the process they were opened on is gone. */
  class HandleReader extends FakeReader {
    opened = 0;
    closed = 0;
    track = (pid: number) => {
      const process = this.table.get(pid);
      if (!process) return undefined;
      this.opened++;
      return {
        read: () => (this.table.get(pid) === process ? this.memory(pid) : undefined),
        close: () => {
          this.closed++;
        },
      };
    };
  }

  test("a member read through its handle needs no identity re-checks", () => {
    const reader = new HandleReader(99);
    const tree = startTree(reader);
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    tree.sample();
    reader.infoCalls = [];
    for (let i = 0; i < 25; i++) expect(tree.sample()).toMatchObject({ rss: 120, count: 2 });
    expect(reader.infoCalls).toEqual([]); // not even at the periodic re-check
    expect(reader.opened).toBe(2);
  });

  test("a reused pid is never read through the old member's handle, and the handle is closed", () => {
    const reader = new HandleReader(99);
    const tree = startTree(reader);
    reader.spawn(200, { ppid: ROOT, startTime: 11, rss: 20 });
    tree.sample();
    reader.table.delete(200);
    reader.table.set(200, { ppid: 1, startTime: 99, rss: 5000 }); // same pid, other process, mark unchanged
    expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
    expect(reader.closed).toBe(1);
    tree.close();
    expect(reader.closed).toBe(2);
  });

  test("a reaped orphan is gone at once: its handle is closed, and only once", () => {
    const reader = new HandleReader(99);
    const tree = startTree(reader, { children: true, adopterPid: ADOPTER });
    reader.spawn(300, { ppid: ADOPTER, startTime: 11, rss: 20 });
    tree.sample();
    expect(reader.opened).toBe(2);
    tree.reaped(300, 64);
    expect(reader.closed).toBe(1);
    tree.reaped(300, 64);
    expect(reader.closed).toBe(1);
    tree.close();
    expect(reader.closed).toBe(2); // the root's; the orphan's was closed already
  });
});

describe("reaped(pid, maxRss): an orphan peak-mem reaped", () => {
  const withOrphan = () => {
    const reader = new FakeReader(99);
    const tree = startTree(reader, { children: true, adopterPid: ADOPTER });
    reader.spawn(300, { ppid: ADOPTER, startTime: 11, rss: 20 });
    expect(tree.sample()).toMatchObject({ rss: 120, count: 2 });
    const orphan = () => tree.members.find((m) => m.pid === 300)!;
    return { reader, tree, orphan };
  };

  test("its kernel peak is kept and it is no longer alive nor summed", () => {
    const { reader, tree, orphan } = withOrphan();
    tree.reaped(300, 4096);
    expect(orphan().peakRss).toBe(4096);
    expect(orphan().alive).toBe(false);
    expect(alivePids(tree)).toEqual([ROOT]);
    reader.table.delete(300);
    expect(tree.sample()).toMatchObject({ rss: 100, count: 1 });
  });

  test("a larger sampled peak is not lowered", () => {
    const { tree, orphan } = withOrphan();
    tree.reaped(300, 5);
    expect(orphan().peakRss).toBe(20);
    expect(orphan().alive).toBe(false);
  });

  test("a pid that is not a member changes nothing", () => {
    const { tree } = withOrphan();
    const before = tree.members.map((m) => ({ ...m }));
    tree.reaped(999, 10 ** 9);
    expect(tree.members.map((m) => ({ ...m }))).toEqual(before);
    expect(tree.seen).toBe(2);
  });

  test("a member already gone still gets the exact peak", () => {
    const { reader, tree, orphan } = withOrphan();
    reader.table.delete(300);
    tree.sample();
    expect(orphan().alive).toBe(false);
    tree.reaped(300, 777);
    expect(orphan().peakRss).toBe(777);
    expect(orphan().alive).toBe(false);
  });
});
