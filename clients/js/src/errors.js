// The web's errors, made from the API's {"error": {"name", "message"}}
// answers, and the one error of bgfetch's own: the daemon is not running.

/** How a user starts the daemon; every "not running" message ends with it. */
export const START_HINT = 'start it with `bgfetch` (the desktop app) or `bgfetch serve --headless`';

/**
 * NotRunningError: no bgfetch daemon answers for the data directory. The
 * web has no such case (the browser is always there), so it is bgfetch's
 * own error type; `code` is "BGFETCH_NOT_RUNNING".
 */
export class NotRunningError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'NotRunningError';
    this.code = 'BGFETCH_NOT_RUNNING';
  }
}

/** webError makes the exception the spec names: a TypeError or a DOMException. */
export function webError(name, message) {
  if (name === 'TypeError') return new TypeError(message);
  return new DOMException(message, name || 'UnknownError');
}

/** errorFromAnswer turns a non-2xx answer of the API into the web's error. */
export function errorFromAnswer(status, data) {
  const e = data && typeof data === 'object' ? data.error : undefined;
  if (e && typeof e.name === 'string') {
    return webError(e.name, typeof e.message === 'string' ? e.message : '');
  }
  return new DOMException(`bgfetch answered HTTP ${status} without an error object`, 'UnknownError');
}
