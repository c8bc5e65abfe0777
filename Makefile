# stap: a SystemTap-style tracer. One plain GNU Makefile.
#
#   make            build ./stap and ./staprun (runnable in place)
#   make deps       install what building and testing need (apt-get)
#   make demo       run the seed's backtrace script in a VM, end to end
#   make check      set up, build, and run the whole test suite
#   make install    PREFIX=/usr/local DESTDIR= (and make uninstall)
#   make doc        man pages of the tapsets, the architecture diagram
#   make tutorial   regenerate doc/tutorial.md from real VM runs
#   make deb        Debian packages stap and staprun
#   make clean

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CFLAGS ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
SANITIZE = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
LIBS = -ldw -lelf

SRCS = $(wildcard src/*.c)
STAP_SRCS = $(filter-out src/staprun.c src/stap-merge.c,$(SRCS))
OBJS = $(STAP_SRCS:src/%.c=build/rel/%.o)
CHECK_OBJS = $(STAP_SRCS:src/%.c=build/check/%.o)

all: stap staprun stap-merge

stap: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LIBS)

build/rel/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

# staprun is static: a target host needs nothing but the kernel.
staprun: src/staprun.c
	$(CC) -O2 -g $(WARN) -static -o $@ $<

# stap-merge merges the per-CPU files of bulk mode (stap -b); static so
# the test guest can run it too.
stap-merge: src/stap-merge.c
	$(CC) -O2 -g $(WARN) -static -o $@ $<

# The translator again, with sanitizers and warnings as errors.
build/check/stap: $(CHECK_OBJS)
	$(CC) $(SANITIZE) -o $@ $(CHECK_OBJS) $(LIBS)

build/check/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SANITIZE) $(WARN) -Werror -MMD -MP -c -o $@ $<

deps:
	@scripts/deps.sh

check: deps
	$(MAKE) all build/check/stap
	STAP=build/check/stap STAPRUN=./staprun testsuite/run.sh $(if $(KERNELS),-k "$(KERNELS)")

demo: deps
	$(MAKE) all
	./stap --vm -c '/bin/cat /proc/1/maps > /dev/null' examples/seed-backtrace.stp

# Benchmark against Debian's SystemTap 4.8 (doc/performance.md): prints one table
# per measure, writes testsuite/bench/results.json (or BENCH_OUT).  Not a test.
bench: deps
	$(MAKE) all
	@scripts/bench-deps.sh
	testsuite/bench/bench.py $(if $(BENCH_OUT),-o $(BENCH_OUT))

.PHONY: bench

# Installed layout: stap finds share/stap and libexec/stap relative to
# its own bin/, so PREFIX can be anything and DESTDIR is only a staging
# root (packaging, testsuite/shell/install.sh).
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/stap
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/stap \
		$(DESTDIR)$(PREFIX)/share/stap/runtime \
		$(DESTDIR)$(PREFIX)/share/stap/tapset \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(DOCDIR)/examples
	install -m 755 stap staprun stap-merge $(DESTDIR)$(PREFIX)/bin/
	install -m 755 src/stap-vm $(DESTDIR)$(PREFIX)/libexec/stap/
	install -m 644 runtime/*.h $(DESTDIR)$(PREFIX)/share/stap/runtime/
	install -m 644 tapset/*.stp $(DESTDIR)$(PREFIX)/share/stap/tapset/
	install -m 644 doc/stap.1 doc/stap-merge.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 doc/staprun.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 doc/error::*.7stap $(DESTDIR)$(MANDIR)/man7/
	install -m 644 doc/*.3stap build/man/*.3stap $(DESTDIR)$(MANDIR)/man3/
	install -m 644 contrib/stap.bash-completion $(DESTDIR)$(BASHCOMPDIR)/stap
	ln -sf stap $(DESTDIR)$(BASHCOMPDIR)/staprun
	install -m 644 README.md doc/*.md doc/architecture.svg $(DESTDIR)$(DOCDIR)/
	install -m 644 examples/*.stp $(DESTDIR)$(DOCDIR)/examples/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/stap $(DESTDIR)$(PREFIX)/bin/staprun \
		$(DESTDIR)$(PREFIX)/bin/stap-merge
	rm -rf $(DESTDIR)$(PREFIX)/libexec/stap $(DESTDIR)$(PREFIX)/share/stap \
		$(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/stap.1 $(DESTDIR)$(MANDIR)/man1/stap-merge.1 \
		$(DESTDIR)$(MANDIR)/man8/staprun.8 \
		$(DESTDIR)$(MANDIR)/man3/stapprobes.3stap \
		$(DESTDIR)$(MANDIR)/man7/error::*.7stap \
		$(DESTDIR)$(MANDIR)/man3/stapex.3stap \
		$(DESTDIR)$(MANDIR)/man3/tapset::*.3stap \
		$(DESTDIR)$(MANDIR)/man3/function::*.3stap \
		$(DESTDIR)$(MANDIR)/man3/probe::*.3stap \
		$(DESTDIR)$(BASHCOMPDIR)/stap $(DESTDIR)$(BASHCOMPDIR)/staprun

# Documentation (see the docs section of README.md).
#   make man        tapset pages (tapset::*, function::*, probe::*) into
#                   build/man from the doc comments in tapset/
#   make doc        man + doc/architecture.svg from doc/architecture.dot
#   make tutorial   rerun doc/tutorial.md's examples in the VM and
#                   rewrite it from doc/tutorial.md.in
#   make deb        Debian packages (stap, staprun) in ..
man: build/man/.stamp

build/man/.stamp: $(wildcard tapset/*.stp) scripts/gen-tapset-man
	@rm -rf build/man && mkdir -p build/man
	scripts/gen-tapset-man -o build/man tapset
	@touch $@

doc: man doc/architecture.svg

doc/architecture.svg: doc/architecture.dot
	@command -v dot >/dev/null || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q graphviz
	dot -Tsvg -o $@ $<

tutorial: all
	scripts/gen-tutorial doc/tutorial.md.in doc/tutorial.md

deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			dpkg-dev debhelper devscripts fakeroot
	scripts/build-deb build/deb

.PHONY: man doc tutorial deb
clean:
	rm -rf build stap staprun stap-merge

# Regenerate tapset/syscalls_gen.stp from the syscall tables and prototypes
# of the installed kernel headers (KERNELS="A B" to choose; oldest first).
syscalls:
	scripts/gen-syscalls -o tapset/syscalls_gen.stp $(or $(KERNELS),$$(ls /usr/src/linux-headers-*/arch/x86/include/generated/asm/syscalls_64.h | sed "s|/usr/src/linux-headers-\([^/]*\)/.*|\1|" | sort -V))

.PHONY: all deps check demo install uninstall clean syscalls

-include $(OBJS:.o=.d) $(CHECK_OBJS:.o=.d)

# Fuzz the front end with libFuzzer for FUZZ_SECONDS (seed corpus: every
# test script). A crash leaves crash-* files in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_SRCS = $(filter-out src/main.c src/staprun.c src/stap-merge.c,$(STAP_SRCS))
build/fuzz/fuzz_frontend: testsuite/fuzz/fuzz_frontend.c $(FUZZ_SRCS)
	@dpkg-query -W clang libclang-rt-14-dev >/dev/null 2>&1 || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-14-dev
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -iquote src -o $@ $^ $(LIBS)

fuzz: build/fuzz/fuzz_frontend
	@rm -rf build/fuzz/corpus && mkdir -p build/fuzz/corpus
	@cp testsuite/*/*.stp examples/*.stp build/fuzz/corpus/
	cd build/fuzz && ./fuzz_frontend -max_total_time=$(FUZZ_SECONDS) -max_len=4096 corpus

# The same for the regular expressions of =~ alone: compiler and matcher,
# checked against glibc's regexec (seeds: the unit test's table).
build/fuzz/fuzz_regex: testsuite/fuzz/fuzz_regex.c src/ere.c src/arena.c \
		runtime/stp_regex.h testsuite/unit/kshim.h
	@dpkg-query -W clang libclang-rt-14-dev >/dev/null 2>&1 || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-14-dev
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
		-Iruntime -Itestsuite/unit -o $@ $(filter %.c,$^)

fuzz-regex: build/fuzz/fuzz_regex
	@rm -rf build/fuzz/re-corpus && mkdir -p build/fuzz/re-corpus
	@sed -n 's/^\t{ "\(.*\)", "\(.*\)", "[01].*/\1\\n\2/p' \
		testsuite/unit/regex_test.c | \
		while IFS= read -r l; do n=$$((n + 1)); \
		printf '%b' "$$l" > build/fuzz/re-corpus/seed$$n; done
	cd build/fuzz && ./fuzz_regex -max_total_time=$(FUZZ_SECONDS) -max_len=600 re-corpus

.PHONY: fuzz fuzz-regex
