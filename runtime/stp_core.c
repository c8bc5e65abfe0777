// SPDX-License-Identifier: GPL-2.0
/*
 * stp_core.c - the runtime core as a translation unit of its own.
 *
 * Pass 4's fast path (src/build.c) compiles this once per kernel release
 * and set of -D options, with -DSTP_RT_SPLIT, and links the object into
 * every module it builds; the generated C, compiled with -DSTP_RT_SPLIT
 * too, then only declares the core's functions (see STP_API in
 * stp_compat.h). The session, the transport and the probe machinery are
 * compiled once, not once per script.
 */
#define STP_RT_CORE 1
#include "stp_runtime.h"
