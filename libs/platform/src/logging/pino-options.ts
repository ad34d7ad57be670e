import type { LoggerOptions } from 'pino';

/** One log format for every line a service writes: JSON, ISO time, level names, the service's name. */
export function pinoOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service, pid: process.pid },
    messageKey: 'msg',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  };
}
