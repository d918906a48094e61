package io.synod.net;

import io.synod.net.proto.Frame;

/** A frame as decoded from the wire, with its size (length prefix excluded) for metrics. */
record InboundFrame(Frame frame, int bytes) {}
