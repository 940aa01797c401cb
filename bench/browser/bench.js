// The official browser SDK doing what Earshot's listener does, for the benchmark:
//   mode=join  join one room with a hidden subscribe-only token and report, in ms, the time
//              from connect() to the first non-silent audio in a WebAudio graph;
//   mode=play  join every room given (one token each) and play all remote audio.
// Parameters come in the query string; the result lands in window.__result.
const { Room, RoomEvent } = LivekitClient;
const params = new URLSearchParams(location.search);
const url = params.get("url");
const tokens = JSON.parse(params.get("tokens"));
window.__result = null;

function firstAudio(track, t0) {
  // Chrome feeds a remote WebRTC track to WebAudio only while a media element plays it.
  const el = track.attach();
  el.muted = true;
  document.body.appendChild(el);
  const ctx = new AudioContext();
  ctx.resume();
  const src = ctx.createMediaStreamSource(new MediaStream([track.mediaStreamTrack]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  src.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  return new Promise((resolve) => {
    const poll = () => {
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      if (Math.sqrt(sum / buf.length) > 0.01) resolve(performance.now() - t0);
      else setTimeout(poll, 2);
    };
    poll();
  });
}

async function join() {
  const room = new Room({ adaptiveStream: false, dynacast: false });
  let started = false;
  const t0 = performance.now();
  room.on(RoomEvent.TrackSubscribed, (track) => {
    if (track.kind !== "audio" || started) return;
    started = true;
    firstAudio(track, t0).then((ms) => {
      window.__result = { ms };
      room.disconnect();
    });
  });
  await room.connect(url, tokens[0], { autoSubscribe: true });
}

async function play() {
  const rooms = [];
  for (const token of tokens) {
    const room = new Room({ adaptiveStream: false, dynacast: false });
    room.on(RoomEvent.TrackSubscribed, (track) => {
      if (track.kind === "audio") document.body.appendChild(track.attach());
    });
    await room.connect(url, token, { autoSubscribe: true });
    rooms.push(room);
  }
  window.__result = { connected: rooms.length };
}

(params.get("mode") === "play" ? play() : join()).catch((e) => {
  window.__result = { error: String(e) };
});
