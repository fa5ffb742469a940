/**
 * One CSV record per Kafka message: RFC 4180 quoting within a single line. Returns undefined when
 * a quote is left open or text follows a closing quote, so the caller can reject the record.
 */
export function parseCsvLine(line: string, delimiter: string): Array<string | null> | undefined {
  const fields: Array<string | null> = [];
  let i = 0;
  const n = line.endsWith('\r\n') ? line.length - 2 : line.endsWith('\n') ? line.length - 1 : line.length;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0 || close >= n) return undefined;
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (line[i] !== delimiter) return undefined;
      i += 1;
    } else {
      const next = line.indexOf(delimiter, i);
      const end = next < 0 || next >= n ? n : next;
      const raw = line.slice(i, end);
      if (raw.includes('"')) return undefined;
      // An unquoted empty field is null; a quoted "" is the empty string.
      fields.push(raw === '' ? null : raw);
      if (end === n) return fields;
      i = end + 1;
    }
  }
}

/** Formats one row as a CSV line (no line break), quoting only fields that need it. */
export function formatCsvLine(values: readonly unknown[], delimiter: string): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += delimiter;
    const value = values[i];
    if (value === null || value === undefined) continue;
    const text = typeof value === 'string' ? value : String(value);
    line += text === '' || text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r')
      ? `"${text.replaceAll('"', '""')}"`
      : text;
  }
  return line;
}
