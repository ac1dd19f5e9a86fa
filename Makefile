# fairaudit — build, test, bench, install.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/fairaudit
PKG_CONFIG ?= pkg-config
BUILD ?= build
CFLAGS ?= -g -O2
PKGS := sqlite3 jansson gsl libsodium zlib yaml-0.1 cairo pangocairo fontconfig \
  xlsxwriter libzip libqpdf
# the commit built, for the pack's manifest ("-dirty" with local changes)
COMMIT := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)$(shell \
  git diff --quiet HEAD 2>/dev/null || echo -dirty)
WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wwrite-strings -Wvla -Werror
ALL_CFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iaudit -Imetrics \
  -DFA_DATADIR='"$(DATADIR)"' $(CPPFLAGS) -std=c11 -pthread $(WARN) \
  $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CFLAGS)
LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lcsv -lm -pthread
CORE := $(wildcard metrics/*.c) $(filter-out audit/main.c,$(wildcard audit/*.c))
# the bundled report templates, as C strings
TEMPLATES := $(sort $(wildcard report-templates/*.yaml))
GEN := $(BUILD)/gen/templates_gen.c
TOBJ := $(patsubst %.c,$(BUILD)/tobj/%.o,$(CORE) $(wildcard tests/*.c)) \
  $(BUILD)/tobj/gen/templates_gen.o
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all

.PHONY: all deps test check unit e2e sanitize asan valgrind demo bench \
        install uninstall format clean

all: $(BUILD)/bin/fairaudit

deps:
	@sh tools/deps.sh

# the manifest names the commit built
$(BUILD)/obj/audit/pack.o $(BUILD)/tobj/audit/pack.o: \
  CPPFLAGS += -DFA_COMMIT='"$(COMMIT)"'

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tobj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) -DFA_TESTING -DFA_FIXTURES='"$(CURDIR)/fixtures"' \
	  $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags check) -MMD -MP -c $< -o $@

$(GEN): $(TEMPLATES) tools/embed.sh
	@mkdir -p $(@D)
	sh tools/embed.sh $(TEMPLATES) >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/templates_gen.o: $(GEN)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tobj/gen/templates_gen.o: $(GEN)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libfa.a: $(CORE:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/templates_gen.o
	$(AR) rcs $@ $^

$(BUILD)/bin/fairaudit: $(BUILD)/obj/audit/main.o $(BUILD)/libfa.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bin/check_fa: $(TOBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) \
	  $(shell $(PKG_CONFIG) --libs check)

# The README's test command: installs what is missing, then every suite.
test: deps
	@$(MAKE) --no-print-directory check

check: unit e2e

unit: $(BUILD)/bin/check_fa
	$(BUILD)/bin/check_fa

e2e: $(BUILD)/bin/fairaudit
	sh tests/e2e.sh $(BUILD)/bin/fairaudit

sanitize asan: deps
	$(MAKE) --no-print-directory BUILD=build/sanitize \
	  LDFLAGS='$(SAN)' CFLAGS='-g -O1 -fno-omit-frame-pointer $(SAN)' check

valgrind: $(BUILD)/bin/check_fa
	CK_FORK=no valgrind -q --leak-check=full --error-exitcode=1 \
	  --suppressions=tests/valgrind.supp \
	  $(BUILD)/bin/check_fa

demo: deps
	@$(MAKE) --no-print-directory all
	sh tools/demo.sh $(BUILD)/bin/fairaudit

bench: deps
	@$(MAKE) --no-print-directory all
	sh bench/bench.sh $(BUILD)/bin/fairaudit

install: $(BUILD)/bin/fairaudit
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/bin/fairaudit $(DESTDIR)$(BINDIR)/fairaudit
	install -m 644 docs/fairaudit.1 $(DESTDIR)$(MANDIR)/man1/fairaudit.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fairaudit $(DESTDIR)$(MANDIR)/man1/fairaudit.1

format:
	clang-format -i audit/*.[ch] metrics/*.[ch] tests/*.c

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
