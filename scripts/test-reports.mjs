// What `npm test` reads back from the test lanes' reports: vitest's JSON reports
// (`test-results.json`) and Playwright's (`playwright-results.json`), one of each per workspace.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The vitest JSON report each workspace's lane writes. */
export const reportName = 'test-results.json';
/** The Playwright JSON report of a workspace's browser lane. */
export const playwrightReportName = 'playwright-results.json';

/** Adds up vitest's JSON reports and Playwright's (`playwright-results.json`) across workspaces. */
export function summarize(workspaces) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const dir of workspaces) {
    const vitest = join(dir, reportName);
    if (existsSync(vitest)) {
      const report = JSON.parse(readFileSync(vitest, 'utf8'));
      passed += report.numPassedTests ?? 0;
      failed += report.numFailedTests ?? 0;
      // A file that fails outside its tests (a beforeAll, an import) fails no test of its own:
      // it is one failure too, or the closing line would read "0 failed" on a red run.
      for (const file of report.testResults ?? []) {
        const testsFailed = (file.assertionResults ?? []).some((t) => t.status === 'failed');
        if (file.status === 'failed' && !testsFailed) failed += 1;
      }
      skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    }
    const browser = join(dir, playwrightReportName);
    if (existsSync(browser)) {
      const { stats = {} } = JSON.parse(readFileSync(browser, 'utf8'));
      passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
      failed += stats.unexpected ?? 0;
      skipped += stats.skipped ?? 0;
    }
  }
  return { passed, failed, skipped };
}

/**
 * One line per failing test across the vitest and Playwright reports (package, file, title, the
 * first line of its error): CI keeps only the end of the output, so the names must be there.
 */
export function failingTests(root, workspaces) {
  const lines = [];
  const firstLine = (text) =>
    String(text ?? '')
      .split('\n')
      .find((l) => l.trim()) ?? '';
  for (const dir of workspaces) {
    const name = relative(root, dir);
    const vitest = join(dir, reportName);
    if (existsSync(vitest)) {
      for (const file of JSON.parse(readFileSync(vitest, 'utf8')).testResults ?? []) {
        const where = `${name}/${relative(dir, file.name ?? '')}`;
        const failed = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
        for (const test of failed)
          lines.push(`${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
        if (file.status === 'failed' && failed.length === 0)
          lines.push(`${where}: ${firstLine(file.message)}`);
      }
    }
    const browser = join(dir, playwrightReportName);
    if (existsSync(browser)) {
      const report = JSON.parse(readFileSync(browser, 'utf8'));
      // Spec files are named relative to the config's test directory.
      const testDir = report.config?.rootDir ?? dir;
      const visit = (suite, path) => {
        for (const spec of suite.specs ?? [])
          for (const test of spec.tests ?? [])
            if (test.status === 'unexpected') {
              const error = test.results?.at(-1)?.error?.message;
              lines.push(
                `${relative(root, join(testDir, spec.file))} > ${[...path, spec.title].join(' > ')}: ${firstLine(error)}`,
              );
            }
        for (const child of suite.suites ?? []) visit(child, [...path, child.title]);
      };
      for (const suite of report.suites ?? []) visit(suite, []);
    }
  }
  return lines;
}
