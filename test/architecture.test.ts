import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// The layers of src/, from the bottom up: a file may import from its own layer and those
// below it, never from one above, and no chain of imports may come back to where it started.
// Each file belongs to exactly one layer, so a new file or folder must be placed here before
// it can land. docs/ARCHITECTURE.md says what each layer is for.
export const LAYERS: readonly { name: string; paths: readonly string[] }[] = [
  { name: "core", paths: ["core/"] }, // errors, exit codes, sizes, text escaping, the version
  { name: "runtime", paths: ["runtime/"] }, // workarounds for the Bun runtime
  { name: "platform", paths: ["platform/"] }, // the OS boundary: contracts, readers, FFI, the spawn helper
  { name: "model", paths: ["model/"] }, // the report and what it is built of
  { name: "command", paths: ["command/"] }, // the command's signals and stopping its tree
  { name: "monitor", paths: ["monitor/"] }, // the sources of facts, sampled
  { name: "io", paths: ["io/"] }, // sinks, peak-mem's own stderr, the status line
  { name: "baseline", paths: ["baseline/"] }, // baselines stored and compared
  { name: "cli", paths: ["cli/"] }, // options, scanning, validation
  { name: "export", paths: ["export/"] }, // the report as text: human, JSON, CSV, Markdown, quiet; the views
  { name: "timeline", paths: ["timeline/"] }, // timelines recorded, read back and drawn (a sample's fields are the views')
  { name: "output", paths: ["output/"] }, // delivery: exports, annotations, the live view
  { name: "session", paths: ["session/"] }, // one run or a series of them, from the options to the exit status
  { name: "entry", paths: ["main.ts", "command-line.ts"] }, // the entry point and the command line
];

/**
 * How an import loads its module: "static" when the importer is evaluated, "lazy" when the
 * code reaches an import() or require(), "type" never (the compiler erases it).
 */
export type ImportKind = "static" | "lazy" | "type";

/** A relative import of a source file: its specifier resolved to a path under the root. */
export interface Edge {
  from: string;
  to: string;
  line: number;
  kind: ImportKind;
}

const SPECIFIER = /(?:\bimport|\bexport)\s+(type\s+)?(?:[\w*{}\s,$]*?\bfrom\s+)?["'](\.{1,2}\/[^"']+)["']|\b(?:import|require)\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** The relative imports in `text` (static, re-exports, dynamic import() and require()). */
export function importsOf(text: string): { specifier: string; line: number; kind: ImportKind }[] {
  const found: { specifier: string; line: number; kind: ImportKind }[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = (match[2] ?? match[3]) as string;
    const kind: ImportKind = match[3] !== undefined ? "lazy" : match[1] !== undefined ? "type" : "static";
    found.push({ specifier, line: text.slice(0, match.index).split("\n").length, kind });
  }
  return found;
}

/** The cycles of a graph (its strongly connected components of more than one file, or a file importing itself). */
export function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (next.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** The layer of a file (a path relative to src/), by the first entry that holds it; -1 for none. */
export function layerOf(file: string, layers = LAYERS): number {
  return layers.findIndex((layer) => layer.paths.some((p) => (p.endsWith("/") ? file.startsWith(p) : file === p)));
}

/**
 * Imports that go up the layers, and imports of one operating system's code from outside its
 * folder unless they are the platform's own lazy (or type-only) ones: code above the platform
 * layer reaches a system through platform/index.ts, which loads only the system it runs on.
 */
export function violations(edges: readonly Edge[], layers = LAYERS): string[] {
  const found: string[] = [];
  const systemOf = (file: string) => /^platform\/(linux|darwin|windows|freebsd)\//.exec(file)?.[1];
  for (const e of edges) {
    const from = layerOf(e.from, layers);
    const to = layerOf(e.to, layers);
    if (to > from) found.push(`${e.from}:${e.line} (${layers[from]?.name}) imports ${e.to} (${layers[to]?.name}), a layer above it`);
    const system = systemOf(e.to);
    if (!system || systemOf(e.from) === system) continue;
    if (systemOf(e.from)) found.push(`${e.from}:${e.line} imports ${e.to}: one system's code from another's`);
    else if (!e.from.startsWith("platform/")) found.push(`${e.from}:${e.line} imports ${e.to}: only through platform/index.ts`);
    else if (e.kind === "static") found.push(`${e.from}:${e.line} imports ${e.to} statically: load a system's code only on that system (require() in its branch)`);
  }
  return found;
}

// ---- the sources as they are ---------------------------------------------------------------

const ROOT = resolve(import.meta.dir, "..");
const SRC = join(ROOT, "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith(".ts") ? [path] : [];
  });
}

const files = sourceFiles(SRC);
const unresolved: string[] = [];
const outside: string[] = [];
const edges: Edge[] = files.flatMap((path) =>
  importsOf(readFileSync(path, "utf8")).flatMap(({ specifier, line, kind }) => {
    const from = relative(SRC, path);
    const target = resolve(dirname(path), specifier);
    if (!existsSync(target)) {
      unresolved.push(`${from}:${line} ${specifier}`);
      return [];
    }
    if (!target.startsWith(SRC + "/")) {
      // package.json (the version at build time) is data, not code; anything else is a leak.
      if (relative(ROOT, target) !== "package.json") outside.push(`${from}:${line} ${specifier}`);
      return [];
    }
    return [{ from, to: relative(SRC, target), line, kind }];
  }),
);

describe("architecture of src/", () => {
  test("the scan sees the sources and their imports", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(300);
    expect(unresolved).toEqual([]);
  });

  test("every file is in a declared layer", () => {
    expect(files.map((f) => relative(SRC, f)).filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  test("no import cycle", () => {
    expect(cycles(edges)).toEqual([]);
  });

  test("no import goes up the layers or across systems", () => {
    expect(violations(edges)).toEqual([]);
  });

  test("src/ imports nothing from tests, scripts or elsewhere in the repository", () => {
    expect(outside).toEqual([]);
  });
});

describe("the checks themselves", () => {
  test("imports are found in every form, with their lines", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b.ts";',
      'export { c } from "./c.ts";',
      "const d = await import('./d.ts');",
      'const e = require("./e.ts");',
      'import "./side-effect.ts";',
      'import { readFileSync } from "node:fs";',
      "import {\n  f,\n  g,\n} from './fg.ts';",
    ].join("\n");
    expect(importsOf(text)).toEqual([
      { specifier: "./a.ts", line: 1, kind: "static" },
      { specifier: "../b.ts", line: 2, kind: "type" },
      { specifier: "./c.ts", line: 3, kind: "static" },
      { specifier: "./d.ts", line: 4, kind: "lazy" },
      { specifier: "./e.ts", line: 5, kind: "lazy" },
      { specifier: "./side-effect.ts", line: 6, kind: "static" },
      { specifier: "./fg.ts", line: 8, kind: "static" },
    ]);
  });

  test("a cycle of three files is found, and a chain is not one", () => {
    const e = (from: string, to: string): Edge => ({ from, to, line: 1, kind: "static" });
    expect(cycles([e("a", "b"), e("b", "c"), e("c", "a"), e("c", "d")])).toEqual([["a", "b", "c"]]);
    expect(cycles([e("a", "b"), e("b", "c")])).toEqual([]);
    expect(cycles([e("a", "a")])).toEqual([["a"]]);
  });

  test("an upward import and a cross-system import are refused; downward and sideways are not", () => {
    const e = (from: string, to: string, kind: ImportKind = "static"): Edge => ({ from, to, line: 3, kind });
    expect(violations([e("export/json.ts", "model/report.ts"), e("model/report.ts", "model/chart-data.ts")])).toEqual([]);
    expect(violations([e("platform/linux/memory.ts", "model/report.ts")])).toEqual([
      "platform/linux/memory.ts:3 (platform) imports model/report.ts (model), a layer above it",
    ]);
    expect(violations([e("platform/darwin/reader.ts", "platform/linux/ffi.ts", "lazy")])[0]).toContain("one system's code from another's");
    expect(violations([e("main.ts", "platform/linux/runtime-threads.ts", "lazy")])[0]).toContain("only through platform/index.ts");
    expect(violations([e("platform/index.ts", "platform/linux/reader.ts")])[0]).toContain("statically");
    expect(violations([e("platform/index.ts", "platform/linux/reader.ts", "lazy"), e("platform/index.ts", "platform/linux/cgroup.ts", "type")])).toEqual([]);
    expect(violations([e("platform/linux/reader.ts", "platform/linux/ffi.ts")])).toEqual([]);
    expect(layerOf("session/run.ts")).toBeGreaterThan(layerOf("monitor/tree.ts"));
    expect(layerOf("nowhere/new.ts")).toBe(-1);
  });
});
