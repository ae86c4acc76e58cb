"""media_pipeline: probe an upload, plan an HLS ladder, transcode it in one ffmpeg run,
publish the result to local or S3 storage. No Flask, no lms: it knows files, not lessons.
"""

from media_pipeline.errors import MediaPipelineError, ProbeError, StorageError, TranscodeError
from media_pipeline.ladder import AudioRung, LadderPolicy, Plan, RungSpec, VideoRung, plan_ladder
from media_pipeline.probe import AudioStream, MediaInfo, ProbeLimits, VideoStream, probe
from media_pipeline.storage import LocalStorage, S3Storage, Storage, UploadedPart
from media_pipeline.transcode import RungOutput, TranscodeResult, build_command, transcode

__all__ = [
    "AudioRung",
    "AudioStream",
    "LadderPolicy",
    "LocalStorage",
    "MediaInfo",
    "MediaPipelineError",
    "Plan",
    "ProbeError",
    "ProbeLimits",
    "RungOutput",
    "RungSpec",
    "S3Storage",
    "Storage",
    "StorageError",
    "TranscodeError",
    "TranscodeResult",
    "UploadedPart",
    "VideoRung",
    "VideoStream",
    "build_command",
    "plan_ladder",
    "probe",
    "transcode",
]
