import type { DestinationStream } from 'pino';

export type LogLine = Record<string, unknown> & { msg?: string; correlationId?: string; activity?: string };

/** A pino destination that keeps every JSON line it is given, parsed. */
export function captureLogs(): { stream: DestinationStream; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    stream: {
      write(chunk: string) {
        for (const l of chunk.split('\n')) if (l.trim()) lines.push(JSON.parse(l) as LogLine);
      },
    },
  };
}
