import { describe, expect, test } from "bun:test";
import { formatSize } from "../../src/core/size/format.ts";
import { renderHtml } from "../../src/timeline/html.ts";
import { makeChartData, makeProgramChartData, PROCESSES } from "../fixtures/chart-data.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The summary card with this term, its value's HTML. */
function card(html: string, term: string): string | undefined {
  return html.match(new RegExp(`<dt>${term}</dt><dd>([\\s\\S]*?)</dd>`))?.[1];
}

/** The text inside the element with this id (tags stripped). */
function textOf(html: string, id: string): string | undefined {
  const match = html.match(new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`));
  return match?.[2]?.replace(/<[^>]+>/g, "");
}

describe("renderHtml", () => {
  test("is one page that loads nothing from anywhere", () => {
    const html = renderHtml(makeChartData());
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/\b(src|href|action|poster|srcset)\s*=/i);
    expect(html).not.toMatch(/<link\b|<iframe\b|<img\b|<object\b|<embed\b/i);
    expect(html).not.toMatch(/@import|url\(|fetch\(|XMLHttpRequest|WebSocket/i);
    // Our own two scripts, both inline: the samples and the hover.
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="samples">', "<script>"]);
  });

  test("escapes the command everywhere it appears", () => {
    const command = `node -e '</script><script>alert("x")</script>' & <b>`;
    const html = renderHtml(makeChartData(10, { command }));
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&#60;/script&#62;&#60;script&#62;alert(&#34;x&#34;)");
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(textOf(html, "samples")).not.toContain("<");
  });

  test("shows the command and the summary above the chart", () => {
    const data = makeChartData(120, { signal: "SIGKILL", exitCode: 137, peakVszBytes: 4.8 * 1024 * MiB });
    const html = renderHtml(data);
    const beforeChart = html.slice(0, html.indexOf('<svg id="chart"'));
    for (const expected of [
      "sh -c &#39;bun -e alloc &#38; bun -e alloc &#38; wait&#39;",
      formatSize(data.peakRssBytes),
      "4.80 GiB",
      "2.40s",
      "137 (SIGKILL)",
      "120 (every 20 ms)",
      "2025-05-24T10:30:45Z",
      "sampled-sum",
      "143.1 MiB, <strong class=\"exceeded\">exceeded</strong>",
    ]) {
      expect(beforeChart).toContain(expected);
    }
  });

  test("labels the peak with its formatted value", () => {
    const data = makeChartData(120, { peakRssBytes: 487.3 * MiB });
    const html = renderHtml(data);
    expect(textOf(html, "peak-label")).toBe("peak 487.3 MiB");
    expect(html).toContain('id="peak-dot"');
  });

  test("draws the threshold line only when a threshold was set", () => {
    const withThreshold = renderHtml(makeChartData(120, { thresholdBytes: 150 * MiB }));
    expect(textOf(withThreshold, "threshold-line")).toBe("threshold 150.0 MiB");
    const without = renderHtml(makeChartData(120, { thresholdBytes: undefined }));
    expect(without).not.toContain("threshold-line");
    expect(without).not.toContain("Threshold");
  });

  test("lists the processes only when they were tracked, indented by depth", () => {
    const processes = [...PROCESSES, { ...PROCESSES[1]!, pid: 4200, ppid: 4101, name: "<evil> & co", depth: 2, rssAtPeak: undefined }];
    const html = renderHtml(makeChartData(120, { processes }));
    expect(html).toContain('<section class="processes">');
    expect(html.match(/<tr\b[^>]*>\s*<td/g)).toHaveLength(4);
    expect(html).toContain('<td class="name" style="--depth: 0">sh</td>');
    expect(html).toContain('<td class="name" style="--depth: 2">&#60;evil&#62; &#38; co</td>');
    expect(html).toContain(`<td class="num">${formatSize(124 * MiB)}</td>`);
    // The terminal's words for the two peaks; times as every other format writes them.
    expect(html).toContain('<thead><tr><th class="num">PID</th><th>Process</th><th class="num">Own peak</th><th class="num">At tree peak</th><th class="num">First seen</th><th class="num">Last seen</th><th>Lifetime</th></tr></thead>');
    expect(html).toContain('<td class="num">0.19s</td><td class="num">1.92s</td><td><div class="life" title="0.19s to 1.92s">');
    // Lifetime bars on the run's time scale: 190 ms of 2400 is 7.9 %.
    expect(html).toContain('style="left: 7.9%; width: 72.1%"');

    const without = renderHtml(makeChartData(120, { processes: undefined }));
    expect(without).not.toContain("<table");
  });

  for (const count of [0, 1, 2, 4000]) {
    test(`${count} samples: no NaN, undefined or Infinity anywhere`, () => {
      const html = renderHtml(makeChartData(count));
      expect(html).not.toMatch(/NaN|undefined|Infinity|null/);
      expect(textOf(html, "peak-label")).toStartWith("peak ");
      const points = html.match(/<polyline class="rss" points="([^"]*)"/)?.[1];
      if (count === 0) {
        expect(points).toBeUndefined();
        expect(html).toContain("No samples");
      } else {
        expect(points?.split(" ")).toHaveLength(count);
      }
    });
  }

  test("a run with nothing known but the command still renders", () => {
    const html = renderHtml({ command: "true", startedAt: "2025-01-01T00:00:00Z", intervalMs: 100, samples: [], peakRssBytes: 0, peakVszBytes: 0 });
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
    expect(textOf(html, "peak-label")).toBe("peak 0 B");
    expect(html).toContain("unknown");
  });

  test("4000 samples stay a reasonable size", () => {
    const html = renderHtml(makeChartData(4000));
    expect(html.length).toBeLessThan(600_000);
  });

  test("the memory limit: a labelled line on the chart and a summary card with its source", () => {
    const html = renderHtml(makeChartData(120, { limitBytes: 200 * MiB, limitSource: "cgroup memory.limit_in_bytes" }));
    expect(textOf(html, "limit-label")).toBe("limit 200.0 MiB");
    expect(html).toContain('<g id="limit-line" class="limit">');
    expect(card(html, "Memory limit")).toBe('200.0 MiB <span class="muted">(cgroup memory.limit_in_bytes)</span>');
    // The card comes before the chart, with the others.
    expect(html.indexOf("<dt>Memory limit</dt>")).toBeLessThan(html.indexOf('<svg id="chart"'));
  });

  test("a limit far above the run is named, off the chart, not drawn", () => {
    const html = renderHtml(makeChartData(120, { limitBytes: 16 * GiB, limitSource: "physical memory" }));
    expect(html).not.toContain("limit-line");
    expect(textOf(html, "limit-note")).toBe("limit 16.0 GiB (off the chart)");
    expect(card(html, "Memory limit")).toBe('16.0 GiB <span class="muted">(physical memory, off the chart)</span>');
  });

  test("an OOM kill: a marker on the chart and a summary card", () => {
    const html = renderHtml(makeChartData(120, { exitCode: 137, signal: "SIGKILL", oomKill: { atMs: 1500, pid: 4242, name: "alloc", certain: true } }));
    expect(textOf(html, "oom-label")).toBe("OOM kill: 4242 alloc");
    // On the RSS line where the victim was last seen: the last sample before the kill at 1.5 s (580).
    expect(html).toMatch(/<g id="oom-marker" transform="translate\(57\d(\.\d)? [\d.]+\)">/);
    // Times as every other format writes them: 1.50s.
    expect(card(html, "OOM kill")).toBe('<strong class="exceeded">4242 alloc</strong> at 1.50s');
    const likely = renderHtml(makeChartData(120, { oomKill: { atMs: 1500, pid: 4242, certain: false } }));
    expect(textOf(likely, "oom-label")).toBe("OOM kill (likely): 4242");
    expect(card(likely, "OOM kill")).toBe('<strong class="exceeded">4242</strong> at 1.50s <span class="muted">(likely)</span>');
    expect(card(renderHtml(makeChartData(120, { oomKill: { atMs: 0 } })), "OOM kill")).toBe('<strong class="exceeded">a process</strong> at 0.00s');
    expect(card(renderHtml(makeChartData(120, { oomKill: { atMs: 125_300 } })), "OOM kill")).toBe('<strong class="exceeded">a process</strong> at 2m 5.3s');
  });

  test("escapes the OOM victim's name and the limit's source", () => {
    const name = `</script><script>alert("x")</script>`;
    const html = renderHtml(makeChartData(120, { limitBytes: 200 * MiB, limitSource: "<b>cgroup</b>", oomKill: { atMs: 1500, pid: 1, name } }));
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<b>");
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(textOf(html, "oom-label")).toBe("OOM kill: 1 &#60;/script&#62;&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(card(html, "Memory limit")).toContain("&#60;b&#62;cgroup&#60;/b&#62;");
  });

  test("no limit and no OOM kill: no line, no marker, no cards", () => {
    const html = renderHtml(makeChartData(120));
    for (const absent of ["limit-line", "limit-label", "limit-note", "oom-kill", "oom-marker", "Memory limit", "OOM kill"]) expect(html).not.toContain(absent);
  });

  for (const count of [0, 1]) {
    test(`${count} samples with a limit and an OOM kill: no NaN, undefined or null anywhere`, () => {
      const html = renderHtml(makeChartData(count, { limitBytes: 200 * MiB, oomKill: { atMs: 1500 } }));
      expect(html).not.toMatch(/NaN|undefined|Infinity|null/);
      expect(textOf(html, "oom-label")).toBe("OOM kill");
    });
  }

  test("the limit and the marker read in dark mode: their own colours, redefined for it", () => {
    const html = renderHtml(makeChartData(120));
    const dark = html.slice(html.indexOf("@media (prefers-color-scheme: dark)"));
    expect(dark).toMatch(/--limit: #[0-9a-f]{6}/);
    expect(dark).toMatch(/--oom: #[0-9a-f]{6}/);
  });
});

describe("renderHtml: RSS by program", () => {
  const data = makeProgramChartData(120);
  const html = renderHtml(data);
  const hover = () => JSON.parse(html.match(/<script type="application\/json" id="samples">([^<]*)<\/script>/)![1]!);

  test("a band a chosen program, one for other, each named in the legend", () => {
    for (const name of ["ld", "cc1", "cc1plus", "python3", "as", "make"]) {
      expect(html.match(new RegExp(`<path class="band band-\\d" data-band="program" data-program="${name}"`, "g"))).toHaveLength(1);
      expect(html).toContain(`<g data-band="program" data-program="${name}">`);
    }
    expect(html.match(/<path class="band band-other" data-band="other"/g)).toHaveLength(1);
    expect(html).not.toContain('data-program="sh"');
    expect(html).toContain('<svg id="chart" class="chart stacked"');
    expect(html).toContain("RSS total (left axis)");
    // The marks stay: peak, threshold.
    expect(textOf(html, "peak-label")).toBe(`peak ${formatSize(data.peakRssBytes)}`);
    expect(textOf(html, "threshold-line")).toBe("threshold 400.0 MiB");
  });

  test("the readout's data: each band's name and its RSS at every sample, other last", () => {
    const json = hover();
    expect(json.bands.map((b: { name: string }) => b.name)).toEqual(["ld", "cc1", "cc1plus", "python3", "as", "make", "other programs"]);
    expect(json.bands.at(-1).other).toBe(true);
    const i = 60;
    const sample = data.samples[i]!;
    const cc1 = json.bands.find((b: { name: string }) => b.name === "cc1");
    expect(cc1.values[i]).toBe(sample.programs!.find((p) => p.name === "cc1")!.rss);
    expect(json.bands.reduce((sum: number, b: { values: number[] }) => sum + b.values[i]!, 0)).toBe(sample.rss);
    // And the script reads them into the tooltip.
    expect(html).toContain("...bandRows(i),");
  });

  test("the programs table, when the summary has programs, before the processes", () => {
    const withProcesses = renderHtml(makeProgramChartData(120, { processes: PROCESSES }));
    expect(withProcesses.indexOf('<section class="programs">')).toBeGreaterThan(withProcesses.indexOf('<svg id="chart"'));
    expect(withProcesses.indexOf('<section class="programs">')).toBeLessThan(withProcesses.indexOf('<section class="processes">'));
    const section = html.slice(html.indexOf('<section class="programs">'), html.indexOf("</section>"));
    expect(section.match(/<tr\b[^>]*>\s*<td/g)).toHaveLength(data.programs!.length);
    // A program with a band wears its colour; one without has an empty swatch.
    expect(section).toMatch(/<tr data-band="0"><td class="program"><i class="swatch band-0"><\/i>ld<\/td><td class="num">1<\/td><td class="num">260\.0 MiB<\/td>/);
    expect(section).toContain('<tr><td class="program"><i class="swatch none"></i>cat</td><td class="num">40</td>');
    expect(renderHtml(makeProgramChartData(120, { programs: undefined }))).not.toContain('<section class="programs">');
  });

  test("the programs table has the terminal's columns in the terminal's order; not alive at the peak is –", () => {
    const cc = { name: "cc", processes: 3, maxProcessPeakBytes: 10 * MiB, rssAtPeakBytes: 0, peakRssBytes: 25 * MiB, processSeconds: 1.5 };
    const ld = { name: "ld", processes: 2, maxProcessPeakBytes: 40 * MiB, rssAtPeakBytes: 35 * MiB, peakRssBytes: 70 * MiB, processSeconds: 12.345 };
    const page = renderHtml(makeProgramChartData(120, { programs: [ld, cc] }));
    const section = page.slice(page.indexOf('<section class="programs">'), page.indexOf("</section>"));
    expect(section).toContain(
      '<thead><tr><th>Program</th><th class="num">Processes</th><th class="num">Largest process</th><th class="num">At tree peak</th><th class="num">Own peak</th><th class="num">Process-seconds</th></tr></thead>',
    );
    // Processes, largest process, at tree peak, own peak, process-seconds (no " s").
    expect(section).toContain('ld</td><td class="num">2</td><td class="num">40.0 MiB</td><td class="num">35.0 MiB</td><td class="num">70.0 MiB</td><td class="num">12.35</td></tr>');
    expect(section).toContain('cc</td><td class="num">3</td><td class="num">10.0 MiB</td><td class="num">–</td><td class="num">25.0 MiB</td><td class="num">1.50</td></tr>');
  });

  test("program names from outside are escaped in the chart, the legend, the table and the readout's JSON", () => {
    const evil = `</script><script>alert("x")</script><!--`;
    const samples = data.samples.map((s) => ({ ...s, programs: s.programs?.map((p) => (p.name === "cc1" ? { ...p, name: evil } : p)) }));
    const programs = data.programs!.map((p) => (p.name === "cc1" ? { ...p, name: evil } : p));
    const page = renderHtml({ ...data, samples, programs });
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<!--");
    expect(page.match(/<script\b/g)).toHaveLength(2);
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    const escaped = "&#60;/script&#62;&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#60;!--";
    expect(page).toContain(`data-program="${escaped}"`);
    expect(page).toContain(`<i class="swatch band-1"></i>${escaped}</td>`);
    const json = JSON.parse(page.match(/<script type="application\/json" id="samples">([^<]*)<\/script>/)![1]!);
    expect(json.bands[1].name).toBe(evil);
  });

  test("band colours: one for each band and other, in light and dark, none of them the peak's, threshold's, OOM's or the line's", () => {
    const colours = (css: string) => Object.fromEntries([...css.matchAll(/--([\w-]+): (#[0-9a-f]{6})/g)].map((m) => [m[1]!, m[2]!]));
    const dark = html.indexOf("@media (prefers-color-scheme: dark)");
    const bandsAt = html.indexOf("--band-0");
    // Each theme's variables: the light ones first, then those its dark block redefines.
    const light = { ...colours(html.slice(0, dark)), ...colours(html.slice(bandsAt, html.indexOf("@media", bandsAt))) };
    const darkOnes = { ...colours(html.slice(dark, bandsAt)), ...colours(html.slice(html.indexOf("@media", bandsAt))) };
    for (const theme of [light, darkOnes]) {
      const bands = ["band-0", "band-1", "band-2", "band-3", "band-4", "band-5", "band-other"].map((name) => theme[name]);
      expect(bands.every(Boolean)).toBe(true);
      expect(new Set(bands).size).toBe(7);
      for (const mark of ["peak", "threshold", "oom", "rss", "bg"]) expect(bands).not.toContain(theme[mark]);
    }
    expect(light["band-0"]).not.toBe(darkOnes["band-0"]);
  });

  test("4000 samples of eleven programs stay under a megabyte, with no NaN", () => {
    const big = renderHtml(makeProgramChartData(4000));
    expect(big.length).toBeLessThan(1_000_000);
    expect(big).not.toMatch(/NaN|undefined|Infinity/);
  });

  test("a chart without programs has none of it", () => {
    const plain = renderHtml(makeChartData(120));
    for (const absent of ["band", "stacked", "data-program", "RSS total", "bandRows", 'class="programs"', "RSS by program"]) expect(plain).not.toContain(absent);
  });
});
