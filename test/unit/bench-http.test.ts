import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpClient } from '../../bench/http';

// The query phase times reads by status only: a good answer's body is dropped unparsed, and a
// bad one still comes back parsed for the bench's error message.
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const ok = req.url === '/ok';
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { items: Array.from({ length: 2000 }, (_, i) => ({ i })) } : { title: 'unavailable' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the bench's HTTP client", () => {
  it('reads a good answer whole but parses it only when asked, and parses a bad one either way', async () => {
    const http = httpClient(url, 2);
    try {
      const parsed = await http.get('/ok');
      expect((parsed.body as { items: unknown[] }).items).toHaveLength(2000);
      // the keep-alive socket serves the next requests after a dropped body
      for (let i = 0; i < 3; i++) expect(await http.get('/ok', {}, 'status')).toMatchObject({ status: 200, body: undefined });
      expect(await http.get('/down', {}, 'status')).toMatchObject({ status: 503, body: { title: 'unavailable' } });
    } finally {
      http.close();
    }
  });
});
