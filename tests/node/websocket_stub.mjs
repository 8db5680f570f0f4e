// @medplum/core reads globalThis.WebSocket when it loads (for subscriptions, which these scripts never use).
// Node 22 has it; Node 20 only behind --experimental-websocket. A stub that refuses to connect is enough here.
if (typeof globalThis.WebSocket === 'undefined') {
  globalThis.WebSocket = class WebSocket {
    constructor() {
      throw new Error('WebSocket is not available in the NerveTrack test scripts');
    }
  };
}
