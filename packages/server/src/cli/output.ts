/** Prints a result: one JSON document with `--json`, else a readable table or line. */
export function printResult(value: unknown, json: boolean, human?: string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value)}\n`);
    return;
  }
  if (human !== undefined) {
    process.stdout.write(`${human}\n`);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      process.stdout.write('(none)\n');
      return;
    }
    const columns = Object.keys(value[0] as object);
    const rows = value.map((row) => columns.map((c) => formatCell((row as Record<string, unknown>)[c])));
    const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    process.stdout.write(`${[line(columns), ...rows.map(line)].join('\n')}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
