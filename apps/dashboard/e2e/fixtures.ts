// The specs' `test`: Playwright's, plus a guard that fails any test during which a page of any of
// its browser contexts hit the Content-Security-Policy (issue 12: the CSP must not break pages).
import { test as base, type Browser, type BrowserContext } from '@playwright/test';

export { expect } from '@playwright/test';
export type { Locator, Page } from '@playwright/test';

const CSP_MESSAGE = /Content[ -]Security[ -]Policy|securitypolicyviolation/i;

/** Collects CSP reports of `context`: Chromium's console errors and the DOM event. */
async function watchCsp(context: BrowserContext, violations: string[]): Promise<void> {
  context.on('console', (message) => {
    if (CSP_MESSAGE.test(message.text())) {
      violations.push(`${message.location().url || '(page)'}: ${message.text()}`);
    }
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} on ${location.href} (from ${e.sourceFile || '?'}:${e.lineNumber}:${e.columnNumber})`,
      );
    });
  });
}

export const test = base.extend<{ cspGuard: void }>({
  cspGuard: [
    async ({ browser, context }, use, testInfo) => {
      const violations: string[] = [];
      await watchCsp(context, violations);
      // Contexts the test opens itself (browser.newContext / browser.newPage) are watched too.
      // (browser.newPage goes through browser.newContext.)
      const patched = browser as Browser & { newContext: Browser['newContext'] };
      const original = browser.newContext.bind(browser);
      patched.newContext = async (options) => {
        const created = await original(options);
        await watchCsp(created, violations);
        return created;
      };
      try {
        await use();
      } finally {
        Reflect.deleteProperty(patched, 'newContext'); // back to the prototype's method
      }
      if (violations.length > 0) {
        await testInfo.attach('csp-violations', { body: violations.join('\n') });
        throw new Error(`Content-Security-Policy violations:\n${violations.join('\n')}`);
      }
    },
    { auto: true },
  ],
});
