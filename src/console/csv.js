// Export of audit entries, as the console downloads them. Plain functions of
// the entries the API returned, so that Node's tests run the very code the
// browser runs.

/** A cell a spreadsheet would read as a formula (OWASP "CSV injection"): =, +, -, @, tab, carriage return first. */
const formulaStart = /^[=+\-@\t\r]/;

/** One CSV cell (RFC 4180): objects as JSON, formula-like text defused with a leading apostrophe, quoted when needed. */
export function csvCell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (formulaStart.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The columns of a set of entries: every field any of them has, in the order they first appear. */
export function csvColumns(entries) {
  const columns = [];
  for (const entry of entries) for (const key of Object.keys(entry)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

/** Entries as CSV: a header line, then one line per entry, CRLF line ends. */
export function toCsv(entries) {
  const columns = csvColumns(entries);
  const lines = [columns.map(csvCell).join(','), ...entries.map((entry) => columns.map((column) => csvCell(entry[column])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Entries as JSON Lines: one JSON object per line. */
export function toJsonLines(entries) {
  return entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
}

/** Hands the browser `text` as a file to save (the pages' exports); browsers only. */
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
