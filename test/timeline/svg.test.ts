import { describe, expect, test } from "bun:test";
import { formatSize } from "../../src/core/size/format.ts";
import { coord } from "../../src/timeline/scale.ts";
import { chartGeometry, oomPoint, renderSvg, rssAt } from "../../src/timeline/svg.ts";
import { makeChartData, makeProgramChartData } from "../fixtures/chart-data.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
}

/**
 * A small XML well-formedness checker, enough for what renderSvg writes: one root, tags
 * balanced, attributes quoted and not repeated, no `<` in values, entities valid, no
 * characters XML forbids. Throws with the offset of the first problem; returns the tree.
 */
function parseXml(xml: string): Element {
  const fail = (at: number, why: string): never => {
    throw new Error(`not well-formed at ${at}: ${why}: ${JSON.stringify(xml.slice(at, at + 60))}`);
  };
  const NAME = /[A-Za-z_:][\w:.-]*/y;
  const checkText = (text: string, at: number) => {
    const forbidden = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/.exec(text);
    if (forbidden) fail(at + forbidden.index, "forbidden character");
    for (const amp of text.matchAll(/&/g)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/.test(text.slice(amp.index))) fail(at + amp.index, "bad entity");
    }
  };
  const root: Element = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: Element[] = [root];
  let i = 0;
  if (xml.startsWith("<?xml")) i = xml.indexOf("?>") + 2;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    checkText(text, i);
    if (stack.length === 1 && text.trim() !== "") fail(i, "text outside the root");
    stack.at(-1)!.text += text;
    if (lt === -1) break;
    i = lt;
    if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i);
      if (end === -1) fail(i, "unclosed comment");
      i = end + 3;
    } else if (xml.startsWith("<![CDATA[", i)) {
      const end = xml.indexOf("]]>", i);
      if (end === -1) fail(i, "unclosed CDATA");
      stack.at(-1)!.text += xml.slice(i + 9, end);
      i = end + 3;
    } else if (xml.startsWith("</", i)) {
      NAME.lastIndex = i + 2;
      const name = NAME.exec(xml)?.[0] ?? fail(i, "bad end tag");
      const open = stack.pop();
      if (!open || open.name !== name) fail(i, `</${name}> closes <${open?.name}>`);
      i = NAME.lastIndex;
      while (/\s/.test(xml[i] ?? "")) i++;
      if (xml[i] !== ">") fail(i, "bad end tag");
      i++;
    } else {
      NAME.lastIndex = i + 1;
      const name = NAME.exec(xml)?.[0] ?? fail(i, "bad start tag");
      if (stack.length === 1 && root.children.length > 0) fail(i, "second root element");
      const element: Element = { name, attributes: {}, children: [], text: "" };
      i = NAME.lastIndex;
      for (;;) {
        const space = /\s*/y;
        space.lastIndex = i;
        space.exec(xml);
        const spaced = space.lastIndex > i;
        i = space.lastIndex;
        if (xml.startsWith("/>", i) || xml[i] === ">") break;
        if (!spaced) fail(i, "attributes must be separated by space");
        NAME.lastIndex = i;
        const attribute = NAME.exec(xml)?.[0] ?? fail(i, "bad attribute name");
        const value = /\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
        value.lastIndex = NAME.lastIndex;
        const match = value.exec(xml) ?? fail(NAME.lastIndex, `attribute ${attribute} not quoted`);
        const raw = match[1] ?? match[2] ?? "";
        checkText(raw, i);
        if (attribute in element.attributes) fail(i, `attribute ${attribute} repeated`);
        element.attributes[attribute] = raw;
        i = value.lastIndex;
      }
      stack.at(-1)!.children.push(element);
      if (xml[i] === ">") stack.push(element);
      i += xml[i] === ">" ? 1 : 2;
    }
  }
  if (stack.length !== 1) fail(xml.length, `<${stack.at(-1)!.name}> is never closed`);
  if (root.children.length !== 1) fail(0, "no root element");
  return root.children[0]!;
}

function find(element: Element, predicate: (e: Element) => boolean): Element | undefined {
  if (predicate(element)) return element;
  for (const child of element.children) {
    const found = find(child, predicate);
    if (found) return found;
  }
  return undefined;
}

const byId = (root: Element, id: string) => find(root, (e) => e.attributes.id === id);
const allText = (e: Element): string => e.text + e.children.map(allText).join("");

describe("the XML checker", () => {
  for (const bad of ["<a><b></a></b>", "<a x=1/>", "<a>&nbsp;</a>", "<a/><b/>", "<a x='<'/>", "<a>", "<a x='1' x='2'/>", "<a>\x01</a>"]) {
    test(`rejects ${JSON.stringify(bad)}`, () => expect(() => parseXml(bad)).toThrow("not well-formed"));
  }
  test("accepts what it should", () => {
    expect(parseXml(`<?xml version="1.0"?>\n<a x="1" y='2'><!-- c --><b/>&#60;&amp;<![CDATA[<]]></a>\n`).text).toBe("&#60;&amp;<");
  });
});

describe("renderSvg", () => {
  test("is a standalone, well-formed SVG with its own light and dark styles", () => {
    const svg = renderSvg(makeChartData());
    const root = parseXml(svg);
    expect(root.name).toBe("svg");
    expect(root.attributes.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(root.attributes.viewBox).toMatch(/^0 0 \d+ \d+$/);
    const style = find(root, (e) => e.name === "style");
    expect(style?.text).toContain("@media (prefers-color-scheme: dark)");
    // The only URL is the namespace: nothing is fetched.
    expect(svg.match(/https?:\/\/[^"\s]*/g)).toEqual(["http://www.w3.org/2000/svg"]);
  });

  test("has the command as its title, escaped", () => {
    const command = `a "quoted" <tag> & 'x' ]]> \x07bell`;
    const svg = renderSvg(makeChartData(40, { command }));
    const root = parseXml(svg);
    const title = root.children[0];
    expect(title?.name).toBe("title");
    expect(title?.text).toBe("peak-mem: a &#34;quoted&#34; &#60;tag&#62; &#38; &#39;x&#39; ]]&#62; \uFFFDbell");
  });

  test("marks the peak with its value and draws the threshold when set", () => {
    const data = makeChartData(120, { thresholdBytes: 150 * MiB });
    const root = parseXml(renderSvg(data));
    expect(allText(byId(root, "peak-label")!)).toBe(`peak ${formatSize(data.peakRssBytes)}`);
    expect(byId(root, "peak-dot")?.name).toBe("circle");
    expect(allText(byId(root, "threshold-line")!)).toBe("threshold 150.0 MiB");
    const legend = find(root, (e) => e.attributes.class === "legend");
    expect(allText(legend!)).toBe("RSS (left axis)VSZ (right axis)threshold");

    const without = parseXml(renderSvg(makeChartData(120, { thresholdBytes: undefined })));
    expect(byId(without, "threshold-line")).toBeUndefined();
  });

  test("the peak above every sample (a high-water mark) sits on a stem above the line", () => {
    const data = makeChartData(120);
    const root = parseXml(renderSvg({ ...data, peakRssBytes: data.peakRssBytes + 40 * MiB }));
    expect(find(root, (e) => e.attributes.class === "stem")).toBeDefined();
    expect(find(parseXml(renderSvg(data)), (e) => e.attributes.class === "stem")).toBeUndefined();
  });

  test("has the axes with IEC sizes and seconds", () => {
    const root = parseXml(renderSvg(makeChartData(120)));
    const labels = find(root, (e) => e.attributes.class === "axes")!.children.filter((e) => e.name === "text").map(allText);
    expect(labels).toContain("100 MiB");
    expect(labels).toContain("2 GiB");
    expect(labels).toContain("1.5s");
    expect(labels).toContain("time since start (seconds)");
  });

  for (const count of [0, 1, 4000]) {
    test(`${count} samples: well-formed, no NaN`, () => {
      const svg = renderSvg(makeChartData(count));
      parseXml(svg);
      expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    });
  }

  test("every coordinate is a finite number inside the picture", () => {
    const root = parseXml(renderSvg(makeChartData(500, { peakRssBytes: 3 * 1024 * MiB })));
    const [, , width, height] = root.attributes.viewBox!.split(" ").map(Number);
    const check = (e: Element) => {
      for (const name of ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy"]) {
        const value = e.attributes[name];
        if (value === undefined) continue;
        expect(Number(value)).toBeGreaterThanOrEqual(0);
        expect(Number(value)).toBeLessThanOrEqual(Math.max(width!, height!));
      }
      e.children.forEach(check);
    };
    check(root);
  });

  test("every coordinate stays inside the picture with a limit and an OOM kill, even one after the last sample", () => {
    const data = makeChartData(500, { limitBytes: 800 * MiB, oomKill: { atMs: 9000, pid: 1, name: "x" } });
    const root = parseXml(renderSvg(data));
    const [, , width, height] = root.attributes.viewBox!.split(" ").map(Number);
    const check = (e: Element) => {
      for (const name of ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy"]) {
        const value = e.attributes[name];
        if (value !== undefined) expect(Number(value)).toBeWithin(0, Math.max(width!, height!) + 1);
      }
      e.children.forEach(check);
    };
    check(root);
  });
});

/** The standalone SVG's chart body is shifted down by its header; these read the body's own coordinates. */
const axisLabels = (root: Element) => find(root, (e) => e.attributes.class === "axes")!.children.filter((e) => e.name === "text");
const legendText = (root: Element) => allText(find(root, (e) => e.attributes.class === "legend")!);

describe("renderSvg: the memory limit", () => {
  test("is a solid line at its value across the RSS axis, labelled, in the legend", () => {
    const root = parseXml(renderSvg(makeChartData(120, { limitBytes: 200 * MiB, limitSource: "cgroup memory.limit_in_bytes" })));
    const group = byId(root, "limit-line")!;
    expect(group.attributes.class).toBe("limit");
    expect(allText(byId(root, "limit-label")!)).toBe("limit 200.0 MiB");
    const line = group.children.find((e) => e.name === "line")!;
    expect(line.attributes.y1).toBe(line.attributes.y2!);
    expect([line.attributes.x1, line.attributes.x2]).toEqual(["80", "880"]);
    // At the height of the axis's 200 MiB tick (whose label sits 4 px below its line).
    const tick = axisLabels(root).find((e) => allText(e) === "200 MiB")!;
    expect(Number(tick.attributes.y)).toBeCloseTo(Number(line.attributes.y1) + 4, 1);
    expect(legendText(root)).toBe("RSS (left axis)VSZ (right axis)thresholdlimit");
    expect(allText(find(root, (e) => e.attributes.class === "header")!)).toContain("· limit 200.0 MiB ·");
  });

  test("styled apart from the threshold: its own colour, not dashed, in light and dark", () => {
    const svg = renderSvg(makeChartData(120, { limitBytes: 200 * MiB }));
    const rule = svg.match(/\.chart \.limit line \{([^}]*)\}/)?.[1] ?? "";
    expect(rule).toContain("var(--limit)");
    expect(rule).not.toContain("dasharray");
    expect(svg.match(/--limit: #[0-9a-f]{6}/g)).toHaveLength(2);
  });

  test("a limit further up than 4× the peak is named in the legend, not drawn, and leaves the scale alone", () => {
    const plain = parseXml(renderSvg(makeChartData(120)));
    const root = parseXml(renderSvg(makeChartData(120, { limitBytes: 16 * GiB })));
    expect(byId(root, "limit-line")).toBeUndefined();
    expect(allText(byId(root, "limit-note")!)).toBe("limit 16.0 GiB (off the chart)");
    expect(axisLabels(root).map(allText)).toEqual(axisLabels(plain).map(allText));
  });

  test("a limit within 4× the peak stretches the axis to hold it", () => {
    const data = makeChartData(120, { limitBytes: 900 * MiB, thresholdBytes: undefined });
    expect(900 * MiB).toBeLessThan(4 * data.peakRssBytes);
    const root = parseXml(renderSvg(data));
    expect(allText(byId(root, "limit-label")!)).toBe("limit 900.0 MiB");
    expect(chartGeometry(data).rssTicks.at(-1)!.value).toBeGreaterThanOrEqual(900 * MiB);
    expect(byId(root, "limit-note")).toBeUndefined();
  });

  test("next to the threshold, its label goes beside the threshold's, not on it", () => {
    const root = parseXml(renderSvg(makeChartData(120, { thresholdBytes: 200 * MiB, limitBytes: 205 * MiB })));
    const limitLabel = byId(root, "limit-label")!;
    const thresholdLabel = find(byId(root, "threshold-line")!, (e) => e.name === "text")!;
    expect(Math.abs(Number(limitLabel.attributes.y) - Number(thresholdLabel.attributes.y))).toBeLessThan(16);
    expect(Math.abs(Number(limitLabel.attributes.x) - Number(thresholdLabel.attributes.x))).toBeGreaterThan("threshold 200.0 MiB".length * 6);
  });

  test("absent when not known (or not a positive number)", () => {
    for (const limitBytes of [undefined, 0, -1, Number.NaN]) {
      const svg = renderSvg(makeChartData(120, { limitBytes }));
      const root = parseXml(svg);
      expect(byId(root, "limit-line")).toBeUndefined();
      expect(byId(root, "limit-note")).toBeUndefined();
      expect(legendText(root)).toBe("RSS (left axis)VSZ (right axis)threshold");
      expect(svg).not.toMatch(/NaN|undefined/);
    }
  });
});

describe("renderSvg: an OOM kill", () => {
  const samples = makeChartData(120).samples;
  const at = samples[60]!;

  test("is a ✕ on the RSS line at its time, labelled with the process", () => {
    const data = makeChartData(120, { oomKill: { atMs: at.tMs, pid: 4242, name: "alloc", certain: true } });
    const root = parseXml(renderSvg(data));
    const g = chartGeometry(data);
    const marker = byId(root, "oom-marker")!;
    expect(marker.attributes.transform).toBe(`translate(${coord(g.x(at.tMs))} ${coord(g.yRss(at.rss))})`);
    // The very point of the RSS line at that sample.
    const points = find(root, (e) => e.name === "polyline" && e.attributes.class === "rss")!.attributes.points!.split(" ");
    expect(points).toContain(marker.attributes.transform!.replace(/^translate\((\S+) (\S+)\)$/, "$1,$2"));
    expect(marker.children.filter((e) => e.name === "path").map((e) => e.attributes.class)).toEqual(["oom-halo", "oom-mark"]);
    expect(allText(byId(root, "oom-label")!)).toBe("OOM kill: 4242 alloc");
    expect(legendText(root)).toBe("RSS (left axis)VSZ (right axis)thresholdOOM kill");
    expect(allText(find(root, (e) => e.attributes.class === "header")!)).toContain("· OOM kill ·");
  });

  test("between two samples, the second without the victim's memory: on the line where it was last seen, not at zero", () => {
    const data = makeChartData(120);
    const before = data.samples[60]!;
    const after = data.samples[61]!;
    after.rss = 0; // the kernel freed it: the next sample reads nothing
    const kill = { atMs: (before.tMs + after.tMs) / 2, pid: 4242, name: "alloc" };
    expect(oomPoint(kill, { ...data, oomKill: kill })).toEqual({ tMs: before.tMs, rss: before.rss });
    // Known by pid, last seen two samples earlier: there.
    const earlier = data.samples[58]!;
    const processes = [{ pid: 4242, ppid: 1, name: "alloc", depth: 1, peakRss: before.rss, firstSeenMs: 0, lastSeenMs: earlier.tMs }];
    expect(oomPoint(kill, { ...data, processes, oomKill: kill })).toEqual({ tMs: earlier.tMs, rss: earlier.rss });
    const root = parseXml(renderSvg({ ...data, oomKill: kill }));
    const g = chartGeometry({ ...data, oomKill: kill });
    expect(byId(root, "oom-marker")!.attributes.transform).toBe(`translate(${coord(g.x(before.tMs))} ${coord(g.yRss(before.rss))})`);
  });

  test("at 1.5 s of 2.4 s it sits at the last sample before it, just short of 5/8 of the way along", () => {
    const data = makeChartData(120, { oomKill: { atMs: 1500 } });
    const root = parseXml(renderSvg(data));
    const g = chartGeometry(data);
    const last = data.samples.filter((s) => s.tMs <= 1500).at(-1)!;
    // The plot runs from x 80 to 880: 1.5 s is at 580.
    expect(byId(root, "oom-marker")!.attributes.transform).toBe(`translate(${coord(g.x(last.tMs))} ${coord(g.yRss(last.rss))})`);
    expect(g.x(last.tMs)).toBeLessThanOrEqual(580);
    expect(g.x(last.tMs)).toBeGreaterThan(570);
    expect(allText(byId(root, "oom-label")!)).toBe("OOM kill");
  });

  test("says likely when the victim was inferred, and escapes its name", () => {
    const root = parseXml(renderSvg(makeChartData(120, { oomKill: { atMs: 1500, pid: 7, name: `<evil> & "co"`, certain: false } })));
    expect(allText(byId(root, "oom-label")!)).toBe("OOM kill (likely): 7 &#60;evil&#62; &#38; &#34;co&#34;");
  });

  test("after the last sample, the time axis reaches it, and the mark is on the line's last point", () => {
    const data = makeChartData(120, { oomKill: { atMs: 3000, name: "x" } });
    const g = chartGeometry(data);
    expect(g.timeMaxMs).toBe(3000);
    const root = parseXml(renderSvg(data));
    const last = data.samples.at(-1)!;
    expect(byId(root, "oom-marker")!.attributes.transform).toBe(`translate(${coord(g.x(last.tMs))} ${coord(g.yRss(last.rss))})`);
  });

  test("absent when there was none", () => {
    const root = parseXml(renderSvg(makeChartData(120)));
    expect(byId(root, "oom-kill")).toBeUndefined();
    expect(byId(root, "oom-marker")).toBeUndefined();
    expect(legendText(root)).not.toContain("OOM");
  });

  test("with no samples it still renders, on the floor", () => {
    const svg = renderSvg(makeChartData(0, { oomKill: { atMs: 100 }, limitBytes: 100 * MiB }));
    parseXml(svg);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe("rssAt", () => {
  const line = [
    { tMs: 100, rss: 10, vsz: 0, processCount: 1 },
    { tMs: 200, rss: 30, vsz: 0, processCount: 1 },
    { tMs: 200, rss: 50, vsz: 0, processCount: 1 },
  ];
  test("between samples, along the line; outside them, the nearest", () => {
    expect(rssAt(line, 150)).toBe(20);
    expect(rssAt(line, 100)).toBe(10);
    expect(rssAt(line, 0)).toBe(10);
    expect(rssAt(line, 200)).toBe(30);
    expect(rssAt(line, 999)).toBe(50);
    expect(rssAt([], 5)).toBe(0);
  });
});

describe("renderSvg: RSS by program", () => {
  const data = makeProgramChartData(120);

  test("the bands stack up to the RSS line: the highest band's top is the line, point for point", () => {
    const root = parseXml(renderSvg(data));
    const bands = find(root, (e) => e.attributes.class === "bands")!.children;
    // Drawn from the top of the stack down: other first, then the programs from the smallest.
    expect(bands.map((e) => e.attributes["data-program"] ?? e.attributes["data-band"])).toEqual(["other", "make", "as", "python3", "cc1plus", "cc1", "ld"]);
    const topOf = (path: Element) => path.attributes.d!.slice(1, -1).split("L").slice(1, -1);
    const line = find(root, (e) => e.name === "polyline" && e.attributes.class === "rss")!.attributes.points!.split(" ");
    expect(topOf(bands[0]!)).toEqual(line);
    // Each band's top is the sum of it and those below it, at every sample.
    const g = chartGeometry(data);
    const ld = topOf(bands.at(-1)!);
    data.samples.forEach((s, i) => {
      const bytes = s.programs!.find((p) => p.name === "ld")?.rss ?? 0;
      expect(ld[i]).toBe(`${coord(g.x(s.tMs))},${coord(g.yRss(bytes))}`);
    });
  });

  test("a legend below the time axis names each band; the picture grows to hold it", () => {
    const svg = renderSvg(data);
    const root = parseXml(svg);
    const legend = find(root, (e) => e.attributes.class === "legend program-legend")!;
    expect(allText(legend)).toBe("RSS by program:ldcc1cc1pluspython3asmakeother programs");
    expect(find(legend, (e) => e.attributes["data-band"] === "other")!.attributes.class).toBe("other");
    const plainHeight = Number(parseXml(renderSvg(makeChartData(120))).attributes.height);
    const height = Number(root.attributes.height);
    expect(height).toBeGreaterThan(plainHeight);
    for (const text of legend.children.flatMap((e) => (e.name === "text" ? [e] : e.children.filter((c) => c.name === "text")))) {
      // Below the time axis's title (y 410 of the chart body), inside the picture.
      expect(Number(text.attributes.y)).toBeWithin(420, height - 56);
    }
    expect(legendText(root)).toBe("RSS total (left axis)VSZ (right axis)threshold");
    expect(root.attributes.class).toBe("chart stacked");
  });

  test("long legends wrap into rows inside the plot's width, long names are shortened with the full one in a title", () => {
    const names = ["a-rather-long-program-name-that-goes-on-and-on", "second-long-program-name", "third-long-program-name", "fourth-long-name", "fifth-long-name", "sixth-name-x"];
    const samples = data.samples.map((s, i) => ({ ...s, programs: names.map((name, k) => ({ name, rss: (k + 1) * 1000 + i })), otherRss: 5 }));
    const root = parseXml(renderSvg({ ...data, samples }));
    const items = find(root, (e) => e.attributes.class === "legend program-legend")!.children.filter((e) => e.name === "g");
    expect(items).toHaveLength(7);
    const rows = new Set(items.map((e) => e.children.find((c) => c.name === "text")!.attributes.y));
    expect(rows.size).toBeGreaterThan(1);
    for (const item of items) {
      const text = item.children.find((c) => c.name === "text")!;
      expect(Number(text.attributes.x) + [...allText(text)].length * 7).toBeLessThanOrEqual(880);
    }
    const first = items.find((e) => e.attributes["data-program"] === names[5])!;
    expect(allText(first)).toBe(names[5]!);
    const long = items.find((e) => e.attributes["data-program"] === names[0])!;
    expect(allText(long.children.find((c) => c.name === "text")!)).toBe(`${names[0]!.slice(0, 27)}…`);
    expect(allText(long.children.find((c) => c.name === "title")!)).toBe(names[0]!);
  });

  test("hostile names keep the file well-formed, escaped in attributes and text", () => {
    const hostile = ['a "quoted" <tag> & \'x\'', "\x07bell", "]]>", "other"];
    const samples = data.samples.map((s) => ({ ...s, programs: hostile.map((name, k) => ({ name, rss: 1000 * (k + 1) })), otherRss: 0 }));
    const svg = renderSvg({ ...data, samples });
    const root = parseXml(svg);
    const programs = find(root, (e) => e.attributes.class === "bands")!.children.map((e) => e.attributes["data-program"]);
    // Drawn from the top of the stack: the smallest first.
    expect(programs).toEqual(["a &#34;quoted&#34; &#60;tag&#62; &#38; &#39;x&#39;", "\uFFFDbell", "]]&#62;", "other"]);
    // A program called "other" is a program band, not the other band: there is none here.
    expect(find(root, (e) => e.attributes.class === "bands")!.children.every((e) => e.attributes["data-band"] === "program")).toBe(true);
  });

  test("every coordinate is a finite number inside the picture", () => {
    const root = parseXml(renderSvg(makeProgramChartData(500, { limitBytes: 600 * MiB, oomKill: { atMs: 2000, pid: 1, name: "ld" } })));
    const [, , width, height] = root.attributes.viewBox!.split(" ").map(Number);
    const check = (e: Element) => {
      for (const name of ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy"]) {
        const value = e.attributes[name];
        if (value !== undefined) expect(Number(value)).toBeWithin(0, Math.max(width!, height!) + 1);
      }
      // The bands' paths are in the chart's coordinates (the OOM ✕ is drawn about its own centre).
      const d = e.attributes.class?.startsWith("band") ? (e.attributes.d ?? "") : "";
      for (const pair of d.match(/-?[\d.]+,-?[\d.]+/g) ?? []) {
        const [x, y] = pair.split(",").map(Number);
        expect(x!).toBeWithin(0, width! + 1);
        expect(y!).toBeWithin(0, height! + 1);
      }
      e.children.forEach(check);
    };
    check(root);
    expect(byId(root, "limit-line")).toBeDefined();
    expect(byId(root, "oom-marker")).toBeDefined();
  });

  test("with one sample or none it still renders", () => {
    for (const count of [0, 1]) {
      const svg = renderSvg(makeProgramChartData(count));
      parseXml(svg);
      expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    }
  });

  test("without programs, the SVG has no bands, no program legend and its usual height", () => {
    const svg = renderSvg(makeChartData(120));
    expect(svg).not.toContain("band");
    expect(svg).not.toContain("program-legend");
    expect(parseXml(svg).attributes.height).toBe(String(420 + 56));
  });
});

describe("renderSvg: one scale where RSS and VSZ compare", () => {
  const MiB = 2 ** 20;
  test("VSZ within 4× of RSS: one axis for both, no right axis, the legend without sides", () => {
    const base = makeChartData(120);
    const data = { ...base, peakVszBytes: base.peakRssBytes * 1.2, samples: base.samples.map((s) => ({ ...s, vsz: s.rss * 1.2 })) };
    const g = chartGeometry(data);
    expect(g.sharedScale).toBe(true);
    expect(g.vszTicks).toEqual([]);
    // The same height for the same number on both lines.
    expect(g.yVsz(100 * MiB)).toBe(g.yRss(100 * MiB));
    const root = parseXml(renderSvg(data));
    expect(find(root, (e) => e.attributes.class === "vsz-tick")).toBeUndefined();
    expect(legendText(root)).toStartWith("RSSVSZ");
  });

  test("VSZ far above RSS (a runtime's reserved address space): its own right axis, said in the legend", () => {
    const data = makeChartData(120);
    expect(data.peakVszBytes).toBeGreaterThan(data.peakRssBytes * 4);
    const g = chartGeometry(data);
    expect(g.sharedScale).toBe(false);
    expect(legendText(parseXml(renderSvg(data)))).toStartWith("RSS (left axis)VSZ (right axis)");
  });
});

describe("renderSvg: a peak that is a lower bound", () => {
  test("the label says at least, and at most where known", () => {
    const data = makeChartData(120, { peakRssBytes: 152 * 2 ** 20, peakRssExact: false, peakRssUpperBytes: 158 * 2 ** 20 });
    expect(allText(byId(parseXml(renderSvg(data)), "peak-label")!)).toBe("peak ≥ 152.0 MiB, ≤ 158.0 MiB");
  });
});
