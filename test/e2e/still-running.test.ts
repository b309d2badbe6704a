// Processes of the tree still running when the report is made (the command ended, or was
// stopped by a signal, and left them) are counted and named: on the compiled binary, with a
// real SIGTERM to peak-mem while a shell's background jobs run.
import { expect, test } from "bun:test";
import { BINARY, readUntil } from "../helpers.ts";

test.skipIf(process.platform !== "linux")("after a SIGTERM to peak-mem: the command's status, and the processes it left, named", async () => {
  const child = Bun.spawn([BINARY, "--json", "--", "sh", "-c", "sleep 30 >/dev/null 2>&1 & sleep 30 >/dev/null 2>&1 & echo started; wait"], { stdio: ["ignore", "pipe", "pipe"] });
  const reader = child.stdout.getReader();
  // Until the shell has started both: its line comes through peak-mem's own stdout.
  const started = await readUntil(reader, "started\n");
  await Bun.sleep(300); // a sample or two
  child.kill("SIGTERM");
  const out = await readUntil(reader, undefined, started);
  expect(await child.exited).toBe(143);
  const report = JSON.parse(out.slice(out.indexOf("{"))) as { signal: string; still_running?: { pid: number; name: string }[] };
  expect(report.signal).toBe("SIGTERM");
  const left = report.still_running ?? [];
  for (const { pid } of left) process.kill(pid, "SIGKILL");
  expect(left.map((p) => p.name)).toEqual(["sleep", "sleep"]);
});
