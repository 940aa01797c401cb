// The listener's playback end: a small ring buffer in the audio thread, fed 20 ms frames
// (Float32Array, 48 kHz mono) by the UI through port messages. WebKitGTK has no
// SharedArrayBuffer, hence messages. At most MAX_MS is buffered: on overflow the oldest
// samples are dropped, on underrun silence is played; both are counted and reported.

const MAX_MS = 60;
// Playback (re)starts once this much is buffered: frames cross the IPC in bursts, and
// starting on a single 20 ms frame underruns at the first late one.
const START_MS = 30;

class EarshotPlayer extends AudioWorkletProcessor {
  constructor() {
    super();
    this.capacity = Math.round((sampleRate * MAX_MS) / 1000);
    this.startAt = Math.round((sampleRate * START_MS) / 1000);
    this.playing = false;
    this.ring = new Float32Array(this.capacity);
    this.read = 0;
    this.size = 0;
    this.underruns = 0;
    this.overruns = 0;
    this.droppedSamples = 0;
    this.played = 0;
    this.lastReport = 0;
    this.port.onmessage = (event) => this.push(event.data);
  }

  push(samples) {
    if (!(samples instanceof Float32Array)) return;
    // Block copies, not a loop per sample: this runs 50 times a second on the audio thread.
    let input = samples;
    if (input.length > this.capacity) {
      this.droppedSamples += input.length - this.capacity;
      input = input.subarray(input.length - this.capacity);
      this.overruns++;
      this.read = 0;
      this.size = 0;
    }
    const excess = this.size + input.length - this.capacity;
    if (excess > 0) {
      // Drop the oldest samples to keep the delay bounded.
      this.read = (this.read + excess) % this.capacity;
      this.size -= excess;
      this.droppedSamples += excess;
      this.overruns++;
    }
    let write = (this.read + this.size) % this.capacity;
    const first = Math.min(input.length, this.capacity - write);
    this.ring.set(input.subarray(0, first), write);
    if (first < input.length) this.ring.set(input.subarray(first), 0);
    this.size += input.length;
  }

  process(_inputs, outputs) {
    const out = outputs[0];
    const channel = out[0];
    let short = false;
    if (!this.playing && this.size >= this.startAt) this.playing = true;
    let done = 0;
    if (this.playing) {
      const want = Math.min(channel.length, this.size);
      const first = Math.min(want, this.capacity - this.read);
      channel.set(this.ring.subarray(this.read, this.read + first), 0);
      if (first < want) channel.set(this.ring.subarray(0, want - first), first);
      this.read = (this.read + want) % this.capacity;
      this.size -= want;
      this.played += want;
      done = want;
    }
    if (done < channel.length) {
      channel.fill(0, done);
      short = true;
    }
    for (let c = 1; c < out.length; c++) out[c].set(channel);
    if (short && this.playing) {
      // Ran dry while playing: count it, and wait for START_MS again.
      this.underruns++;
      this.playing = false;
    }
    // Once a second: each report repaints the page's audio line.
    if (currentTime - this.lastReport >= 1) {
      this.lastReport = currentTime;
      this.port.postMessage({
        underruns: this.underruns,
        overruns: this.overruns,
        dropped: this.droppedSamples,
        played: this.played,
        buffered_ms: (this.size * 1000) / sampleRate,
      });
    }
    return true;
  }
}

registerProcessor("earshot-player", EarshotPlayer);
