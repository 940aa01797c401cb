// The listener's playback ring buffer (ui/static/player-worklet.js), run outside a browser:
// the AudioWorklet globals are stood in for, the processor's own code is what runs.
// `node --test ui/tests/` (scripts/test.sh runs it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const source = readFileSync(
  fileURLToPath(new URL("../static/player-worklet.js", import.meta.url)),
  "utf8",
);
const RATE = 48000;
const QUANTUM = 128; // samples per process() call, as WebAudio renders
const FRAME = 960; // one 20 ms frame at 48 kHz

/** Loads the worklet in a fresh context; returns a processor and what it posted. */
function load() {
  const posted = [];
  const context = {
    sampleRate: RATE,
    currentTime: 0,
    registered: null,
    AudioWorkletProcessor: class {
      constructor() {
        this.port = { postMessage: (m) => posted.push(m), onmessage: null };
      }
    },
    Float32Array,
    Math,
  };
  context.registerProcessor = (name, cls) => {
    context.registered = { name, cls };
  };
  vm.createContext(context);
  vm.runInContext(source, context);
  assert.equal(context.registered.name, "earshot-player");
  const player = new context.registered.cls();
  return { player, posted, context };
}

/** A frame whose samples count up from `start`, so order and gaps show. */
function ramp(start, length = FRAME) {
  return Float32Array.from({ length }, (_, i) => (start + i) / 1e6);
}

/** Runs one render quantum; returns the samples played. */
function render(player) {
  const left = new Float32Array(QUANTUM);
  const right = new Float32Array(QUANTUM);
  player.process([], [[left, right]]);
  assert.deepEqual(right, left, "both channels carry the mix");
  return left;
}

test("plays frames in order, across the ring's wrap-around, once 30 ms are buffered", () => {
  const { player } = load();
  player.port.onmessage({ data: ramp(0) }); // 20 ms: under the start threshold
  assert.ok(render(player).every((s) => s === 0), "silent until 30 ms are buffered");
  const played = [];
  let next = FRAME;
  // Keep ~40 ms buffered for 2 s of audio; the 60 ms ring wraps many times, and frames of
  // 1000 samples (not a divisor of the ring) straddle its end.
  for (let q = 0; q < (2 * RATE) / QUANTUM; q++) {
    if (player.size < 2 * FRAME - QUANTUM) {
      player.port.onmessage({ data: ramp(next, 1000) });
      next += 1000;
    }
    played.push(...render(player));
  }
  const values = played.filter((s) => s !== 0).map((s) => Math.round(s * 1e6));
  assert.ok(values.length > RATE, `played ${values.length} samples`);
  for (let i = 1; i < values.length; i++) {
    assert.equal(values[i], values[i - 1] + 1, `sample ${i} follows ${i - 1}`);
  }
  assert.equal(player.underruns, 0);
  assert.equal(player.overruns, 0);
});

test("never holds more than 60 ms: on overflow the oldest samples go and are counted", () => {
  const { player } = load();
  for (let f = 0; f < 5; f++) player.port.onmessage({ data: ramp(f * FRAME) }); // 100 ms
  const cap = (RATE * 60) / 1000;
  assert.equal(player.size, cap);
  assert.equal(player.droppedSamples, 5 * FRAME - cap);
  assert.ok(player.overruns >= 1);
  // What plays first is the newest 60 ms: it starts 40 ms into the 100 ms pushed.
  const first = Math.round(render(player)[0] * 1e6);
  assert.equal(first, 5 * FRAME - cap);
});

test("running dry counts one underrun and waits for 30 ms again", () => {
  const { player } = load();
  player.port.onmessage({ data: ramp(0, 1440) }); // 30 ms: starts
  const rendered = [];
  for (let q = 0; q < 12; q++) rendered.push(...render(player)); // 32 ms
  assert.equal(player.underruns, 1, "one underrun for one dry spell");
  assert.equal(player.playing, false);
  player.port.onmessage({ data: ramp(2000, FRAME) }); // 20 ms: not enough to restart
  assert.ok(render(player).every((s) => s === 0));
  assert.equal(player.underruns, 1, "waiting to restart is not another underrun");
});

test("reports its counters about once a second, and ignores what is not audio", () => {
  const { player, posted, context } = load();
  player.port.onmessage({ data: "not audio" });
  player.port.onmessage({ data: null });
  assert.equal(player.size, 0);
  context.currentTime = 1.0;
  render(player);
  context.currentTime = 1.5;
  render(player);
  context.currentTime = 2.01;
  render(player);
  assert.equal(posted.length, 2);
  assert.deepEqual(Object.keys(posted[0]).sort(), [
    "buffered_ms",
    "dropped",
    "overruns",
    "played",
    "underruns",
  ]);
});
