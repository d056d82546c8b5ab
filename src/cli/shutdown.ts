// SIGINT/SIGTERM handling for long-running commands: the first signal closes everything in
// order and exits 0 (1 if closing failed); a second signal exits at once, for when closing hangs.
import type { Logger } from '../util/log.js';

const SIGNAL_STATUS: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export function exitOnSignal(close: () => Promise<void>, log: Logger, exit: (code: number) => void = process.exit): () => void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting without finishing shutdown');
      exit(SIGNAL_STATUS[signal] ?? 1);
      return;
    }
    closing = true;
    log.info({ signal }, 'shutting down');
    close().then(
      () => {
        log.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
