/**
 * The fixture of most end-to-end files: one Chromium and one stack for the file, a fresh browser context
 * (cookies of its own, as a separate person's browser) for each page a test opens, closed after the test,
 * and the stand-in's switches reset before each test.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { launchBrowser } from "./browser";
import { startStack, type Stack, type StackOptions } from "./stack";

export interface BrowserStack {
  readonly browser: Browser;
  readonly stack: Stack;
  /** A page in a browser context of its own, closed when the test ends. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

export function useBrowserAndStack(options: StackOptions): BrowserStack {
  let browser: Browser | undefined;
  let stack: Stack | undefined;
  let contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [browser, stack] = await Promise.all([launchBrowser(), startStack(options)]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  beforeEach(() => stack?.standIn.controls.reset());
  afterEach(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the browser and the stack start in beforeAll");
    return value;
  };
  return {
    get browser() {
      return started(browser);
    },
    get stack() {
      return started(stack);
    },
    async newPage(contextOptions) {
      const context = await started(browser).newContext(contextOptions);
      contexts.push(context);
      return context.newPage();
    },
  };
}
