// Types of the bgfetch package: the web's Background Fetch API (WICG
// "Background Fetch"), for Node and Electron, plus bgfetch's extras.

/** connect()'s options. */
export interface ConnectOptions {
  /** The app's name in bgfetch (the Bgfetch-App scope); default "default". */
  app?: string;
  /** Relative URLs of fetch() and match() resolve against it, like a page's URLs against its origin. */
  baseURL?: string | URL;
  /** bgfetch's data directory; default: $BGFETCH_DATA_DIR, else the OS default. */
  dataDir?: string;
}

/** Finds the running bgfetch daemon; rejects with NotRunningError when none answers. */
export function connect(options?: ConnectOptions): Promise<BackgroundFetchConnection>;

/** The OS default data directory (without BGFETCH_DATA_DIR). */
export function defaultDataDir(env?: Record<string, string | undefined>, platform?: string, home?: string): string;

/** No bgfetch daemon answers; the message says how to start one. */
export class NotRunningError extends Error {
  readonly name: 'NotRunningError';
  readonly code: 'BGFETCH_NOT_RUNNING';
}

export interface ImageResource {
  src: string;
  sizes?: string;
  type?: string;
}

/** A command bgfetch runs, or a loopback URL it POSTs to, for this fetch's events (api.md). */
export type HandlerSpec = { command: string[] } | { url: string };

export interface BackgroundFetchUIOptions {
  title?: string;
  icons?: ImageResource[];
}

export interface BackgroundFetchOptions extends BackgroundFetchUIOptions {
  /** The most bytes the fetch may download; 0 or absent: no limit. */
  downloadTotal?: number;
  // bgfetch's own options.
  /** An absolute folder the bodies are moved to on success (they then belong to the user). */
  destination?: string;
  handler?: HandlerSpec;
  priority?: 'high' | 'normal' | 'low';
  maxBytesPerSecond?: number;
  connections?: number;
  metered?: 'allow' | 'wait';
}

export type RequestInfoLike = string | URL | Request;

export interface CacheQueryOptions {
  ignoreSearch?: boolean;
  ignoreMethod?: boolean;
  /** Accepted for the web's sake; bgfetch has no Vary matching. */
  ignoreVary?: boolean;
}

export type BackgroundFetchResult = '' | 'success' | 'failure';
export type BackgroundFetchFailureReason =
  | ''
  | 'aborted'
  | 'bad-status'
  | 'fetch-error'
  | 'quota-exceeded'
  | 'download-total-exceeded';

export class BackgroundFetchManager {
  private constructor();
  fetch(
    id: string,
    requests: RequestInfoLike | Iterable<RequestInfoLike>,
    options?: BackgroundFetchOptions,
  ): Promise<BackgroundFetchRegistration>;
  /** The active fetch with that id, or undefined. */
  get(id: string): Promise<BackgroundFetchRegistration | undefined>;
  getIds(): Promise<string[]>;
}

export interface BackgroundFetchRegistrationEventMap {
  progress: Event;
}

export class BackgroundFetchRegistration extends EventTarget {
  private constructor();
  readonly id: string;
  readonly uploadTotal: number;
  readonly uploaded: number;
  readonly downloadTotal: number;
  readonly downloaded: number;
  readonly result: BackgroundFetchResult;
  readonly failureReason: BackgroundFetchFailureReason;
  readonly recordsAvailable: boolean;
  onprogress: ((this: BackgroundFetchRegistration, ev: Event) => any) | null;

  abort(): Promise<boolean>;
  match(request: RequestInfoLike, options?: CacheQueryOptions): Promise<BackgroundFetchRecord | undefined>;
  matchAll(request?: RequestInfoLike, options?: CacheQueryOptions): Promise<BackgroundFetchRecord[]>;

  // bgfetch's own fields (api.md's registration object).
  readonly uid: string;
  readonly app: string;
  readonly title: string;
  readonly icons: ImageResource[];
  readonly state: 'queued' | 'running' | 'paused' | 'waiting-network' | 'settled';
  readonly createdAt: string;
  readonly settledAt: string | null;
  /** The sum of the lengths the servers announced so far (0 when none is known). */
  readonly knownTotal: number;
  readonly destination: string | undefined;
  // Present once the daemon has "Transfer control" (api.md); undefined before.
  readonly priority: 'high' | 'normal' | 'low' | undefined;
  readonly maxBytesPerSecond: number | undefined;
  readonly connections: number | undefined;
  readonly metered: 'allow' | 'wait' | undefined;
  readonly speed: number | undefined;
  readonly waitReason: '' | 'network' | 'retry' | 'metered' | 'schedule' | undefined;
  readonly retryOf: string | undefined;
  /** Whether anyone listens for progress (the process then stays alive until the fetch settles). */
  readonly hasProgressListeners: boolean;

  // bgfetch's own controls.
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Gives up the records of a settled fetch (deletes bodies kept in the data dir). */
  release(): Promise<void>;
  /** Reads the registration again; works after it settled too. */
  refresh(): Promise<this>;
  /** The registration object as the API last sent it. */
  toJSON(): Record<string, unknown>;

  addEventListener<K extends keyof BackgroundFetchRegistrationEventMap>(
    type: K,
    listener: (this: BackgroundFetchRegistration, ev: BackgroundFetchRegistrationEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof BackgroundFetchRegistrationEventMap>(
    type: K,
    listener: (this: BackgroundFetchRegistration, ev: BackgroundFetchRegistrationEventMap[K]) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

export interface StoredResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  size: number;
  path: string;
}

export class BackgroundFetchRecord {
  private constructor();
  readonly request: Request;
  /** The stored response; its body streams from bgfetch. */
  readonly responseReady: Promise<Response>;
  // bgfetch's own: the record as it was when read.
  readonly index: number;
  readonly state: 'pending' | 'running' | 'success' | 'failed' | 'aborted';
  readonly downloaded: number;
  readonly total: number;
  readonly error: string;
  readonly response: StoredResponse | null;
  toJSON(): Record<string, unknown>;
}

export interface BackgroundFetchEventInit extends EventInit {
  registration: BackgroundFetchRegistration;
}

export class BackgroundFetchEvent extends Event {
  constructor(type: string, init: BackgroundFetchEventInit);
  readonly registration: BackgroundFetchRegistration;
  /** bgfetch's own: the event's id in bgfetch's outbox (stable across deliveries). */
  readonly eventId: string | undefined;
  /** The event is handled once every promise given here has settled. */
  waitUntil(promise: Promise<unknown>): void;
}

export class BackgroundFetchUpdateUIEvent extends BackgroundFetchEvent {
  /** Once per event, while it is being handled; bgfetch's UI then shows this title and icons. */
  updateUI(options?: BackgroundFetchUIOptions): Promise<void>;
}

export interface BackgroundFetchConnectionEventMap {
  backgroundfetchsuccess: BackgroundFetchUpdateUIEvent;
  backgroundfetchfail: BackgroundFetchUpdateUIEvent;
  backgroundfetchabort: BackgroundFetchEvent;
  backgroundfetchclick: BackgroundFetchEvent;
}

export interface BackgroundFetchConnectionStats {
  streamsOpened: number;
  streamMode: 'handle' | 'plain' | null;
  received: number;
  dispatched: number;
  duplicates: number;
  handled: number;
}

/**
 * What connect() answers: a page's service worker registration
 * (backgroundFetch) and the service worker's events in one object.
 */
export class BackgroundFetchConnection extends EventTarget {
  private constructor();
  readonly backgroundFetch: BackgroundFetchManager;
  readonly app: string;
  readonly baseURL: string | undefined;
  readonly dataDir: string;
  readonly stats: BackgroundFetchConnectionStats;
  onbackgroundfetchsuccess: ((this: BackgroundFetchConnection, ev: BackgroundFetchUpdateUIEvent) => any) | null;
  onbackgroundfetchfail: ((this: BackgroundFetchConnection, ev: BackgroundFetchUpdateUIEvent) => any) | null;
  onbackgroundfetchabort: ((this: BackgroundFetchConnection, ev: BackgroundFetchEvent) => any) | null;
  onbackgroundfetchclick: ((this: BackgroundFetchConnection, ev: BackgroundFetchEvent) => any) | null;

  /**
   * Stops listening (events wait in bgfetch for the next process);
   * fetches go on. Resolves once the events being handled were answered.
   */
  close(): Promise<void>;

  addEventListener<K extends keyof BackgroundFetchConnectionEventMap>(
    type: K,
    listener: (this: BackgroundFetchConnection, ev: BackgroundFetchConnectionEventMap[K]) => any,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof BackgroundFetchConnectionEventMap>(
    type: K,
    listener: (this: BackgroundFetchConnection, ev: BackgroundFetchConnectionEventMap[K]) => any,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
