import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

// The documentation as a reader follows it: the README stays short and speaks to users, and
// every link between the pages (a file, and a heading in it) leads somewhere.

const ROOT = resolve(import.meta.dir, "..");
const pages = ["README.md", "CHANGELOG.md", ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, "")
    .replace(/ /g, "-");
}

function anchors(page: string): Set<string> {
  const text = readFileSync(join(ROOT, page), "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] as string)));
}

/** Every relative link of a page: [text](target#anchor), outside code. */
function links(page: string): { target: string; anchor?: string }[] {
  const text = readFileSync(join(ROOT, page), "utf8").replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [path = "", anchor] = href.split("#");
      const target = path === "" ? page : relative(ROOT, resolve(ROOT, dirname(page), path));
      return anchor === undefined ? { target } : { target, anchor };
    });
}

describe("documentation", () => {
  test("the README is at most 300 lines, with the quick start near the top", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8").split("\n");
    expect(readme.length).toBeLessThanOrEqual(300);
    expect(readme.findIndex((line) => line === "## Quick start")).toBeLessThan(60);
  });

  test("every link between the pages leads to a file, and to a heading in it", () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const { target, anchor } of links(page)) {
        if (!existsSync(join(ROOT, target))) broken.push(`${page}: ${target} does not exist`);
        else if (anchor !== undefined && target.endsWith(".md") && !anchors(target).has(anchor)) broken.push(`${page}: ${target} has no heading #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test("anchors as GitHub makes them", () => {
    expect(anchorOf("What the tree really cost: PSS and USS (`--pss`)")).toBe("what-the-tree-really-cost-pss-and-uss---pss");
    expect(anchorOf("Exit codes")).toBe("exit-codes");
  });
});
