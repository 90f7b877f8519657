/**
 * Waiting for something observable instead of for a number of milliseconds: on a loaded CI machine a spawned cosy
 * can take half a second to start, so a test step that must follow an event (a text reaching the emulator, a task
 * finishing) polls for it, with a deadline that fails the test by name.
 */

/** Resolves once `condition()` holds (checked every `everyMs`); rejects after `deadlineMs` naming `what`. */
export function waitFor(condition: () => boolean, what: string, deadlineMs = 10_000, everyMs = 10): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + deadlineMs;
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what}`));
      else setTimeout(check, everyMs);
    };
    check();
  });
}
