import { request, type IncomingHttpHeaders } from "node:http";

/** A response, body as text. */
export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Options of {@link send}. */
export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** How long a request may wait for its answer. */
const TIMEOUT_MS = 10_000;

/** One HTTP request to the local API; only 127.0.0.1 is allowed, so a typo cannot send traffic elsewhere. */
export function send(url: string, options: SendOptions = {}): Promise<HttpResult> {
  const target = new URL(url);
  if (target.protocol !== "http:" || target.hostname !== "127.0.0.1") return Promise.reject(new Error(`only http://127.0.0.1 is allowed, not ${target.origin}`));
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? "GET", headers: options.headers, timeout: TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(options.body);
  });
}
