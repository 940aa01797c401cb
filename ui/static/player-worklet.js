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
    let dropped = false;
    for (let i = 0; i < samples.length; i++) {
      if (this.size === this.capacity) {
        // Drop the oldest sample to keep the delay bounded.
        this.read = (this.read + 1) % this.capacity;
        this.size--;
        this.droppedSamples++;
        dropped = true;
      }
      this.ring[(this.read + this.size) % this.capacity] = samples[i];
      this.size++;
    }
    if (dropped) this.overruns++;
  }

  process(_inputs, outputs) {
    const out = outputs[0];
    const channel = out[0];
    let short = false;
    if (!this.playing && this.size >= this.startAt) this.playing = true;
    for (let i = 0; i < channel.length; i++) {
      if (this.playing && this.size > 0) {
        channel[i] = this.ring[this.read];
        this.read = (this.read + 1) % this.capacity;
        this.size--;
        this.played++;
      } else {
        channel[i] = 0;
        short = true;
      }
    }
    for (let c = 1; c < out.length; c++) out[c].set(channel);
    if (short && this.playing) {
      // Ran dry while playing: count it, and wait for START_MS again.
      this.underruns++;
      this.playing = false;
    }
    if (currentTime - this.lastReport >= 0.5) {
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
