/** Size limits enforced where messages are received. One place, so both ends agree. */
export const limits = {
  /** Largest serialised socket.io event payload the server accepts, in bytes. */
  maxSocketPayloadBytes: 64 * 1024,
  /** Deepest nesting of arrays and objects a socket payload may have (the deepest real one is about 5). */
  maxSocketPayloadDepth: 32,
  /** Hard transport limit for socket.io; anything larger is dropped by the transport itself. */
  maxTransportBytes: 1024 * 1024,
  /** Largest JSON body a REST route accepts, in bytes. */
  maxJsonBodyBytes: 64 * 1024,
  name: 120,
  email: 254,
  passwordMin: 12,
  passwordMax: 256,
  hostname: 255,
  osUser: 256,
  shortText: 500,
  token: 128,
} as const;
