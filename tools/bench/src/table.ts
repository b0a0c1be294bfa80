export type Cell = string | number | null;

function show(cell: Cell, decimals: boolean): string {
  if (cell === null || (typeof cell === 'number' && !Number.isFinite(cell))) return '–';
  if (typeof cell === 'number') return decimals ? cell.toFixed(2) : String(cell);
  return cell;
}

/**
 * A plain-text table: a header row, a rule, then rows. Numbers are right
 * aligned, text left aligned, missing values shown as '–' so a skipped
 * scenario is visibly empty rather than zero.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  // A column with any fraction shows two decimals throughout, so figures line up.
  const decimals = headers.map((_, column) =>
    rows.some(
      (row) => typeof row[column] === 'number' && Number.isFinite(row[column]) && !Number.isInteger(row[column]),
    ),
  );
  const texts = rows.map((row) => headers.map((_, column) => show(row[column] ?? null, decimals[column] ?? false)));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...texts.map((row) => (row[column] as string).length)),
  );
  const numeric = headers.map((_, column) => rows.some((row) => typeof row[column] === 'number'));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => {
        const width = widths[column] as number;
        return numeric[column] ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...texts.map(line)].join('\n');
}
