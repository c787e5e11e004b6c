import pino, { type DestinationStream, type Logger } from 'pino';

/** The hub's structured logger (JSON lines on stdout, or on `destination`). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'tessera' },
    redact: ['req.headers.authorization', 'headers.authorization'],
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
