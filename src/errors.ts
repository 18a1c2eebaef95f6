/**
 * A mistake the user can fix (bad flag, bad file, bad config). The CLI prints
 * its one-line message, with no stack trace, and exits with EXIT_USAGE.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export const EXIT_USAGE = 2;
/** Stopped by SIGINT/SIGTERM after writing a checkpoint (128 + SIGINT, as shells report). */
export const EXIT_INTERRUPTED = 130;
/** Training itself failed (non-finite loss, workers failing repeatedly). */
export const EXIT_FAILED = 1;
