import { describe, expect, test } from "bun:test";
import { toAction, type Config } from "../../src/cli/config.ts";
import { scanArgv } from "../../src/cli/scan.ts";
import { UsageError } from "../../src/core/errors.ts";

const action = (...argv: string[]) => toAction(scanArgv(argv));

function config(...argv: string[]): Config {
  const result = action(...argv);
  if (result.kind !== "run") throw new Error(`expected a run action, got ${result.kind}`);
  return result.config;
}

function usageError(...argv: string[]): string {
  try {
    action(...argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return (error as UsageError).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe("toAction", () => {
  test("defaults", () => {
    expect(config("ls", "-la")).toEqual({
      command: ["ls", "-la"],
      format: "human",
      verbose: false,
      watch: false,
      children: true,
      pss: false,
      gpu: "auto",
      cgroup: false,
      killOnThreshold: false,
      intervalMs: 100,
      exports: [],
      annotations: true,
    });
  });

  test("--gpu, --no-gpu and --gpu-threshold: a size as typed, or a share of each device's memory", () => {
    expect(config("--gpu", "make").gpu).toBe("on");
    expect(config("--no-gpu", "make").gpu).toBe("off");
    expect(config("--gpu-threshold", "70G", "make")).toMatchObject({ gpu: "auto", gpuThresholdBytes: 70 * 10 ** 9, gpuThresholdText: "70G" });
    expect(config("--gpu-threshold=90%", "make")).toMatchObject({ gpuThresholdPercent: 90 });
    expect(config("--gpu-threshold=90%", "make").gpuThresholdBytes).toBeUndefined();
    expect(usageError("--gpu", "--no-gpu", "make")).toBe("--gpu and --no-gpu cannot be used together");
    expect(usageError("--no-gpu", "--gpu-threshold", "1G", "make")).toContain("--gpu-threshold cannot be used with --no-gpu");
    expect(usageError("--gpu-threshold", "lots", "make")).toContain("invalid --gpu-threshold 'lots'");
    expect(usageError("--gpu-threshold", "0%", "make")).toContain("a share of each device's memory must be more than 0%");
  });

  test("--threshold N% is a share of the memory limit; --limit is a size of at least 4 MiB", () => {
    expect(config("-t", "80%", "make").thresholdPercent).toBe(80);
    expect(config("-t", "80%", "make").thresholdBytes).toBeUndefined();
    expect(config("--threshold=12.5 %", "make").thresholdPercent).toBe(12.5);
    expect(usageError("-t", "0%", "make")).toContain("more than 0% and at most 1000%");
    expect(usageError("-t", "1001%", "make")).toContain("at most 1000%");
    expect(usageError("-t", "lots%", "make")).toContain("invalid --threshold 'lots%'");
    expect(config("--kill-on-threshold", "-t", "90%", "make").killOnThreshold).toBe(true);
    expect(config("--limit", "100M", "make").limitBytes).toBe(100_000_000);
    expect(usageError("--limit", "1M", "make")).toContain("at least 4 MiB");
    expect(usageError("--limit", "100M", "--no-children", "make")).toContain("cannot be used with --no-children");
  });

  test("--export-json/-csv/-markdown: any of them, each to its own file; --no-annotations", () => {
    const { exports, annotations } = config("--export-json", "r.json", "--export-markdown", "r.md", "make");
    expect(exports).toEqual([
      { format: "json", path: "r.json", option: "--export-json" },
      { format: "markdown", path: "r.md", option: "--export-markdown" },
    ]);
    expect(annotations).toBe(true);
    expect(config("--no-annotations", "make").annotations).toBe(false);
    expect(usageError("--export-csv", "", "make")).toBe("--export-csv needs a file name");
  });

  test("--cgroup is a flag, and refused with --no-children", () => {
    expect(config("--cgroup", "make").cgroup).toBe(true);
    expect(usageError("--cgroup", "--no-children", "make")).toContain("--no-children");
  });

  test("-h and -V win over everything, even without a command", () => {
    expect(action("-h")).toEqual({ kind: "help" });
    expect(action("--help", "-j", "-c")).toEqual({ kind: "help" });
    expect(action("-V")).toEqual({ kind: "version" });
    expect(action("--version")).toEqual({ kind: "version" });
  });

  test("output formats", () => {
    expect(config("-j", "x").format).toBe("json");
    expect(config("--csv", "x").format).toBe("csv");
    expect(config("-q", "x").format).toBe("quiet");
    expect(config("-m", "x").format).toBe("markdown");
    expect(config("--markdown", "x").format).toBe("markdown");
  });

  test("two output formats together are a usage error", () => {
    const message = usageError("-j", "-c", "x");
    expect(message).toContain("--json");
    expect(message).toContain("--csv");
    usageError("-jq", "x");
    for (const other of ["-j", "-c", "-q"]) expect(usageError(other, "--markdown", "x")).toContain("--markdown");
  });

  test("flags", () => {
    expect(config("-vw", "x")).toMatchObject({ verbose: true, watch: true });
    expect(config("--no-children", "x").children).toBe(false);
  });

  test("--threshold", () => {
    expect(config("-t", "1G", "x").thresholdBytes).toBe(1e9);
    expect(config("-t1GiB", "x").thresholdBytes).toBe(2 ** 30);
    expect(config("--threshold=512K", "x").thresholdBytes).toBe(512_000);
    expect(config("x").thresholdBytes).toBeUndefined();
  });

  test("bad --threshold values", () => {
    expect(usageError("--threshold=-5", "x")).toContain("-5");
    for (const value of ["0", "abc", "1X", "", "0x10"]) usageError("-t", value, "x");
  });

  test("--interval accepts whole milliseconds from 1 to 60000", () => {
    expect(config("--interval", "1", "x").intervalMs).toBe(1);
    expect(config("--interval", "60000", "x").intervalMs).toBe(60_000);
    expect(config("--interval=250", "x").intervalMs).toBe(250);
  });

  test("--interval rejects everything else, without coercion", () => {
    for (const value of ["0", "-1", "abc", "1.5", "0x10", "60001", "", "1e3", "Infinity"]) {
      expect(usageError("--interval", value, "x")).toContain("--interval");
    }
  });

  test("--units", () => {
    expect(config("--units", "mib", "x").units).toBe("MiB");
    expect(config("--units=GB", "x").units).toBe("GB");
    expect(config("x").units).toBeUndefined();
    expect(usageError("--units", "furlongs", "x")).toContain("furlongs");
  });

  test("--timeline and --output", () => {
    expect(config("--timeline", "t.json", "-o", "r.txt", "x")).toMatchObject({ timelinePath: "t.json", outputPath: "r.txt" });
    usageError("--output=", "x");
    usageError("--timeline", "", "x");
  });

  test("no command is a usage error", () => {
    usageError();
    usageError("-j");
    usageError("--");
    usageError("-t", "1G");
  });

  test("an empty command name is a usage error", () => {
    usageError("--", "");
  });
});

describe("a series", () => {
  test("--runs, --warmup and --ignore-failure; the command is the first", () => {
    const c = config("--runs", "5", "--warmup=2", "--ignore-failure", "--", "make", "-j8");
    expect(c.command).toEqual(["make", "-j8"]);
    expect(c.series).toEqual({ commands: [["make", "-j8"]], runs: 5, warmup: 2, ignoreFailure: true });
  });

  test("commands separated by ---: a series of one run each unless --runs", () => {
    const c = config("a", "x", "---", "b", "\\---");
    expect(c.command).toEqual(["a", "x"]);
    expect(c.series).toEqual({ commands: [["a", "x"], ["b", "---"]], runs: 1, warmup: 0, ignoreFailure: false });
  });

  test("none of them: no series, and the config is as it was", () => {
    expect(config("make")).not.toHaveProperty("series");
  });

  test("bad counts, an empty command, and what a series cannot do are usage errors", () => {
    expect(usageError("--runs", "0", "make")).toBe("invalid --runs '0': expected a whole number from 1 to 100000");
    expect(usageError("--runs", "2.5", "make")).toContain("invalid --runs '2.5'");
    expect(usageError("--warmup", "-1", "make")).toContain("invalid --warmup '-1'");
    expect(usageError("--runs", "100001", "make")).toContain("from 1 to 100000");
    expect(usageError("a", "---")).toContain("command 2 (between separators '---') is empty");
    expect(usageError("a", "---", "---", "b")).toContain("command 2");
    expect(usageError("--ignore-failure", "make")).toContain("--ignore-failure applies to a series");
    expect(usageError("--runs", "2", "-w", "make")).toContain("--watch cannot be used with a series");
    expect(usageError("--compare-baseline", "main", "a", "---", "b")).toContain("take one command");
  });
});
