import { describe, expect, test } from "bun:test";
import { fdinfoCloseOnExec } from "../../../src/platform/linux/reader.ts";

// /proc/PID/fdinfo/FD as Linux writes it: "flags:" is octal (O_RDWR 02, O_LARGEFILE 0100000,
// O_CLOEXEC 02000000).

describe("fdinfoCloseOnExec", () => {
  test("/dev/null opened by the runtime on a closed descriptor: O_CLOEXEC set", () => {
    expect(fdinfoCloseOnExec("pos:\t0\nflags:\t02100002\nmnt_id:\t25\n")).toBe(true);
    expect(fdinfoCloseOnExec("pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t3\n")).toBe(true);
  });

  test("an inherited descriptor: no O_CLOEXEC", () => {
    expect(fdinfoCloseOnExec("pos:\t0\nflags:\t0100002\nmnt_id:\t25\n")).toBe(false);
    expect(fdinfoCloseOnExec("flags:\t0100002")).toBe(false);
    expect(fdinfoCloseOnExec("pos:\t0\nflags:\t0100000\nmnt_id:\t24\nino:\t3\n")).toBe(false);
  });

  test("only the flags line counts: a position that looks like the bit does not", () => {
    expect(fdinfoCloseOnExec("pos:\t2000000\nflags:\t0100002\nmnt_id:\t25\n")).toBe(false);
  });

  test("the bit is read as octal, not decimal", () => {
    expect(fdinfoCloseOnExec("flags:\t02000000\n")).toBe(true);
    // Read as decimal, 4000000 would have the bit (0o2000000 = 524288) set; as octal it has not.
    expect(4_000_000 & 0o2000000).not.toBe(0);
    expect(fdinfoCloseOnExec("flags:\t04000000\n")).toBe(false);
  });

  test("no flags line, or an empty file: not close-on-exec", () => {
    expect(fdinfoCloseOnExec("pos:\t0\nmnt_id:\t25\n")).toBe(false);
    expect(fdinfoCloseOnExec("")).toBe(false);
  });
});

describe.if(process.platform === "linux")("--pss on this machine's /proc", () => {
  test("a live process's smaps_rollup: PSS and USS; a gone one: undefined; the kernel has the file", async () => {
    const { createLinuxReader } = await import("../../../src/platform/linux/reader.ts");
    const proportional = createLinuxReader().proportional;
    expect(proportional?.source).toBe("smaps_rollup");
    expect(proportional?.unavailable?.()).toBeUndefined();
    const own = proportional?.read(process.pid);
    expect(own?.pss).toBeGreaterThan(0);
    expect(own?.uss).toBeGreaterThan(0);
    expect(own?.uss).toBeLessThanOrEqual(own?.pss ?? 0);
    expect(proportional?.read(2 ** 22 + 1)).toBeUndefined(); // above pid_max's limit: never a process
  });
});
