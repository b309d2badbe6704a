import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../src/core/errors.ts";
import { fileSink } from "../../src/io/sink.ts";

const root = mkdtempSync(join(tmpdir(), "peak-mem-sink-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SINK_MODULE = join(import.meta.dir, "../../src/io/sink.ts");

describe("fileSink", () => {
  test("holds exactly what was written, in order, multi-byte text included", () => {
    const path = join(root, "exact.jsonl");
    const sink = fileSink(path, "--timeline");
    expect(sink.isTerminal).toBe(false);
    sink.write("a\n");
    sink.write('{"name":"déjà vu ✓"}\n');
    sink.write("");
    sink.write("z".repeat(100_000));
    sink.close();
    sink.close(); // a second close is harmless
    expect(readFileSync(path, "utf8")).toBe(`a\n{"name":"déjà vu ✓"}\n${"z".repeat(100_000)}`);
  });

  test("appending keeps what was there, says how it ended, and writes after it", () => {
    const path = join(root, "summary.md");
    writeFileSync(path, "step one\n");
    const sink = fileSink(path, "--export-markdown", true);
    expect(sink.keptEnd).toBe("e\n");
    sink.write("step two\n");
    sink.close();
    expect(readFileSync(path, "utf8")).toBe("step one\nstep two\n");
    const fresh = fileSink(join(root, "new.md"), "--export-markdown", true);
    expect(fresh.keptEnd).toBeUndefined();
    fresh.close();
    expect(existsSync(join(root, "new.md"))).toBe(true);
  });

  test("opening truncates what was there", () => {
    const path = join(root, "old.json");
    writeFileSync(path, "an old, longer report\n");
    const sink = fileSink(path, "--output");
    sink.write("new\n");
    sink.close();
    expect(readFileSync(path, "utf8")).toBe("new\n");
  });

  test("an unwritable path is a usage error naming the option and the path", () => {
    const missing = join(root, "no-such-dir", "out.json");
    expect(() => fileSink(missing, "--output")).toThrow(UsageError);
    expect(() => fileSink(missing, "--output")).toThrow(`cannot write --output file '${missing}': its directory does not exist`);
    expect(existsSync(join(root, "no-such-dir"))).toBe(false);
    const dir = join(root, "a-dir");
    mkdirSync(dir);
    expect(() => fileSink(dir, "--timeline")).toThrow(`cannot write --timeline file '${dir}': it is a directory`);
  });

  test("/dev/full: the write throws ENOSPC; another sink is unaffected", () => {
    const full = fileSink("/dev/full", "--output");
    const path = join(root, "beside-full.txt");
    const other = fileSink(path, "--timeline");
    other.write("before\n");
    let error: unknown;
    try {
      full.write("a report\n");
    } catch (caught) {
      error = caught;
    }
    expect((error as NodeJS.ErrnoException | undefined)?.code).toBe("ENOSPC");
    expect(() => full.write("again\n")).toThrow();
    other.write("after\n");
    full.close();
    other.close();
    expect(readFileSync(path, "utf8")).toBe("before\nafter\n");
  });

  // A regular file whose write fails part-way, without root: RLIMIT_FSIZE (ulimit -f) lets a
  // write run up to the limit, then refuses the rest with EFBIG (SIGXFSZ ignored, as a shell
  // `trap '' XFSZ` leaves it for the exec'd process). The limit is process-wide, so it is
  // set in a child peak-mem-free Bun; the write that crosses it is far longer than any
  // unit `ulimit -f` may count in (512 or 1024 bytes).
  test("a write cut short part-way (file size limit) is taken back whole, and the next write follows the last whole one", () => {
    const dir = join(root, "fsize");
    mkdirSync(dir);
    const sinkFile = join(dir, "sink.jsonl");
    const rawFile = join(dir, "raw.jsonl");
    const script = `
      import { openSync, writeSync, closeSync } from "node:fs";
      import { fileSink } from ${JSON.stringify(SINK_MODULE)};
      const [sinkFile, rawFile] = process.argv.slice(-2);
      const sink = fileSink(sinkFile, "--timeline");
      sink.write("a".repeat(100));
      let code = "no error";
      try { sink.write("b".repeat(8192)); } catch (error) { code = error.code; }
      sink.write("c\\n"); // within the limit: must follow the last complete write, no hole
      sink.close();
      // The same writes without a sink: how far the second one got before the limit.
      const fd = openSync(rawFile, "w");
      writeSync(fd, "a".repeat(100));
      const partial = writeSync(fd, "b".repeat(8192));
      closeSync(fd);
      console.log(JSON.stringify({ code, partial }));
    `;
    const child = Bun.spawnSync(["sh", "-c", `trap '' XFSZ; ulimit -f 1 && exec "$0" -e "$1" "$2" "$3"`, process.execPath, script, sinkFile, rawFile], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(child.stderr.toString()).toBe("");
    expect(child.exitCode).toBe(0);
    const { code, partial } = JSON.parse(child.stdout.toString()) as { code: string; partial: number };
    // The limit did cut the long write part-way, after some of it was on disk…
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(8192);
    expect(statSync(rawFile).size).toBe(100 + partial);
    // …and the sink threw, leaving only its complete writes, the next right after the first.
    expect(code).toBe("EFBIG");
    expect(readFileSync(sinkFile, "latin1")).toBe(`${"a".repeat(100)}c\n`);
  });
});
