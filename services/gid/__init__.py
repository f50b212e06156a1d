"""gid-service: audio tours. A catalog of tours (stops on a route, each with a trigger
zone and narration), speech synthesis by workers on a Redis stream (espeak-ng encoded
with ffmpeg, stored in S3 by content hash), a live tour over WebSocket and offline
bundles."""
