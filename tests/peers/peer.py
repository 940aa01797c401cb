"""A LiveKit participant for Earshot's tests, using the official Python SDK.

Joins a room, optionally publishes a sine tone, and prints one JSON object per line for
everything it observes (participants joining/leaving, the participant list, tracks, data).
It leaves when its stdin is closed or after --seconds.

With --commands it reads one JSON command per stdin line and answers each with a `done`
event (or `failed`): set attributes (an agent's `lk.agent.state`), send text streams the way
livekit-agents sends transcripts (`stream_text`, with `sender_identity` for the caller's
speech), or `send_text` with the SDK's defaults (which compress).
"""

import argparse
from array import array
import asyncio
import json
import time
import math
import os
import sys

from livekit import api, rtc

SAMPLE_RATE = 48000
FRAME = 480  # 10 ms


def emit(event: str, **fields) -> None:
    # `t` (Unix seconds) lets tests measure how long others took to see this happen.
    print(json.dumps({"event": event, "t": time.time(), **fields}), flush=True)


TRANSCRIPTION = "lk.transcription"


async def run_command(room: rtc.Room, cmd: dict) -> None:
    local = room.local_participant
    op = cmd["op"]
    if op == "attributes":
        await local.set_attributes(cmd["attributes"])
    elif op == "stream":
        # As livekit-agents does: a header with the segment's attributes, the text in chunks,
        # a trailer that may mark the segment final.
        writer = await local.stream_text(
            topic=cmd.get("topic", TRANSCRIPTION),
            sender_identity=cmd.get("sender"),
            attributes=cmd.get("attributes") or None,
        )
        for chunk in cmd.get("chunks", []):
            await writer.write(chunk)
            if cmd.get("pause_ms"):
                await asyncio.sleep(cmd["pause_ms"] / 1000)
        await writer.aclose(attributes=cmd.get("trailer") or None)
    elif op == "send_text":
        # The SDK's defaults (compress=True), as any app sending text would.
        await local.send_text(
            cmd["text"],
            topic=cmd.get("topic", TRANSCRIPTION),
            attributes=cmd.get("attributes") or None,
        )
    else:
        raise ValueError(f"unknown op {op}")


async def read_commands(room: rtc.Room, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        cmd = json.loads(line)
        try:
            await run_command(room, cmd)
            emit("done", id=cmd.get("id"))
        except Exception as e:  # reported to the test, which fails on it
            emit("failed", id=cmd.get("id"), error=str(e))


def source_name(source: int) -> str:
    return rtc.TrackSource.Name(source).removeprefix("SOURCE_").lower()


def participants(room: rtc.Room) -> list:
    return sorted(p.identity for p in room.remote_participants.values())


def tone_table(hz: float) -> array:
    """Samples of `hz` over the shortest span (up to 10 s) holding whole cycles, so playing it
    in a loop has no seam; a 1 s span otherwise (integer tones always fit in one)."""
    span = SAMPLE_RATE
    for seconds in range(1, 11):
        if abs(hz * seconds - round(hz * seconds)) < 1e-9:
            span = SAMPLE_RATE * seconds
            break
    return array(
        "h", (int(12000 * math.sin(2 * math.pi * hz * i / SAMPLE_RATE)) for i in range(span))
    )


async def publish_tone(
    room: rtc.Room, hz: float, stop: asyncio.Event, talk_ms: float | None = None
) -> None:
    """Publishes the tone; with `talk_ms`, in spurts like speech turns: `talk_ms` of tone,
    then as long of silence, and again."""
    source = rtc.AudioSource(SAMPLE_RATE, 1)
    track = rtc.LocalAudioTrack.create_audio_track(f"tone-{hz:g}", source)
    opts = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
    pub = await room.local_participant.publish_track(track, opts)
    emit("published", track_sid=pub.sid, hz=hz)
    # Whole cycles computed once, then copied: a math.sin call per sample took 1.6 % of a
    # core per peer (15.6 ms of CPU per second of tone), and the benchmarks run 20 peers.
    table = tone_table(hz)
    silence = array("h", bytes(2 * FRAME))
    phase = 0
    while not stop.is_set():
        frame = rtc.AudioFrame.create(SAMPLE_RATE, 1, FRAME)
        talking = talk_ms is None or (phase * 1000 / SAMPLE_RATE) % (2 * talk_ms) < talk_ms
        start = phase % len(table)
        chunk = table[start : start + FRAME]
        if len(chunk) < FRAME:
            chunk += table[: FRAME - len(chunk)]
        frame.data[:] = chunk if talking else silence
        phase += FRAME
        await source.capture_frame(frame)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--room", required=True)
    ap.add_argument("--identity", required=True)
    ap.add_argument("--name", default="")
    ap.add_argument("--tone", type=float)
    ap.add_argument("--talk-ms", type=float, help="send the tone in spurts of this length")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--attribute", action="append", default=[])
    ap.add_argument("--token", help="join with this token instead of minting one")
    ap.add_argument("--commands", action="store_true", help="read JSON commands from stdin")
    ap.add_argument(
        "--agent", action="store_true", help="join as an agent, as livekit-agents workers do: kind agent plus the agent grant"
    )
    args = ap.parse_args()

    attributes = dict(a.split("=", 1) for a in args.attribute)
    token = args.token or (
        api.AccessToken(os.environ["LIVEKIT_API_KEY"], os.environ["LIVEKIT_API_SECRET"])
        .with_identity(args.identity)
        .with_name(args.name or args.identity)
        .with_attributes(attributes)
        # The server takes the participant kind from this claim; the agent grant alone
        # leaves it "standard" (livekit-server 1.13).
        .with_kind("agent" if args.agent else "standard")
        # livekit-agents workers may update their own attributes (`lk.agent.state`); without
        # the grant the server ignores the change.
        .with_grants(
            api.VideoGrants(
                room_join=True,
                room=args.room,
                agent=args.agent or None,
                can_update_own_metadata=True if args.agent else None,
            )
        )
        .to_jwt()
    )
    room = rtc.Room()
    stop = asyncio.Event()

    @room.on("participant_connected")
    def _joined(p: rtc.RemoteParticipant) -> None:
        emit("participant_connected", identity=p.identity, participants=participants(room))

    @room.on("participant_disconnected")
    def _left(p: rtc.RemoteParticipant) -> None:
        emit("participant_disconnected", identity=p.identity, participants=participants(room))

    @room.on("track_published")
    def _published(pub: rtc.RemoteTrackPublication, p: rtc.RemoteParticipant) -> None:
        emit("track_published", identity=p.identity, track_sid=pub.sid)

    @room.on("room_metadata_changed")
    def _meta(old: str, new: str) -> None:
        emit("room_metadata_changed", metadata=new)

    @room.on("track_muted")
    def _muted(p: rtc.Participant, pub: rtc.TrackPublication) -> None:
        emit("track_muted", identity=p.identity, track_sid=pub.sid)

    @room.on("track_unmuted")
    def _unmuted(p: rtc.Participant, pub: rtc.TrackPublication) -> None:
        emit("track_unmuted", identity=p.identity, track_sid=pub.sid)

    @room.on("participant_permissions_changed")
    def _permissions(p: rtc.Participant, permissions) -> None:
        emit(
            "participant_permissions_changed",
            identity=p.identity,
            can_publish=permissions.can_publish,
            can_subscribe=permissions.can_subscribe,
            can_publish_data=permissions.can_publish_data,
            can_update_metadata=permissions.can_update_metadata,
            # "microphone", "camera", ...; empty means every source.
            can_publish_sources=sorted(source_name(s) for s in permissions.can_publish_sources),
        )

    @room.on("participant_metadata_changed")
    def _pmeta(p: rtc.Participant, old: str, new: str) -> None:
        emit("participant_metadata_changed", identity=p.identity, metadata=new)

    @room.on("participant_name_changed")
    def _pname(p: rtc.Participant, old: str, new: str) -> None:
        emit("participant_name_changed", identity=p.identity, name=new)

    @room.on("participant_attributes_changed")
    def _pattrs(changed: dict, p: rtc.Participant) -> None:
        emit("participant_attributes_changed", identity=p.identity, attributes=dict(p.attributes))

    @room.on("data_received")
    def _data(packet: rtc.DataPacket) -> None:
        emit(
            "data_received",
            topic=packet.topic or "",
            payload=packet.data.decode("utf-8", errors="replace"),
            sender=packet.participant.identity if packet.participant else None,
            reliable=packet.kind == rtc.DataPacketKind.KIND_RELIABLE,
        )

    @room.on("moved")
    def _moved() -> None:
        emit("moved", room=room.name)

    @room.on("disconnected")
    def _disconnected(reason) -> None:
        emit("disconnected", reason=str(reason))
        stop.set()

    await room.connect(os.environ["LIVEKIT_URL"], token)
    local = room.local_participant
    perm = local.permissions
    emit(
        "connected",
        room=room.name,
        identity=local.identity,
        name=local.name,
        participants=participants(room),
        metadata=local.metadata,
        attributes=dict(local.attributes),
        can_publish=perm.can_publish,
        can_subscribe=perm.can_subscribe,
        can_publish_data=perm.can_publish_data,
        hidden=perm.hidden,
    )

    tasks = []
    if args.tone:
        tasks.append(asyncio.create_task(publish_tone(room, args.tone, stop, args.talk_ms)))

    loop = asyncio.get_running_loop()
    if args.commands:
        stdin_closed = asyncio.ensure_future(read_commands(room, stop))
    else:
        stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    try:
        await asyncio.wait(
            [asyncio.ensure_future(stdin_closed), asyncio.ensure_future(stop.wait())],
            timeout=args.seconds,
            return_when=asyncio.FIRST_COMPLETED,
        )
    finally:
        stop.set()
        emit("leaving", participants=participants(room))
        for t in tasks:
            t.cancel()
        await room.disconnect()
    os._exit(0)  # the executor thread blocked on stdin would otherwise delay exit


if __name__ == "__main__":
    asyncio.run(main())
