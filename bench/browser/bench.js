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
  // Rooms join one after another, as a user opening them would; a join that fails (the
  // machine is loaded by the publishers too) is retried with a pause, not fatal at once.
  const rooms = [];
  const failures = [];
  for (const token of tokens) {
    let lastError = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const room = new Room({ adaptiveStream: false, dynacast: false });
      room.on(RoomEvent.TrackSubscribed, (track) => {
        if (track.kind === "audio") document.body.appendChild(track.attach());
      });
      try {
        await room.connect(url, token, { autoSubscribe: true, peerConnectionTimeout: 30000 });
        rooms.push(room);
        lastError = null;
        break;
      } catch (e) {
        lastError = String(e);
        await room.disconnect();
        await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
      }
    }
    if (lastError) failures.push(lastError);
  }
  if (rooms.length === 0) throw new Error(failures[0] || "no room joined");
  window.__result = { connected: rooms.length, failures };
}

(params.get("mode") === "play" ? play() : join()).catch((e) => {
  window.__result = { error: String(e) };
});
