// The page's clock synced to the server's: NTP-style, from the ping/pong round trips the
// connection (``Live.sync`` in connection.js) makes.

/** The page's own clock in epoch ms: monotonic (never jumps when the system clock does). */
const localNow = () => performance.timeOrigin + performance.now();

const SAMPLES_KEPT = 15; // the last three rounds
const BEST_SAMPLES = 3; // offsets averaged: those with the lowest round trips

/** NTP-style offset between the server's clock and ours, from ping/pong round trips. */
export class Clock {
  constructor() {
    this.samples = [];
    this.offset = null; // server − client, ms
    this.rtt = null;
  }

  /** The server's time now, in epoch ms. */
  now() {
    return localNow() + (this.offset ?? 0);
  }

  /** Before any round trip: take a pushed ``server_time`` as a first rough offset. */
  rough(serverTime) {
    if (this.offset === null) this.offset = serverTime - localNow();
  }

  stamp() {
    return localNow();
  }

  /** One pong: the server read its clock about half a round trip before we got it. */
  sample(t0, serverTime) {
    const t1 = localNow();
    const rtt = t1 - t0;
    if (!(rtt >= 0) || rtt > 30_000) return;
    this.samples.push({ rtt, offset: serverTime + rtt / 2 - t1 });
    this.samples = this.samples.slice(-SAMPLES_KEPT);
    const best = [...this.samples].sort((a, b) => a.rtt - b.rtt).slice(0, BEST_SAMPLES);
    this.offset = best.reduce((sum, s) => sum + s.offset, 0) / best.length;
    this.rtt = best[0].rtt;
  }
}
