// A small GFM table reader for the Markdown report's tests (unit and end-to-end).

/**
 * A small GFM table reader, strict where a renderer would be forgiving: the first line is
 * the header row, the second a delimiter row of `---` cells, and every row has as many
 * cells as the header. A pipe after an odd number of backslashes is escaped and does not
 * split; cells come back as GitHub shows them: backslash escapes undone, but inside a code
 * span only `\|` becomes `|` (the table's own escape), the rest shows as it is.
 */
export function parseTable(lines: readonly string[]): { header: string[]; rows: string[][] } {
  const split = (line: string): string[] => {
    if (!line.startsWith("|") || !line.endsWith("|") || line.length < 2) throw new Error(`not a table row: ${line}`);
    const cells: string[] = [];
    let current = "";
    for (let i = 1; i < line.length - 1; i++) {
      const char = line[i];
      if (char === "\\" && i + 1 < line.length - 1) {
        current += char + line[++i];
      } else if (char === "|") {
        cells.push(current);
        current = "";
      } else current += char;
    }
    if (line.length >= 3 && line[line.length - 2] === "\\") throw new Error(`the closing pipe is escaped: ${line}`);
    cells.push(current);
    return cells.map((text) => unescapeCell(text.trim()));
  };
  const [headerLine, delimiterLine, ...rowLines] = lines;
  if (headerLine === undefined || delimiterLine === undefined) throw new Error("a table needs a header and a delimiter row");
  const header = split(headerLine);
  const delimiter = split(delimiterLine);
  if (delimiter.length !== header.length) throw new Error(`delimiter has ${delimiter.length} cells, header ${header.length}`);
  for (const text of delimiter) if (!/^:?-{3,}:?$/.test(text)) throw new Error(`not a delimiter cell: '${text}'`);
  const rows = rowLines.map(split);
  rows.forEach((row, i) => {
    if (row.length !== header.length) throw new Error(`row ${i + 1} has ${row.length} cells, header ${header.length}`);
  });
  return { header, rows };
}

/** The document's parts: the heading line, then each run of consecutive `|` lines as a table. */
export function parseMarkdownReport(text: string): { heading: string; tables: ReturnType<typeof parseTable>[]; other: string[] } {
  if (!text.endsWith("\n")) throw new Error("the report does not end with a line break");
  const lines = text.slice(0, -1).split("\n");
  const heading = lines[0] ?? "";
  const tables: ReturnType<typeof parseTable>[] = [];
  const other: string[] = [];
  let block: string[] = [];
  for (const line of [...lines.slice(1), ""]) {
    if (line.startsWith("|")) {
      block.push(line);
      continue;
    }
    if (block.length > 0) tables.push(parseTable(block));
    block = [];
    if (line !== "") other.push(line);
  }
  return { heading, tables, other };
}

const unescapeText = (text: string) => text.replace(/\\([!-/:-@[-`{-~])/g, "$1");

/** A cell's text with its escapes undone, code spans (kept with their backticks) apart. */
function unescapeCell(text: string): string {
  let out = "";
  let at = 0;
  const opener = /(?<!\\)`+/g;
  for (let open = opener.exec(text); open; open = opener.exec(text)) {
    const closer = new RegExp(`(?<!\`)\`{${open[0].length}}(?!\`)`, "g");
    closer.lastIndex = opener.lastIndex;
    const close = closer.exec(text);
    if (!close) continue;
    out += unescapeText(text.slice(at, open.index)) + text.slice(open.index, closer.lastIndex).replaceAll("\\|", "|");
    at = opener.lastIndex = closer.lastIndex;
  }
  return out + unescapeText(text.slice(at));
}
