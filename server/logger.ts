import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'tessera' },
    redact: ['req.headers.authorization', 'headers.authorization'],
  });
}

export type { Logger };
