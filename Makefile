# stap: a SystemTap-style tracer. One plain GNU Makefile.
#
#   make            build ./stap and ./staprun (runnable in place)
#   make deps       install what building and testing need (apt-get)
#   make demo       run the seed's backtrace script in a VM, end to end
#   make check      set up, build, and run the whole test suite
#   make install    PREFIX=/usr/local DESTDIR=
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

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/stap \
		$(DESTDIR)$(PREFIX)/share/stap/runtime \
		$(DESTDIR)$(PREFIX)/share/stap/tapset
	install -m 755 stap staprun stap-merge $(DESTDIR)$(PREFIX)/bin/
	install -m 755 src/stap-vm $(DESTDIR)$(PREFIX)/libexec/stap/
	install -m 644 runtime/*.h $(DESTDIR)$(PREFIX)/share/stap/runtime/
	install -m 644 tapset/*.stp $(DESTDIR)$(PREFIX)/share/stap/tapset/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/stap $(DESTDIR)$(PREFIX)/bin/staprun \
		$(DESTDIR)$(PREFIX)/bin/stap-merge
	rm -rf $(DESTDIR)$(PREFIX)/libexec/stap $(DESTDIR)$(PREFIX)/share/stap

clean:
	rm -rf build stap staprun stap-merge

.PHONY: all deps check demo install uninstall clean

-include $(OBJS:.o=.d) $(CHECK_OBJS:.o=.d)

# Fuzz the front end with libFuzzer for FUZZ_SECONDS (seed corpus: every
# test script). A crash leaves crash-* files in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_SRCS = $(filter-out src/main.c src/staprun.c src/stap-merge.c,$(STAP_SRCS))
build/fuzz/fuzz_frontend: testsuite/fuzz/fuzz_frontend.c $(FUZZ_SRCS)
	@dpkg-query -W clang libclang-rt-14-dev >/dev/null 2>&1 || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-14-dev
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -o $@ $^ $(LIBS)

fuzz: build/fuzz/fuzz_frontend
	@rm -rf build/fuzz/corpus && mkdir -p build/fuzz/corpus
	@cp testsuite/*/*.stp examples/*.stp build/fuzz/corpus/
	cd build/fuzz && ./fuzz_frontend -max_total_time=$(FUZZ_SECONDS) -max_len=4096 corpus

.PHONY: fuzz
