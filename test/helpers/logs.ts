/**
 * The hub's logger (server/logger.ts) writing its JSON lines are kept in memory, for tests that read what the hub logs.
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../server/logger';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export function captureLogger(level = 'debug'): { logger: Logger; lines: () => LogLine[] } {
  const lines: LogLine[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString('utf8');
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(partial.slice(0, nl)) as LogLine);
        partial = partial.slice(nl + 1);
      }
      done();
    },
  });
  return { logger: createLogger(level, sink), lines: () => [...lines] };
}
