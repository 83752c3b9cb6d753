import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const ANSWERS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request header fields too large', 'the request line and headers are larger than the server accepts'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request timeout', 'the request was not received in time'],
};
const BAD_REQUEST: [number, string, string] = [400, 'Bad request', 'the request is not valid HTTP'];

/**
 * Requests that Node's HTTP parser refuses before express sees them (a URL or headers too large,
 * a malformed request line) get a problem+json answer like every other 4xx, instead of Node's
 * bare status line.
 */
export function answerClientErrors(server: Server): Server {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, title, detail] = (err.code && ANSWERS[err.code]) || BAD_REQUEST;
    const body = JSON.stringify({ type: `urn:reckon:problem:${status === 400 ? 'validation' : 'client-error'}`, title, status, detail });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
