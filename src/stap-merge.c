// SPDX-License-Identifier: GPL-2.0
/*
 * stap-merge.c - merge the per-CPU output files of bulk mode.
 *
 * In bulk mode (stap -b) staprun writes what each CPU printed to its own
 * file (FILE_0, FILE_1, ... or stpd_cpu0, ...), as the records the
 * runtime wrote: a header { u32 len; u16 chan; u16 pad; u64 seq; }, len
 * bytes, zero padding to a multiple of 8 (doc/runtime-abi.md). seq comes
 * from one global counter, so merging the files by seq gives the order
 * in which the probes printed. Output goes to stdout or -o FILE; -v puts
 * "[cpuN seq=S len=L]" before each record.
 *
 * Exit status: 0, 1 when a file cannot be read or holds a bad record
 * (the records before it are still merged), 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 1024
#define MAX_REC (1 << 20)

/* Header of one record; must match struct stp_rec in runtime/. */
struct rec {
	uint32_t len;		/* payload bytes */
	uint16_t chan;		/* 1 stdout (bulk files hold only these) */
	uint16_t pad;
	uint64_t seq;		/* global write order */
};

/* One input file and its next record. */
struct input {
	const char *name;	/* file name, for messages */
	FILE *f;		/* open file, NULL once done */
	struct rec hdr;		/* header of the next record */
	char *data;		/* its payload (with padding) */
};

static int status;

/* Read the next record of in; close it at the end or on a bad record. */
static void next_record(struct input *in)
{
	size_t size;

	if (fread(&in->hdr, sizeof(in->hdr), 1, in->f) != 1)
		goto done;
	if (in->hdr.len > MAX_REC || in->hdr.pad ||
	    (in->hdr.chan != 1 && in->hdr.chan != 2)) {
		fprintf(stderr, "stap-merge: %s: bad record header\n",
			in->name);
		status = 1;
		goto done;
	}
	size = (in->hdr.len + 7) & ~(size_t)7;
	if (fread(in->data, 1, size, in->f) != size) {
		fprintf(stderr, "stap-merge: %s: last record is cut\n",
			in->name);
		status = 1;
		goto done;
	}
	return;
done:
	fclose(in->f);
	in->f = NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: stap-merge [-v] [-o FILE] FILE_0 FILE_1 ...\n");
}

int main(int argc, char **argv)
{
	static struct input in[MAX_FILES];
	FILE *out = stdout;
	bool verb = false;
	int opt, n, i;

	while ((opt = getopt(argc, argv, "vo:h")) != -1) {
		switch (opt) {
		case 'v':
			verb = true;
			break;
		case 'o':
			out = fopen(optarg, "w");
			if (!out) {
				fprintf(stderr, "stap-merge: cannot open %s: "
					"%s\n", optarg, strerror(errno));
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	n = argc - optind;
	if (n < 1 || n > MAX_FILES) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < n; i++) {
		in[i].name = argv[optind + i];
		in[i].f = fopen(in[i].name, "rb");
		in[i].data = malloc(MAX_REC + 8);
		if (!in[i].data) {
			fprintf(stderr, "stap-merge: out of memory\n");
			return 1;
		}
		if (!in[i].f) {
			fprintf(stderr, "stap-merge: cannot open %s: %s\n",
				in[i].name, strerror(errno));
			status = 1;
			continue;
		}
		next_record(&in[i]);
	}
	for (;;) {
		int best = -1;

		for (i = 0; i < n; i++)
			if (in[i].f && (best < 0 ||
					in[i].hdr.seq < in[best].hdr.seq))
				best = i;
		if (best < 0)
			break;
		if (verb)
			fprintf(out, "[cpu%d seq=%llu len=%u]\n", best,
				(unsigned long long)in[best].hdr.seq,
				in[best].hdr.len);
		fwrite(in[best].data, 1, in[best].hdr.len, out);
		next_record(&in[best]);
	}
	if (fflush(out) || (out != stdout && fclose(out))) {
		fprintf(stderr, "stap-merge: write error: %s\n",
			strerror(errno));
		return 1;
	}
	return status;
}
