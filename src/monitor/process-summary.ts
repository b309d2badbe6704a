import type { Member } from "./tree.ts";
import type { ProcessSummary } from "../model/chart-data.ts";
import { signalName } from "../core/exit-code.ts";

// The processes of a run as a tree: parents before their children, each with its depth
// under the command. Orphans adopted by peak-mem hang under the command (they came from
// it); processes whose parent was never seen also do.

export function summarizeProcesses(members: readonly Member[]): ProcessSummary[] {
  if (members.length === 0) return [];
  const root = members[0] as Member;
  const children = new Map<Member, Member[]>();
  const byPid = new Map<number, Member[]>();
  for (const member of members) {
    const list = byPid.get(member.pid);
    if (list) list.push(member);
    else byPid.set(member.pid, [member]);
  }
  const parentOf = (member: Member): Member => {
    // The parent is the latest process under that pid that was seen before this one.
    const candidates = (byPid.get(member.ppid) ?? []).filter((p) => p !== member && p.firstSeenMs <= member.firstSeenMs);
    return candidates.at(-1) ?? root;
  };
  for (const member of members.slice(1)) {
    const parent = parentOf(member);
    const list = children.get(parent);
    if (list) list.push(member);
    else children.set(parent, [member]);
  }
  const result: ProcessSummary[] = [];
  const visited = new Set<Member>();
  const visit = (member: Member, depth: number) => {
    if (visited.has(member)) return;
    visited.add(member);
    result.push({
      pid: member.pid,
      ppid: member.ppid,
      name: member.name,
      depth,
      peakRss: member.peakRss,
      ...(member.rssAtPeak !== undefined && { rssAtPeak: member.rssAtPeak }),
      firstSeenMs: Math.round(member.firstSeenMs),
      lastSeenMs: Math.round(member.lastSeenMs),
      ...(member.exitSignal ? { signal: signalName(member.exitSignal) } : member.exitCode !== undefined && { exitCode: member.exitCode }),
      ...(member.alive && { running: true }),
    });
    for (const child of children.get(member) ?? []) visit(child, depth + 1);
  };
  visit(root, 0);
  // Pid reuse can make parentage look circular: whatever was not reached hangs under the command.
  for (const member of members) if (!visited.has(member)) visit(member, 1);
  return result;
}

