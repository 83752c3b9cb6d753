import { parseArgs } from 'node:util';

/** A command-line mistake: the usage is printed and the process exits 2. */
export class BadArgs extends Error {}

/** Runs a CLI's main: exit 0 when done, 2 with the usage for bad arguments, 1 with the message otherwise. */
export function runCli(main: (argv: string[]) => Promise<void>, usage: string): void {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err) => {
      if (err instanceof BadArgs) {
        process.stderr.write(`${err.message}\n${usage}\n`);
        process.exit(2);
      }
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      // an error may name its own exit status (e.g. 3: a verification that could not finish)
      const code = (err as { exitCode?: unknown } | null)?.exitCode;
      process.exit(typeof code === 'number' && Number.isInteger(code) && code > 0 ? code : 1);
    },
  );
}

/** A command's `--flags` (no positionals); an unknown or malformed one is a BadArgs. */
export function parseFlags<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as {
      [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string;
    };
  } catch (err) {
    throw new BadArgs((err as Error).message);
  }
}

/** The first line of standard input (a password or a key piped in, never on the command line). */
export async function readStdinLine(prompt: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(`${prompt}: `);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}
