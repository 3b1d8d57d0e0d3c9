// The web's request inputs (strings, URLs, Request objects) and options,
// turned into the shapes of POST /v1/fetches. Relative URLs resolve
// against the connection's baseURL, like a page's URLs against its origin.
// Everything about whether a URL may be fetched is the daemon's to decide.

/** resolveURL makes an absolute URL of a string or URL, or throws the web's TypeError. */
export function resolveURL(input, baseURL) {
  const text = input instanceof URL ? input.href : String(input);
  try {
    return new URL(text, baseURL).href;
  } catch {
    const hint = baseURL ? ` relative to ${baseURL}` : ' (a relative URL needs the baseURL option of connect())';
    throw new TypeError(`${JSON.stringify(text)} is not a valid URL${hint}`);
  }
}

/** requestList: fetch()'s `requests` is one RequestInfo or a sequence of them. */
export function requestList(requests) {
  if (typeof requests === 'string' || requests instanceof URL || requests instanceof Request) return [requests];
  if (requests != null && typeof requests[Symbol.iterator] === 'function') return [...requests];
  if (requests == null) throw new TypeError('fetch() needs requests: a URL, a Request, or a list of them');
  return [requests];
}

/**
 * wireRequest is one entry of "requests": a URL string for a plain GET, or
 * an object with method, headers, integrity and the body in base64 (a
 * Request with a body is an upload).
 */
export async function wireRequest(input, baseURL) {
  if (!(input instanceof Request)) return resolveURL(input, baseURL);
  if (input.bodyUsed) throw new TypeError(`the body of the Request for ${input.url} was already used`);
  const out = { url: input.url };
  if (input.method !== 'GET') out.method = input.method;
  const headers = Object.fromEntries(input.headers);
  if (Object.keys(headers).length > 0) out.headers = headers;
  if (input.integrity) out.integrity = input.integrity;
  if (input.body !== null) {
    const bytes = Buffer.from(await input.clone().arrayBuffer());
    out.body = bytes.toString('base64');
  }
  return Object.keys(out).length === 1 ? out.url : out;
}

/** wireIcons keeps the ImageResource members the API knows and resolves src. */
export function wireIcons(icons, baseURL) {
  if (icons === undefined) return undefined;
  if (icons == null || typeof icons[Symbol.iterator] !== 'function') {
    throw new TypeError('icons must be a list of {src, sizes, type}');
  }
  return [...icons].map((icon) => {
    if (icon == null || icon.src === undefined) throw new TypeError('every icon needs a src');
    const out = { src: resolveURL(icon.src, baseURL) };
    if (icon.sizes !== undefined) out.sizes = String(icon.sizes);
    if (icon.type !== undefined) out.type = String(icon.type);
    return out;
  });
}

// Options of fetch() beyond the web's title, icons and downloadTotal that
// the API takes as they are (api.md).
const EXTRA_OPTIONS = ['destination', 'handler', 'priority', 'maxBytesPerSecond', 'connections', 'metered'];

/** fetchBody is the POST /v1/fetches body for fetch(id, requests, options). */
export async function fetchBody(id, requests, options, baseURL) {
  const list = requestList(requests);
  const body = { id: String(id), requests: await Promise.all(list.map((r) => wireRequest(r, baseURL))) };
  if (options == null) return body;
  if (typeof options !== 'object') throw new TypeError('fetch() options must be an object');
  if (options.title !== undefined) body.title = String(options.title);
  const icons = wireIcons(options.icons, baseURL);
  if (icons !== undefined) body.icons = icons;
  if (options.downloadTotal !== undefined) body.downloadTotal = options.downloadTotal;
  for (const key of EXTRA_OPTIONS) {
    if (options[key] !== undefined) body[key] = options[key];
  }
  return body;
}

/** matchQuery is the query string of .../records and .../match (Cache API matching). */
export function matchQuery(request, options, baseURL) {
  const q = new URLSearchParams();
  if (request !== undefined && request !== null) {
    if (request instanceof Request) {
      q.set('url', request.url);
      q.set('method', request.method);
    } else {
      q.set('url', resolveURL(request, baseURL));
    }
  }
  if (options?.ignoreSearch) q.set('ignoreSearch', 'true');
  if (options?.ignoreMethod) q.set('ignoreMethod', 'true');
  const s = q.toString();
  return s ? `?${s}` : '';
}
