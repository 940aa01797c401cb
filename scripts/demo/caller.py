"""A simulated caller for the demo room: speaks its side of a scripted support call.

Each caller synthesises its lines with espeak-ng (resampled to 48 kHz by sox) and publishes
them as a microphone track with the official LiveKit Python SDK. All callers share one
timeline, derived from --epoch, so they take turns like people on a call; between turns a
caller sends nothing (Opus DTX), as a real muted-by-silence microphone would. The call
repeats until stdin closes.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import wave

from livekit import api, rtc

RATE = 48000
FRAME = 960  # 20 ms
PAUSE = 0.8  # seconds between turns

SCRIPT = [
    ("agent", "Thank you for calling Northwind support, this is Alice. How can I help?"),
    ("customer", "Hi Alice. My order arrived yesterday, but the headset inside is the wrong model."),
    ("agent", "I am sorry about that. Could you read me the order number on the packing slip?"),
    ("customer", "Sure. It is four seven two, nine nine one, eight."),
    ("agent", "Thanks. I see it: you ordered the wireless model and we sent the wired one."),
    ("customer", "Exactly. Can you send the right one before Friday?"),
    ("agent", "Yes. I will ship it today by express, and a return label comes by email."),
    ("customer", "Perfect, thank you so much."),
    ("agent", "You are welcome. Is there anything else I can do for you?"),
    ("customer", "No, that was all. Have a nice day."),
]
VOICES = {"agent": "en-us+f3", "customer": "en-gb+m3"}


def synthesise(text: str, voice: str, folder: str, index: int) -> bytes:
    """16-bit mono PCM at 48 kHz for one line."""
    raw = os.path.join(folder, f"{index}.wav")
    out = os.path.join(folder, f"{index}-48k.wav")
    with open(raw, "wb") as f:
        subprocess.run(["espeak-ng", "-v", voice, "-s", "155", "--stdout", text], stdout=f, check=True)
    subprocess.run(["sox", raw, "-r", str(RATE), "-c", "1", "-b", "16", out], check=True)
    with wave.open(out, "rb") as w:
        return w.readframes(w.getnframes())


async def speak(source: rtc.AudioSource, pcm: bytes) -> None:
    step = FRAME * 2
    for start in range(0, len(pcm), step):
        chunk = pcm[start : start + step].ljust(step, b"\0")
        frame = rtc.AudioFrame(chunk, RATE, 1, FRAME)
        await source.capture_frame(frame)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--room", required=True)
    ap.add_argument("--identity", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--role", choices=sorted(VOICES), required=True)
    ap.add_argument("--epoch", type=float, required=True, help="shared start time (Unix s)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        lines = [
            (role, synthesise(text, VOICES[role], folder, i)) for i, (role, text) in enumerate(SCRIPT)
        ]
    # The timeline: when each line starts, relative to the start of one pass of the call.
    starts, t = [], 0.0
    for _, pcm in lines:
        starts.append(t)
        t += len(pcm) / 2 / RATE + PAUSE
    period = t + 3.0

    token = (
        api.AccessToken(os.environ["LIVEKIT_API_KEY"], os.environ["LIVEKIT_API_SECRET"])
        .with_identity(args.identity)
        .with_name(args.name)
        .with_attributes({"demo.role": args.role})
        .with_grants(api.VideoGrants(room_join=True, room=args.room))
        .to_jwt()
    )
    room = rtc.Room()
    await room.connect(os.environ["LIVEKIT_URL"], token)
    source = rtc.AudioSource(RATE, 1)
    track = rtc.LocalAudioTrack.create_audio_track("microphone", source)
    await room.local_participant.publish_track(
        track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE, dtx=True)
    )
    print(f"{args.identity} is on the call in {args.room}", flush=True)

    async def converse() -> None:
        while True:
            now = time.time() - args.epoch
            offset = now % period
            upcoming = [
                (start, pcm)
                for (role, pcm), start in zip(lines, starts)
                if role == args.role and start >= offset
            ]
            if not upcoming:
                await asyncio.sleep(period - offset + 0.01)
                continue
            start, pcm = upcoming[0]
            await asyncio.sleep(start - offset)
            await speak(source, pcm)

    talking = asyncio.create_task(converse())
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the launcher goes away
    talking.cancel()
    await room.disconnect()
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
