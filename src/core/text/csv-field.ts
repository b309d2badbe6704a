// One CSV field as RFC 4180 quotes it, for the report (src/export/csv.ts) and the timeline
// (src/timeline/writers.ts) alike.

/** A field with a comma, quote, CR or LF is quoted, its quotes doubled. */
export function quoteField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
