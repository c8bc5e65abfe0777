/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stp_format.h - the printf directives vsnprintf cannot do.
 *
 *   %b   the value as raw bytes (width 1, 2, 4 or 8; default 8), in
 *        the machine's byte order, as SystemTap writes binary output
 *   %m   PRECISION bytes of kernel memory at an address, raw
 *   %M   the same, each byte as two hex digits
 *
 * The translator splits a format at these and calls the functions below
 * between ordinary stp_printf() calls. Memory is read with
 * copy_from_kernel_nofault(): a bad address is a run-time error, never
 * a fault.
 */
#ifndef STP_FORMAT_H
#define STP_FORMAT_H

#include <linux/uaccess.h>
#include "stp_print.h"

/* %b */
static __maybe_unused void stp_print_binary(struct stp_context *c, int64_t v,
					    int width)
{
	u8 b1 = v;
	u16 b2 = v;
	u32 b4 = v;

	switch (width) {
	case 1:
		stp_print_bytes(c, &b1, 1);
		break;
	case 2:
		stp_print_bytes(c, &b2, 2);
		break;
	case 4:
		stp_print_bytes(c, &b4, 4);
		break;
	default:
		stp_print_bytes(c, &v, 8);
	}
}

/*
 * %m / %M into the print buffer (out == NULL) or appended to a
 * MAXSTRINGLEN string (sprintf). len is cut to what a string can hold.
 */
static __maybe_unused void stp_format_memory(struct stp_context *c, char *out,
					     int64_t addr, int64_t len,
					     bool hex, const char *loc)
{
	u8 chunk[64];
	int64_t done = 0;

	if (len < 0)
		len = 0;
	if (len > MAXSTRINGLEN)
		len = MAXSTRINGLEN;
	while (done < len) {
		size_t k = min_t(size_t, sizeof(chunk), len - done);
		size_t i;

		if (copy_from_kernel_nofault(chunk, (void *)(long)(addr + done),
					     k)) {
			stp_error(c, loc, "kernel read fault at 0x%llx",
				  (unsigned long long)(addr + done));
			return;
		}
		for (i = 0; i < k; i++) {
			char two[3];
			size_t used = out ? strlen(out) : 0;

			if (hex)
				snprintf(two, sizeof(two), "%02x", chunk[i]);
			if (out && hex && used + 2 < MAXSTRINGLEN)
				memcpy(out + used, two, 3);
			else if (out && !hex && used + 1 < MAXSTRINGLEN &&
				 chunk[i])
				out[used] = chunk[i], out[used + 1] = '\0';
			else if (!out && hex)
				stp_print_bytes(c, two, 2);
			else if (!out)
				stp_print_bytes(c, &chunk[i], 1);
		}
		done += k;
	}
}

#endif /* STP_FORMAT_H */
