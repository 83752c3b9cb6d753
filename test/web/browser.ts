import type { Page, Response } from 'playwright-core';

export { chromiumPath, launchChromium } from '../../scripts/chromium';

/** On a case page: approves with a reason and a comment; resolves with the answer the browser lands on. */
export async function approveOnCasePage(page: Page, reason = 'VENDOR_SHORT', comment = 'short on the ASN'): Promise<Response> {
  await page.getByLabel('Reason', { exact: true }).first().selectOption(reason);
  await page.locator('#approve-comment').fill(comment);
  const [landed] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/app?done=approve')),
    page.getByRole('button', { name: 'Approve', exact: true }).click(),
  ]);
  return landed;
}
