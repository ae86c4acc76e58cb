"""The fast path: when a source's video may be copied as a rung, and its audio as the
audio rung, instead of being encoded again (what PeerTube calls "quick transcode").

Phones and screen recorders mostly deliver H.264 + AAC in MP4, often at a ladder size.
Copying that stream saves the most expensive encode of the ladder; the smaller rungs are
still encoded from the decoded picture in the same ffmpeg run. The copied stream must be
one every player takes as it is, so the rules are strict:

- H.264 Main or High profile, 8-bit 4:2:0, not HDR;
- no display rotation: hls.js hands fMP4 to the browser's Media Source Extensions, and
  WebKit's HLS player (Safari, every browser on iOS) ignores the ``tkhd`` rotation
  matrix of HLS segments although it honours it in a plain MP4 file, so a rotated phone
  video would play on its side (hls.js issue #6016, immich issue #30010); rotated
  sources are always encoded upright;
- a frame rate no higher than the ladder's cap;
- a picture exactly the size of its rung: the rung the ladder would make at the source's
  own size, filling that rung's box on one side, square pixels (the copied rung
  replaces that rung; ladders never upscale, so it is the top rung);
- a bit rate no more than ``copy_bitrate_factor`` × that rung's nominal maxrate;
- keyframes at most ``copy_max_keyframe_seconds`` apart, read from packet flags
  (segments of a copied rung can only end on the source's keyframes).

Audio is copied when it is AAC-LC stereo at 44.1 or 48 kHz and no more than
``audio_copy_max_bitrate``; anything else is encoded as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from media_pipeline.probe import AudioStream, VideoStream

if TYPE_CHECKING:
    from media_pipeline.ladder import LadderPolicy, VideoRung

COPYABLE_PROFILES = frozenset({"Main", "High"})
COPYABLE_PIXEL_FORMATS = frozenset({"yuv420p", "yuvj420p"})
COPYABLE_CONTAINERS = frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"})


def video_copy_refusal(
    container: str,
    video: VideoStream,
    rung: VideoRung,
    box: tuple[int, int] | None,
    nominal_maxrate: int,
    policy: LadderPolicy,
) -> str | None:
    """Why ``video`` may not be copied as ``rung``, or None when it may.

    ``box`` is the rung's (width, height) box in the source's orientation (None for a
    rung below the lowest box, at the source's own size). The reason is a short
    "<rule>: <value>" that the plan keeps, so a teacher can be told why.
    """
    if not policy.copy_video:
        return "forced: full re-encode asked for"
    if container not in COPYABLE_CONTAINERS:
        return f"container: {container}"
    if video.codec != "h264":
        return f"codec: {video.codec}"
    if video.profile not in COPYABLE_PROFILES:
        return f"profile: {video.profile}"
    if video.bit_depth != 8 or video.pix_fmt not in COPYABLE_PIXEL_FORMATS:
        return f"pixel format: {video.pix_fmt}"
    if video.is_hdr:
        return f"hdr: {video.color_transfer}"
    if video.rotation:
        return f"rotation: {video.rotation}"
    if not video.frame_rate or video.frame_rate > policy.max_frame_rate * 1.001:
        return f"frame rate: {video.frame_rate}"
    size = (video.width, video.height)
    if (
        box is None
        or abs(video.sample_aspect_ratio - 1.0) > 1e-3
        or size != (rung.width, rung.height)
        or (video.width != box[0] and video.height != box[1])
    ):
        return f"size: {video.width}x{video.height} is not a rung's size"
    bit_rate = video.packet_bit_rate or video.bit_rate
    if not bit_rate:
        return "bit rate: unknown"
    if bit_rate > policy.copy_bitrate_factor * nominal_maxrate:
        return f"bit rate: {bit_rate} over {policy.copy_bitrate_factor} x {nominal_maxrate}"
    gap = video.max_keyframe_gap
    if gap is None or gap > policy.copy_max_keyframe_seconds:
        return f"keyframe interval: {gap} s"
    return None


def audio_copyable(audio: AudioStream, policy: LadderPolicy) -> bool:
    return (
        policy.copy_audio
        and audio.codec == "aac"
        and audio.profile == "LC"
        and audio.channels == 2
        and audio.sample_rate in (44_100, 48_000)
        and audio.bit_rate is not None
        and audio.bit_rate <= policy.audio_copy_max_bitrate
    )
