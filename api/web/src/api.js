// The mingzhang HTTP API as the portal uses it (API.md): JSON in and out, a bearer token, and
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

  async request(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) {
      let problem = {};
      try {
        problem = JSON.parse(text);
      } catch {
        // not a problem document: the status says enough
      }
      throw new ApiError(res.status, problem.type ?? 'http-error', problem.detail ?? text.slice(0, 200));
    }
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
    const headers = { Accept: '*/*' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await fetch(path, { headers });
    if (!res.ok) {
      let problem = {};
      try {
        problem = JSON.parse(await res.text());
      } catch {
        // not a problem document: the status says enough
      }
      throw new ApiError(res.status, problem.type ?? 'http-error', problem.detail ?? '');
    }
    return { bytes: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get('Content-Type') ?? '' };
  }
}

export const enc = encodeURIComponent;

export function communityPath(community, rest = '') {
  return `/v1/communities/${enc(community)}${rest}`;
}
