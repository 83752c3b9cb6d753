import { connect } from 'amqplib';
import { loadConfig } from '../config';
import { listDeadLetters, replayDeadLetters } from '../ingest/dead-letters';

const USAGE = `usage: npm run dlq -- list [--limit N]     print dead letters as JSON (they stay in the DLQ)
       npm run dlq -- replay [--limit N]   re-publish dead letters to the intake queue`;

const DEFAULT_LIST_LIMIT = 100;

function usage(problem?: string): number {
  process.stderr.write(`${problem ? `${problem}\n` : ''}${USAGE}\n`);
  return 2;
}

/** `npm run dlq -- list|replay`: inspect or replay the intake dead-letter queue (docs/integration.md). */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'list' && command !== 'replay') return usage(command ? `unknown command ${command}` : undefined);
  let limit: number | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] !== '--limit') return usage(`unknown argument ${rest[i]}`);
    const n = Number(rest[++i]);
    if (!Number.isInteger(n) || n < 1) return usage('--limit needs a whole number of at least 1');
    limit = n;
  }

  const config = loadConfig();
  const conn = await connect(config.RABBITMQ_URL, { clientProperties: { connection_name: `reckon-dlq ${command}` } });
  conn.on('error', () => undefined);
  const ch = await conn.createConfirmChannel();
  try {
    // the DLQ and the intake queue exist once a consumer ran; declaring them again is harmless
    await ch.assertQueue(config.RABBITMQ_DLQ, { durable: true });
    if (command === 'list') {
      const letters = await listDeadLetters(ch, config.RABBITMQ_DLQ, limit ?? DEFAULT_LIST_LIMIT);
      process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
      return 0;
    }
    await ch.assertQueue(config.RABBITMQ_QUEUE, { durable: true });
    const checked = Object.keys(config.RABBITMQ_PUBLISHER_SITES).length > 0;
    const asUser = checked ? decodeURIComponent(new URL(config.RABBITMQ_URL).username) || 'guest' : undefined;
    const replayed = await replayDeadLetters(ch, config.RABBITMQ_DLQ, config.RABBITMQ_QUEUE, limit ?? Number.MAX_SAFE_INTEGER, asUser);
    process.stdout.write(`${JSON.stringify({ replayed, from: config.RABBITMQ_DLQ, to: config.RABBITMQ_QUEUE })}\n`);
    return 0;
  } finally {
    // the channel first: RabbitMQ may drop acks still on their way when the connection closes
    await ch.close().catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`dlq failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
