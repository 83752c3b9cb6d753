/** The RabbitMQ intake consumer: `npm run consumer`. Wiring: src/ingest/consumer-main.ts. */
import '../ingest/consumer-main';
