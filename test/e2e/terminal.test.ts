// The terminal stays clean: --watch's line and a series' progress keep the bottom row to
// themselves (a scroll region, as apt does), so the command's output never lands in the middle
// of them and no piece of them is left in the scrollback. Run in a real terminal: tmux, whose
// screen and scrollback are read back as a person would see them. Needs tmux (.ci/run installs it).
import { afterAll, describe, expect, test } from "bun:test";
import { BINARY } from "../helpers.ts";

const TMUX = Bun.which("tmux");
const IN_CI = Boolean(process.env.CI);
const SESSION = `peak-mem-test-${process.pid}`;
const tmux = (...args: string[]) => Bun.spawnSync([TMUX as string, "-L", SESSION, ...args], { stdio: ["ignore", "pipe", "pipe"] });

afterAll(() => {
  if (TMUX) tmux("kill-server");
});

/** Runs `command` in a fresh 80×20 tmux window until it prints DONE; returns every line the terminal kept, scrollback first. */
async function screen(command: string): Promise<string[]> {
  tmux("kill-server");
  // The server of the test before may take a moment to go.
  let started = false;
  for (let i = 0; i < 50 && !started; i++) {
    started = tmux("new-session", "-d", "-x", "80", "-y", "20", "sh").exitCode === 0;
    if (!started) await Bun.sleep(100);
  }
  expect(started).toBe(true);
  tmux("set-option", "-g", "history-limit", "5000");
  tmux("send-keys", "-t", "0", `${command}; echo DONE`, "Enter");
  for (let i = 0; i < 300; i++) {
    await Bun.sleep(100);
    const text = tmux("capture-pane", "-p", "-t", "0").stdout.toString();
    if (/^DONE$/m.test(text)) break;
  }
  return tmux("capture-pane", "-p", "-t", "0", "-S", "-5000").stdout.toString().split("\n");
}

const LINES = `for i in $(seq 200); do echo line $i; sleep 0.005; done`;

describe.skipIf(!TMUX)("a status line beside the command's output, in a real terminal", () => {
  test("--watch: 200 lines of the command, in order and whole; no status text left anywhere; the report after", async () => {
    const lines = await screen(`'${BINARY}' --watch -- sh -c '${LINES}'`);
    const own = lines.filter((line) => /^line \d+$/.test(line));
    expect(own).toEqual(Array.from({ length: 200 }, (_, i) => `line ${i + 1}`));
    expect(lines.filter((line) => /procs?\b|RSS .* peak .* VSZ/.test(line))).toEqual([]);
    expect(lines.some((line) => line.startsWith("Peak memory usage: "))).toBe(true);
  });

  test("--runs 3: the same for a series' progress", async () => {
    const lines = await screen(`'${BINARY}' --runs 3 -- sh -c '${LINES}'`);
    const own = lines.filter((line) => /^line \d+$/.test(line));
    expect(own).toHaveLength(600);
    expect(lines.filter((line) => /\brun [123]\/3\b|^peak-mem: run/.test(line))).toEqual([]);
    expect(lines.some((line) => line.startsWith("Runs: 3 runs"))).toBe(true);
  });
});

test.if(!TMUX && IN_CI)("under CI, tmux is there (.ci/run installs it)", () => {
  throw new Error("tmux is not installed: .ci/run must install it before the tests");
});
