// Symbols the package's classes use to reach each other's internals; user
// code cannot name them, and constructors refuse callers without them.

export const INTERNAL = Symbol('bgfetch.internal');
export const apply = Symbol('bgfetch.apply');
export const lifetime = Symbol('bgfetch.lifetime');
export const streamVersion = Symbol('bgfetch.streamVersion');
