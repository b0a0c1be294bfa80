// Sums vitest's JSON reports (one per Nx project and suite) into the one line
// CI reads: "N passed, N failed". A run that executed no test says so.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: { name: string; status: string; assertionResults?: { status: string }[] }[];
}

/**
 * Test files that failed with no failed test: a `beforeAll` that threw, an
 * import error. Vitest reports their tests as skipped, so without this a
 * broken suite would read "0 failed". Each counts as one failure.
 */
function brokenFiles(report: Report): string[] {
  return (report.testResults ?? [])
    .filter((file) => file.status === 'failed' && !file.assertionResults?.some((test) => test.status === 'failed'))
    .map((file) => file.name);
}

function reports(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return reports(path);
    return entry.name.endsWith('.json') ? [path] : [];
  });
}

const dir = process.argv[2] ?? 'reports/vitest';
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports(dir)) {
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const broken = brokenFiles(report);
  passed += report.numPassedTests;
  failed += report.numFailedTests + broken.length;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`${file}: ${report.numPassedTests} passed, ${report.numFailedTests + broken.length} failed`);
  for (const name of broken) console.log(`  failed before its tests ran: ${name}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
