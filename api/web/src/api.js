// The mingzhang HTTP API as the portal uses it (README "mingzhangd"): JSON in and out, a bearer token, and
// errors as RFC 9457 problems turned into ApiError.
import { lang } from './i18n.js';
import { problemText } from './problems.js';

// Its message is for the person at the page (problems.js, in their language); the server's
// detail, for whoever helps them, is kept in `detail` and shown on hover.
export class ApiError extends Error {
  constructor(status, type, detail) {
    super(problemText(lang(), type));
    this.status = status;
    this.type = type;
    this.detail = detail;
  }
}

export class Api {
  constructor(token) {
    this.token = token;
  }

  headers(accept, contentType) {
    const headers = { Accept: accept };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (contentType) headers['Content-Type'] = contentType;
    return headers;
  }

  async request(method, path, body) {
    const headers = this.headers('application/json', body === undefined ? '' : 'application/json');
    // A network failure stays a TypeError here: a lost answer is not a refusal (firm.js keeps the key).
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw refusal(res, text);
    return text;
  }

  async get(path) {
    return JSON.parse(await this.request('GET', path));
  }

  // The body as sent, for what must be kept byte for byte (a signed statement to download).
  async getText(path) {
    return this.request('GET', path);
  }

  async post(path, body) {
    return JSON.parse(await this.request('POST', path, body));
  }

  // A binary answer (a voucher file) as {bytes: Uint8Array, contentType}; refusals as ApiError.
  async getBytes(path) {
    const res = await send(path, { headers: this.headers('*/*') });
    if (!res.ok) throw refusal(res, await res.text());
    return { bytes: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get('Content-Type') ?? '' };
  }

  // Bytes sent as they are (a voucher file, a bank's CSV: the server tells UTF-8 from GBK, not
  // the browser); the JSON answer parsed, refusals as ApiError.
  async sendBytes(method, path, bytes, contentType) {
    const res = await send(path, { method, headers: this.headers('application/json', contentType), body: bytes });
    const text = await res.text();
    if (!res.ok) throw refusal(res, text);
    return text ? JSON.parse(text) : null;
  }
}

// fetch, with a network failure (no answer at all) as an ApiError like any refusal.
async function send(path, init) {
  try {
    return await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, 'http-error', String(err));
  }
}

// A refusal's problem document (RFC 9457) as an ApiError.
function refusal(res, text) {
  let problem = {};
  try {
    problem = JSON.parse(text);
  } catch {
    // not a problem document: the status says enough
  }
  return new ApiError(res.status, problem.type ?? 'http-error', problem.detail ?? text.slice(0, 200));
}

export const enc = encodeURIComponent;

export function communityPath(community, rest = '') {
  return `/v1/communities/${enc(community)}${rest}`;
}
