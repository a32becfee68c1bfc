/** The browser commands vitest.config.ts defines for the browser project, as tests call them. */
declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Every request of the browser context (pages, workers, service workers) fails as offline, until called with false. */
    setNetworkOff: (off: boolean) => Promise<void>;
  }
}
export {};
