# The two commands of the README: `make demo` and `make test`. Both install
# missing Debian packages first (scripts/deps.sh), then configure and build
# with CMake. Everything else here is a step of those two.

CC_HOST  ?= clang-14
BUILD    ?= build
ASAN     ?= build-asan
JOBS     ?= $(shell nproc)
CMAKE_FLAGS = -DCMAKE_C_COMPILER=$(CC_HOST)

.PHONY: all deps build build-asan test test-unit test-asan demo bench bench-launch \
	bench-daemon \
	format format-check clean

all: build

deps:
	@sh scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

$(ASAN)/CMakeCache.txt: | deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug \
		-DCLOUDABID_SANITIZE=ON $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps $(ASAN)/CMakeCache.txt
	cmake --build $(ASAN) -j $(JOBS)

# Every test, in the normal build and then in the sanitizer build.
test: test-unit test-asan

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN) && ctest --output-on-failure -j $(JOBS)

demo: build
	@sh scripts/demo.sh $(BUILD)

# System call costs under cloudabi-run against native (docs/benchmarks.md).
bench: build
	$(BUILD)/bench/bench_syscalls -u $(BUILD)/runtime/cloudabi-run \
		$(BUILD)/guests/syscalls_guest
	$(BUILD)/bench/bench_syscalls $(BUILD)/runtime/cloudabi-run \
		$(BUILD)/guests/syscalls_guest

# Launch time with and without the sandbox against a static binary's
# fork+exec+wait (docs/benchmarks.md). "Without" is Landlock and seccomp
# made to look missing (a test-only variable) and --insecure.
LAUNCH_SIM = CLOUDABI_SANDBOX_SIMULATE_MISSING=landlock,seccomp
LAUNCH_OFF = $(if $(wildcard runtime/sandbox.c),-o --insecure -e $(LAUNCH_SIM))
bench-launch: build
	$(BUILD)/bench/bench_launch -n 300 $(LAUNCH_OFF) \
		$(BUILD)/runtime/cloudabi-run $(BUILD)/guests/launch_guest \
		$(BUILD)/bench/launch_static

# cloudabid: start and crash-to-restart latency against a static binary's
# fork+exec+wait, Get latency and throughput, 1,000 services at once
# (docs/benchmarks.md). A real daemon on a private socket and state
# directory in /tmp; BENCH_DAEMON_OPTS=-d/dev/shm puts it on tmpfs.
bench-daemon: build
	$(BUILD)/bench/bench_daemon $(BENCH_DAEMON_OPTS) \
		$(BUILD)/daemon/cloudabid $(BUILD)/runtime/cloudabi-run \
		$(BUILD)/guests/daemon_guest $(BUILD)/bench/launch_static

format:
	git ls-files '*.c' '*.h' | xargs clang-format-14 -i

format-check:
	git ls-files '*.c' '*.h' | xargs clang-format-14 --dry-run --Werror

clean:
	rm -rf $(BUILD) $(ASAN)
