// SPDX-License-Identifier: MIT
// lathe-virtual-board: runs a command with emulated Lathe boards visible to libusb.
//
// umockdev gives the command (through LD_PRELOAD) a private /sys and /dev with the
// boards' udev records and device nodes, and forwards the ioctls made on those nodes to
// this process, where UsbfsBoard answers them from the Verilated lathe_top. libusb runs
// unchanged; only the kernel is emulated.
#include <glib-unix.h>
#include <signal.h>
#include <sys/wait.h>
#include <umockdev.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lathe/audio_file.hpp"
#include "usbfs_board.hpp"

namespace {

using lathe::virtual_board::Faults;
using lathe::virtual_board::Identity;
using lathe::virtual_board::UsbfsBoard;

constexpr const char* kUsage =
    "usage: lathe-virtual-board [options] -- COMMAND [ARGS...]\n"
    "Runs COMMAND with emulated Lathe boards (FT232H 0403:6014 in front of the Verilated\n"
    "lathe_top) visible to libusb. Exits with COMMAND's status.\n"
    "  --serial S               a board with serial S (repeatable; default one board, LATHE-VB1)\n"
    "  --attach-after MS        the boards are plugged in MS ms after COMMAND starts\n"
    "  --attach-on-signal       the boards are plugged in when this process gets SIGUSR2\n"
    "  --unplug-after BYTES     the cable is pulled after BYTES bytes from the host\n"
    "  --unplug-at MS           the cable is pulled MS ms after COMMAND starts\n"
    "  --hang-after BYTES       the board stops answering after BYTES bytes from the host\n"
    "  --stall-after BYTES      the IN endpoint stalls after BYTES bytes to the host\n"
    "  --protocol-version V     the board reports protocol version V\n"
    "  --term-after BYTES       COMMAND gets SIGTERM after BYTES bytes from the host\n"
    "  --fifo-stalls RATE       random RXF#/TXE# stalls on the FIFO pins (0..0.5)\n"
    "  --seed N                 seed for the random FIFO stalls\n"
    "  --codec-in FILE          a codec on the (first) board's I2S pins, the clock master at FILE's\n"
    "                           rate: silent until the board is in live mode, then it plays FILE\n"
    "  --codec-out FILE         what the codec's DAC received from FILE's first frame on, written\n"
    "                           (24-bit WAV) when COMMAND ends\n"
    "  --codec-loop             FILE again and again (else silence after it)\n"
    "  --stop-after-codec       COMMAND gets SIGINT once FILE has played and its output come out\n"
    "  --sim-core model|rtl     the boards' lathe_core: the bit-exact model behind the RTL's registers\n"
    "                           and timing (about 10x faster), or the Verilated RTL; default model\n"
    "                           with --codec-in (live mode wants speed), else rtl\n"
    "  --stats                  print the boards' byte and URB counts to stderr at the end\n"
    "  -v, --verbose            log USB requests and claims of the interface to stderr\n"
    "SIGUSR1 pulls every board's cable at once (COMMAND may send it to its parent).\n";

struct Options {
  std::vector<std::string> serials;
  std::optional<unsigned> attach_after_ms;
  std::optional<unsigned> unplug_at_ms;
  bool attach_on_signal = false;
  Faults faults;
  std::string codec_in, codec_out;
  bool codec_loop = false, stop_after_codec = false;
  std::string sim_core;  // empty: the default above
  bool stats = false;
  bool verbose = false;
  std::vector<std::string> command;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "lathe-virtual-board: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

template <class T>
T parse_number(const std::string& option, const std::string& text) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    usage_error(option + " needs a number, not '" + text + "'");
  return value;
}

Options parse(int argc, char** argv) {
  Options o;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--serial") o.serials.push_back(value());
    else if (a == "--attach-after") o.attach_after_ms = parse_number<unsigned>(a, value());
    else if (a == "--attach-on-signal") o.attach_on_signal = true;
    else if (a == "--unplug-at") o.unplug_at_ms = parse_number<unsigned>(a, value());
    else if (a == "--unplug-after") o.faults.unplug_after_out_bytes = parse_number<uint64_t>(a, value());
    else if (a == "--hang-after") o.faults.hang_after_out_bytes = parse_number<uint64_t>(a, value());
    else if (a == "--stall-after") o.faults.stall_after_in_bytes = parse_number<uint64_t>(a, value());
    else if (a == "--protocol-version") o.faults.protocol_version = parse_number<uint16_t>(a, value());
    else if (a == "--term-after") o.faults.term_after_out_bytes = parse_number<uint64_t>(a, value());
    else if (a == "--fifo-stalls") {
      const std::string v = value();
      char* end = nullptr;
      o.faults.fifo_stall_rate = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end || o.faults.fifo_stall_rate < 0 || o.faults.fifo_stall_rate > 0.5)
        usage_error("--fifo-stalls needs a rate from 0 to 0.5, not '" + v + "'");
    } else if (a == "--seed") o.faults.seed = parse_number<uint32_t>(a, value());
    else if (a == "--codec-in") o.codec_in = value();
    else if (a == "--codec-out") o.codec_out = value();
    else if (a == "--codec-loop") o.codec_loop = true;
    else if (a == "--stop-after-codec") o.stop_after_codec = true;
    else if (a == "--sim-core") {
      o.sim_core = value();
      if (o.sim_core != "model" && o.sim_core != "rtl") usage_error("--sim-core: model or rtl, not '" + o.sim_core + "'");
    }
    else if (a == "--stats") o.stats = true;
    else if (a == "-v" || a == "--verbose") o.verbose = true;
    else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else usage_error("unknown option " + a);
  }
  for (; i < argc; ++i) o.command.emplace_back(argv[i]);
  if (o.command.empty()) usage_error("no COMMAND given (put it after --)");
  if (o.codec_in.empty() && (!o.codec_out.empty() || o.codec_loop || o.stop_after_codec))
    usage_error("--codec-out, --codec-loop and --stop-after-codec need --codec-in");
  if (o.codec_loop && o.stop_after_codec) usage_error("--codec-loop and --stop-after-codec exclude each other");
  if (o.serials.empty()) o.serials.emplace_back("LATHE-VB1");
  for (const auto& s : o.serials)
    if (s.empty() || s.size() > 32 || s.find_first_of(" \n\\") != std::string::npos)
      usage_error("serial '" + s + "' must be 1-32 characters without spaces");
  return o;
}

// The testbed and its boards. Testbed calls happen on the main thread (the GLib main
// loop); the boards' threads ask for an unplug through the main context.
struct VirtualBoards {
  UMockdevTestbed* testbed = nullptr;
  UMockdevIoctlBase* handler = nullptr;
  std::vector<std::unique_ptr<UsbfsBoard>> boards;
  bool verbose = false;
  bool plugged = false;

  UsbfsBoard* board_for(const char* devnode) {
    for (auto& b : boards)
      if (b->identity().devnode() == devnode) return b.get();
    return nullptr;
  }

  // Adding a device to the testbed announces it to udev listeners (libusb's monitor).
  void plug_in() {
    if (plugged) return;
    plugged = true;
    for (auto& b : boards) {
      GError* error = nullptr;
      // The ioctl socket first, so that the node can be opened as soon as udev says it exists.
      if (!umockdev_testbed_attach_ioctl(testbed, b->identity().devnode().c_str(), handler, &error) ||
          !umockdev_testbed_add_from_string(testbed, b->identity().udev_record().c_str(), &error)) {
        std::fprintf(stderr, "lathe-virtual-board: cannot add board %s: %s\n", b->identity().serial.c_str(),
                     error ? error->message : "unknown error");
        std::exit(1);
      }
      if (verbose) std::fprintf(stderr, "virtual board %s plugged in at %s\n", b->identity().serial.c_str(),
                                b->identity().devnode().c_str());
    }
  }
};

struct UnplugRequest {
  VirtualBoards* boards;
  Identity identity;
};

gboolean unplug_on_main(gpointer data) {
  std::unique_ptr<UnplugRequest> request(static_cast<UnplugRequest*>(data));
  const std::string syspath = request->identity.syspath();
  // Removing a device from the testbed is silent; the kernel would announce it.
  umockdev_testbed_uevent(request->boards->testbed, syspath.c_str(), "remove");
  umockdev_testbed_remove_device(request->boards->testbed, syspath.c_str());
  if (request->boards->verbose)
    std::fprintf(stderr, "virtual board %s unplugged\n", request->identity.serial.c_str());
  return G_SOURCE_REMOVE;
}

gboolean handle_ioctl(UMockdevIoctlBase*, UMockdevIoctlClient* client, gpointer data) {
  auto* boards = static_cast<VirtualBoards*>(data);
  UsbfsBoard* board = boards->board_for(umockdev_ioctl_client_get_devnode(client));
  if (!board) return FALSE;
  return board->handle_ioctl(client) ? TRUE : FALSE;
}

struct Child {
  pid_t pid = -1;
  int status = 0;
  GMainLoop* loop = nullptr;
};

void child_exited(GPid, gint status, gpointer data) {
  auto* child = static_cast<Child*>(data);
  child->status = status;
  g_main_loop_quit(child->loop);
}

gboolean forward_signal(gpointer data) {
  // Ctrl-C goes to the command, which decides how to stop; we wait for it.
  auto* child = static_cast<Child*>(data);
  if (child->pid > 0) kill(child->pid, SIGINT);
  return G_SOURCE_CONTINUE;
}

gboolean forward_term(gpointer data) {
  auto* child = static_cast<Child*>(data);
  if (child->pid > 0) kill(child->pid, SIGTERM);
  return G_SOURCE_CONTINUE;
}

gboolean unplug_now(gpointer data) {
  for (auto& b : static_cast<VirtualBoards*>(data)->boards) b->unplug();
  return G_SOURCE_REMOVE;
}

gboolean unplug_now_repeating(gpointer data) {
  unplug_now(data);
  return G_SOURCE_CONTINUE;
}

gboolean attach_now_repeating(gpointer data) {
  static_cast<VirtualBoards*>(data)->plug_in();
  return G_SOURCE_CONTINUE;
}

gboolean attach_now(gpointer data) {
  static_cast<VirtualBoards*>(data)->plug_in();
  return G_SOURCE_REMOVE;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);

  // umockdev's preload library redirects /sys and /dev into the testbed. The command
  // needs it to see the boards; this process needs it too, because the uevents that
  // announce a plugged or pulled board are sent after a look at the device's sysfs
  // directory. So run under it, re-executing once if it is not loaded yet.
  const char* preload = std::getenv("LD_PRELOAD");
  if (!preload || !std::strstr(preload, "libumockdev-preload")) {
    const std::string value = std::string(preload && *preload ? preload : "") + (preload && *preload ? ":" : "") +
                              "libumockdev-preload.so.0";
    setenv("LD_PRELOAD", value.c_str(), 1);
    execv("/proc/self/exe", argv);
    std::fprintf(stderr, "lathe-virtual-board: cannot re-run itself under umockdev: %s\n", std::strerror(errno));
    return 1;
  }

  // The codec's programme, read before anything starts: a file that cannot be read, or an
  // output that cannot be written, is one line and no run.
  std::optional<lathe::virtual_board::CodecPlan> plan;
  if (!options.codec_in.empty()) {
    if (!options.codec_out.empty())
      if (auto e = lathe::check_output_path(options.codec_out)) {
        std::fprintf(stderr, "lathe-virtual-board: --codec-out: %s\n", e.message().c_str());
        return 2;
      }
    auto in = lathe::read_audio(options.codec_in);
    if (!in) {
      std::fprintf(stderr, "lathe-virtual-board: --codec-in: %s\n", in.error().message().c_str());
      return 2;
    }
    plan.emplace();
    plan->programme = std::move(in->samples);
    plan->sample_rate_hz = static_cast<uint32_t>(in->sample_rate);
    plan->loop = options.codec_loop;
  }

  const std::string core_name = !options.sim_core.empty() ? options.sim_core : plan ? "model" : "rtl";
  const auto core = core_name == "model" ? lathe::sim::SimCore::kModel : lathe::sim::SimCore::kRtl;
  VirtualBoards vb;
  vb.verbose = options.verbose;
  vb.testbed = umockdev_testbed_new();  // sets UMOCKDEV_DIR for the command
  if (!umockdev_in_mock_environment()) {
    std::fprintf(stderr, "lathe-virtual-board: umockdev's libumockdev-preload.so.0 did not load (is the Debian "
                         "package umockdev installed?)\n");
    return 1;
  }
  vb.handler = umockdev_ioctl_base_new();
  g_signal_connect(vb.handler, "handle-ioctl", G_CALLBACK(handle_ioctl), &vb);
  GMainContext* main_context = g_main_context_default();
  std::atomic<pid_t> command_pid{-1};  // for the board threads' --term-after
  for (std::size_t i = 0; i < options.serials.size(); ++i) {
    Identity id;
    id.serial = options.serials[i];
    id.busnum = 1;
    id.devnum = static_cast<int>(i) + 2;  // 1 would be the root hub
    vb.boards.push_back(std::make_unique<UsbfsBoard>(
        id, options.faults, options.verbose,
        [&vb, id, main_context] { g_main_context_invoke(main_context, unplug_on_main, new UnplugRequest{&vb, id}); },
        [&command_pid] {
          if (const pid_t pid = command_pid.load(); pid > 0) kill(pid, SIGTERM);
        },
        i == 0 ? plan : std::nullopt,
        [&command_pid, &options] {
          if (!options.stop_after_codec) return;
          if (const pid_t pid = command_pid.load(); pid > 0) kill(pid, SIGINT);
        },
        core));
  }
  if (!options.attach_after_ms && !options.attach_on_signal) vb.plug_in();

  // Signals let a test plug and pull at the moment it is ready for, not at a guessed time;
  // installed before COMMAND starts, so that none can arrive unhandled.
  g_unix_signal_add(SIGUSR2, attach_now_repeating, &vb);
  g_unix_signal_add(SIGUSR1, unplug_now_repeating, &vb);
  Child child;
  child.loop = g_main_loop_new(main_context, FALSE);
  child.pid = fork();
  if (child.pid < 0) {
    std::perror("lathe-virtual-board: fork");
    return 1;
  }
  if (child.pid == 0) {
    std::vector<char*> args;
    for (const auto& a : options.command) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "lathe-virtual-board: cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  command_pid.store(child.pid);
  g_child_watch_add(child.pid, child_exited, &child);
  g_unix_signal_add(SIGINT, forward_signal, &child);
  g_unix_signal_add(SIGTERM, forward_term, &child);
  if (options.attach_after_ms) g_timeout_add(*options.attach_after_ms, attach_now, &vb);
  if (options.unplug_at_ms) g_timeout_add(*options.unplug_at_ms, unplug_now, &vb);
  g_main_loop_run(child.loop);

  if (options.stats)
    for (const auto& b : vb.boards) {
      const auto c = b->counters();
      std::fprintf(stderr, "virtual board %s: %llu bytes from the host, %llu to it, %llu URBs, %llu status-only packets\n",
                   b->identity().serial.c_str(), static_cast<unsigned long long>(c.out_bytes),
                   static_cast<unsigned long long>(c.in_bytes), static_cast<unsigned long long>(c.urbs),
                   static_cast<unsigned long long>(c.status_only_packets));
    }
  int codec_status = 0;
  if (plan) {
    const std::vector<int32_t> recorded = vb.boards.front()->stop_and_record();
    if (recorded.empty())
      std::fprintf(stderr, "lathe-virtual-board: the codec's programme never played (the board was not put in live "
                           "mode with the codec as clock master)\n");
    if (!options.codec_out.empty()) {
      if (auto e = lathe::write_audio(options.codec_out, {static_cast<int>(plan->sample_rate_hz), 2, 24}, recorded)) {
        std::fprintf(stderr, "lathe-virtual-board: --codec-out: %s\n", e.message().c_str());
        codec_status = 1;
      } else if (options.verbose) {
        std::fprintf(stderr, "virtual board: wrote %s (%zu frames)\n", options.codec_out.c_str(), recorded.size() / 2);
      }
    }
  }
  vb.boards.clear();
  g_object_unref(vb.handler);
  g_object_unref(vb.testbed);  // removes the testbed directory
  g_main_loop_unref(child.loop);
  if (WIFEXITED(child.status)) return WEXITSTATUS(child.status) ? WEXITSTATUS(child.status) : codec_status;
  if (WIFSIGNALED(child.status)) return 128 + WTERMSIG(child.status);
  return 1;
}
