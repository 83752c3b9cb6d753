import { sleep } from './client';

/** One case change as the live feed sent it, and when it arrived. */
export interface FeedEvent {
  caseId: string;
  status: string;
  at: number;
}

/**
 * The live feed (`GET /v1/stream`) read as a browser's EventSource reads it: through whatever
 * address the stack's clients use, and connected again when its stream ends (its API replica
 * died), after a pause. Keeps every `event: case` with its arrival time.
 */
export class FeedReader {
  readonly events: FeedEvent[] = [];
  connections = 0;
  private stopped = false;
  private controller?: AbortController;
  private running?: Promise<void>;

  constructor(
    private readonly baseUrl: () => string,
    private readonly key: string,
    private readonly path: string,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.controller = new AbortController();
      try {
        const res = await fetch(this.baseUrl() + this.path, { headers: { Authorization: `Bearer ${this.key}`, Accept: 'text/event-stream' }, signal: this.controller.signal });
        if (res.status === 200 && res.body) {
          this.connections += 1;
          await this.read(res.body);
        }
      } catch {
        // the stream broke (its replica died) or was stopped: connect again unless stopped
      }
      if (!this.stopped) await sleep(500);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of body) {
      buffered += decoder.decode(chunk, { stream: true });
      for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
        const block = buffered.slice(0, end).split('\n');
        buffered = buffered.slice(end + 2);
        if (!block.includes('event: case')) continue;
        const data = block.find((l) => l.startsWith('data: '));
        if (!data) continue;
        const change = JSON.parse(data.slice('data: '.length)) as { id: string; status: string };
        this.events.push({ caseId: change.id, status: change.status, at: Date.now() });
      }
    }
  }
}
