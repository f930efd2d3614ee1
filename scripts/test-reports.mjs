// What `npm test` reads back from the test lanes' reports: vitest's JSON reports
// (`test-results.json`) and Playwright's (`playwright-results.json`), one of each per workspace.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The vitest JSON report each workspace's lane writes. */
export const reportName = 'test-results.json';
/** The Playwright JSON report of a workspace's browser lane. */
export const playwrightReportName = 'playwright-results.json';

const firstLine = (text) =>
  String(text ?? '')
    .split('\n')
    .find((l) => l.trim()) ?? '';

/**
 * Adds up the vitest and Playwright reports of `workspaces`, each read once: the counts, and one
 * line per failing test (package, file, title, the first line of its error), since CI keeps only
 * the end of the output, so the names must be there.
 */
export function readReports(root, workspaces) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failing = [];
  for (const dir of workspaces) {
    const vitest = join(dir, reportName);
    if (existsSync(vitest)) {
      const report = JSON.parse(readFileSync(vitest, 'utf8'));
      passed += report.numPassedTests ?? 0;
      failed += report.numFailedTests ?? 0;
      skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
      for (const file of report.testResults ?? []) {
        const where = `${relative(root, dir)}/${relative(dir, file.name ?? '')}`;
        const tests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
        for (const test of tests)
          failing.push(`${where} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
        // A file that fails outside its tests (a beforeAll, an import) fails no test of its own:
        // it is one failure too, or the closing line would read "0 failed" on a red run.
        if (file.status === 'failed' && tests.length === 0) {
          failed += 1;
          // vitest's JSON report keeps only file-level errors: a describe's failing hook (a
          // beforeAll past its timeout, say) leaves the message empty and the tests skipped.
          const notRun = (file.assertionResults ?? []).filter((t) => t.status !== 'passed').length;
          failing.push(
            `${where}: ${
              firstLine(file.message) ||
              `failed outside its tests with no error in the report (a describe's hook, such as a beforeAll past its timeout: the lane's output has it); ${notRun} of its tests did not run`
            }`,
          );
        }
      }
    }
    const browser = join(dir, playwrightReportName);
    if (existsSync(browser)) {
      const report = JSON.parse(readFileSync(browser, 'utf8'));
      const { stats = {} } = report;
      passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
      failed += stats.unexpected ?? 0;
      skipped += stats.skipped ?? 0;
      // Spec files are named relative to the config's test directory.
      const testDir = report.config?.rootDir ?? dir;
      const visit = (suite, path) => {
        for (const spec of suite.specs ?? [])
          for (const test of spec.tests ?? [])
            if (test.status === 'unexpected') {
              const error = test.results?.at(-1)?.error?.message;
              failing.push(
                `${relative(root, join(testDir, spec.file))} > ${[...path, spec.title].join(' > ')}: ${firstLine(error)}`,
              );
            }
        for (const child of suite.suites ?? []) visit(child, [...path, child.title]);
      };
      for (const suite of report.suites ?? []) visit(suite, []);
    }
  }
  return { passed, failed, skipped, failing };
}
