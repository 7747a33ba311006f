#!/usr/bin/python3
"""Serves a pre-encoded MP4 (H.264) over RTSP at real time, one pipeline per
client, so a benchmark measures recorders and not a camera's encoder.

usage: rtsp-file-server.py PORT FILE   ->  rtsp://127.0.0.1:PORT/file
Prints READY once listening.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

port, path = sys.argv[1], sys.argv[2]
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f'( filesrc location="{path}" ! qtdemux ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 )'
)
factory.set_shared(False)
server.get_mount_points().add_factory("/file", factory)
if server.attach(None) == 0:
    sys.exit(f"cannot listen on port {port}")
print("READY", flush=True)
GLib.MainLoop().run()
