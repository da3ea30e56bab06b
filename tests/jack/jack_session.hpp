// SPDX-License-Identifier: MIT
// What the JACK tests share: a dummy jackd of their own (a unique server name, killed at
// the end whatever happens), `lathe live --jack` as a child process, and a player and a
// recorder client around it (two clients, so that the graph player -> lathe -> recorder
// has no cycle and all three run in the same period).
#pragma once
#include <jack/jack.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_scratch.hpp"
#include "lathe/audio_file.hpp"
#include "lathe/test_signals.hpp"

namespace lathe::test {

inline void jack_silent(const char*) {}

// Waits for `ready` to hold, polling; false if `alive` stops holding first. Only for the
// one thing that announces nothing: a dummy jackd says no line once it takes clients, so
// JackServer tries to connect. The bound is a hang guard (ctest's TIMEOUT is the real one).
template <class Ready, class Alive>
bool poll_until(Ready ready, Alive alive, std::chrono::seconds guard = std::chrono::seconds(300)) {
  const auto end = std::chrono::steady_clock::now() + guard;
  while (!ready()) {
    if (!alive() || std::chrono::steady_clock::now() > end) return ready();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// fork + exec with stdout and stderr into `log`, an environment variable set, and the
// child told to end when the test process does (no stray jackd after a failed run).
// With out_fd >= 0, stdout and stderr go there instead (a pipe the parent reads).
inline pid_t spawn(const std::vector<std::string>& argv, const std::string& log, const std::string& env = "",
                   int parent_death_signal = SIGKILL, int out_fd = -1) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, parent_death_signal);
  if (!env.empty()) ::putenv(const_cast<char*>(env.c_str()));
  std::FILE* f = out_fd >= 0 ? nullptr : std::fopen(log.c_str(), "w");
  const int fd = out_fd >= 0 ? out_fd : (f ? fileno(f) : -1);
  if (fd >= 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

inline bool running(pid_t pid) {
  int status;
  return pid > 0 && ::waitpid(pid, &status, WNOHANG) == 0;
}

// A dummy jackd named after this process; gone when the object is.
class JackServer {
 public:
  // realtime: SCHED_FIFO for the server's and clients' process threads where the
  // system allows it (root, or rtprio in limits.conf); jackd goes on without it if not.
  JackServer(const CliScratch& dir, int period, bool realtime = false, int rate = 48000) {
    static int count = 0;
    name_ = "lathe-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count);
    log_ = dir.path("jackd-" + name_ + ".log");
    // -t: a client's activation waits up to 10x this for the graph to take it
    // (JackEngine::ClientActivate), 5 s at jackd's default of 500 ms: a machine loaded
    // by a parallel test run and the Verilated board missed that once ("cannot activate
    // the client"). A longer timeout only makes the server more patient with its clients.
    pid_ = spawn({"jackd", "-n", name_, realtime ? "--realtime" : "--no-realtime", "-t", "4000", "-d", "dummy", "-r",
                  std::to_string(rate), "-p", std::to_string(period)},
                 log_);
    jack_set_error_function(jack_silent);
    jack_set_info_function(jack_silent);
    up_ = poll_until(
        [&] {
          jack_status_t st;
          jack_client_t* c = jack_client_open("probe", static_cast<jack_options_t>(JackNoStartServer | JackServerName),
                                              &st, name_.c_str());
          if (!c) return false;
          jack_client_close(c);
          return true;
        },
        [&] { return running(pid_); });
  }
  ~JackServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status;
      ::waitpid(pid_, &status, 0);
    }
  }
  JackServer(const JackServer&) = delete;
  JackServer& operator=(const JackServer&) = delete;

  bool up() const { return up_; }
  const std::string& name() const { return name_; }
  // What jackd said (for a test's failure message).
  std::string log_text() const {
    std::ifstream f(log_);
    std::ostringstream text;
    text << f.rdbuf();
    return text.str();
  }
  std::string env() const { return "JACK_DEFAULT_SERVER=" + name_; }

 private:
  std::string name_, log_;
  pid_t pid_ = -1;
  bool up_ = false;
};

// A program run under the test's server (lathe live, or the virtual board around it).
// Its stdout and stderr come through a pipe: a reader thread appends them to the log and
// wakes whoever waits for a line, so a wait ends on what the program says (or on the pipe
// closing when it ends), never on a guessed time.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log, const std::string& env) : log_(log) {
    int out[2] = {-1, -1};
    if (::pipe(out) != 0 || ::pipe(stop_) != 0) return;
    pid_ = spawn(argv, log, env, SIGTERM, out[1]);
    ::close(out[1]);
    reader_ = std::thread([this, fd = out[0]] { read_output(fd); });
  }
  ~Child() {
    if (running(pid_)) {
      ::kill(pid_, SIGKILL);
      int status;
      ::waitpid(pid_, &status, 0);
    }
    if (reader_.joinable()) {
      // A grandchild may still hold the pipe: the stop pipe ends the reader regardless.
      const char byte = 0;
      [[maybe_unused]] const auto n = ::write(stop_[1], &byte, 1);
      reader_.join();
    }
    for (int fd : stop_)
      if (fd >= 0) ::close(fd);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  std::string output() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }
  // Waits for a line the program prints; false if its output ended first.
  bool wait_for(const std::string& text) {
    std::unique_lock<std::mutex> lock(mutex_);
    said_.wait(lock, [&] { return text_.find(text) != std::string::npos || ended_; });
    return text_.find(text) != std::string::npos;
  }
  // Waits until the program's output has ended (every writer closed the pipe) and returns
  // it whole: after wait() the last lines may still be in the pipe, not yet read.
  std::string output_to_end() {
    std::unique_lock<std::mutex> lock(mutex_);
    said_.wait(lock, [&] { return ended_; });
    return text_;
  }
  // SIGTERM, then its exit status (-1: killed by a signal).
  int stop(int sig = SIGTERM) {
    ::kill(pid_, sig);
    return wait();
  }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  void read_output(int fd) {
    std::FILE* log = std::fopen(log_.c_str(), "w");
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    char buf[4096];
    for (;;) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[1].revents) break;
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // every writer closed: the program (and what it started) ended
      if (log) {
        std::fwrite(buf, 1, static_cast<std::size_t>(n), log);
        std::fflush(log);
      }
      std::lock_guard<std::mutex> lock(mutex_);
      text_.append(buf, static_cast<std::size_t>(n));
      said_.notify_all();
    }
    if (log) std::fclose(log);
    ::close(fd);
    std::lock_guard<std::mutex> lock(mutex_);
    ended_ = true;
    said_.notify_all();
  }

  std::string log_;
  pid_t pid_ = -1;
  int stop_[2] = {-1, -1};
  mutable std::mutex mutex_;
  std::condition_variable said_;
  std::string text_;
  bool ended_ = false;
  std::thread reader_;
};

// player (out_L, out_R) -> CLIENT:in_L/in_R, CLIENT:out_L/out_R -> recorder (in_L, in_R).
// The player starts the programme at the first period after start(); the recorder keeps
// every frame from that period on, so the recorded shift is the round trip through CLIENT.
class PlayRecord {
 public:
  PlayRecord(const std::string& server, const std::vector<int32_t>& programme, std::size_t record_frames)
      : record_frames_(record_frames) {
    const std::size_t n = programme.size() / 2;
    for (int ch = 0; ch < 2; ++ch) {
      play_[ch].resize(n);
      for (std::size_t i = 0; i < n; ++i) play_[ch][i] = static_cast<float>(programme[2 * i + ch] / 8388608.0);
      rec_[ch].assign(record_frames, std::numeric_limits<float>::quiet_NaN());  // NaN: never recorded
    }
    const auto opts = static_cast<jack_options_t>(JackNoStartServer | JackServerName);
    jack_status_t st;
    player_ = jack_client_open("player", opts, &st, server.c_str());
    recorder_ = jack_client_open("recorder", opts, &st, server.c_str());
    if (!player_ || !recorder_) return;
    const char* names[2][2] = {{"out_L", "out_R"}, {"in_L", "in_R"}};
    for (int ch = 0; ch < 2; ++ch) {
      out_[ch] = jack_port_register(player_, names[0][ch], JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
      in_[ch] = jack_port_register(recorder_, names[1][ch], JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    }
    jack_set_process_callback(player_, play_cb, this);
    jack_set_process_callback(recorder_, record_cb, this);
    jack_set_xrun_callback(player_, xrun_cb, this);
    jack_set_latency_callback(recorder_, latency_cb, this);
    ok_ = jack_activate(player_) == 0 && jack_activate(recorder_) == 0;
  }
  ~PlayRecord() {
    for (jack_client_t* c : {player_, recorder_})
      if (c) {
        jack_deactivate(c);
        jack_client_close(c);
      }
  }
  PlayRecord(const PlayRecord&) = delete;
  PlayRecord& operator=(const PlayRecord&) = delete;

  bool ok() const { return ok_; }

  // Called in the player's process callback each period from the one start() armed,
  // with the frames played before that period: it runs before the clients downstream
  // in the same period (a test in the same process reads or pokes them there).
  std::function<void(std::size_t played)> on_period;
  // What the recorder recorded, as the floats it got (NaN: never recorded).
  const std::vector<float>& raw(int ch) const { return rec_[ch]; }

  bool connect(const std::string& client) {
    const char* ch[2] = {"L", "R"};
    for (int i = 0; i < 2; ++i) {
      // The names JACK gave (a suffix if a client of a previous run is still leaving).
      const std::string player = jack_get_client_name(player_), recorder = jack_get_client_name(recorder_);
      if (jack_connect(player_, (player + ":out_" + ch[i]).c_str(), (client + ":in_" + ch[i]).c_str())) return false;
      if (jack_connect(recorder_, (client + ":out_" + ch[i]).c_str(), (recorder + ":in_" + ch[i]).c_str())) return false;
    }
    return true;
  }

  // The capture latency CLIENT's out ports report (both channels, min and max), once the
  // client has set it after the connections and `accept` takes it: -1 when they disagree.
  // Waits on the recorder's latency callback: each round asks JACK to recompute the
  // graph's latencies, which calls every client's latency callback, lathe's upstream first.
  long reported_latency(const std::string& client, const std::function<bool(long)>& accept = [](long) { return true; }) {
    for (;;) {
      const uint64_t round = latency_rounds_.load();
      long v = -2;
      bool set = true;
      for (const char* p : {":out_L", ":out_R"}) {
        jack_port_t* port = jack_port_by_name(recorder_, (client + p).c_str());
        if (!port) return -1;
        jack_latency_range_t r;
        jack_port_get_latency_range(port, JackCaptureLatency, &r);
        if (r.min == 0) set = false;  // not set yet (a chain never has 0)
        const long here = r.min == r.max ? static_cast<long>(r.min) : -1;
        v = v == -2 ? here : (v == here ? v : -1);
      }
      if (set && accept(v)) return v;
      jack_recompute_total_latencies(recorder_);
      latency_rounds_.wait(round);
    }
  }

  void set_freewheel(bool on) { jack_set_freewheel(player_, on ? 1 : 0); }
  void start() { go_.store(true); }
  // Until every frame to record has come: woken by the recorder's callback (ctest's
  // TIMEOUT guards a hang).
  bool wait_done() {
    done_.wait(false);
    return true;
  }
  uint64_t xruns() const { return xruns_.load(); }
  jack_nframes_t period() const { return jack_get_buffer_size(player_); }

  // The recording as 24-bit integers; false where a sample was never recorded or is not
  // an exact 24-bit value.
  bool recorded(std::vector<int32_t>& out) const {
    out.assign(2 * record_frames_, 0);
    for (std::size_t i = 0; i < record_frames_; ++i)
      for (int ch = 0; ch < 2; ++ch) {
        const double v = static_cast<double>(rec_[ch][i]) * 8388608.0;
        if (!std::isfinite(v) || v != std::nearbyint(v)) return false;
        out[2 * i + ch] = static_cast<int32_t>(v);
      }
    return true;
  }

 private:
  // Frames are counted per client from the first period after start(), not read off
  // jack_last_frame_time: the frame time jumps when the dummy driver wakes late (an
  // xrun), while every client still runs every period. The recorder runs after the
  // player in each period (the graph orders them), so both count from the same one.
  static int play_cb(jack_nframes_t n, void* arg) {
    auto* self = static_cast<PlayRecord*>(arg);
    if (self->go_.load() && !self->started_.load()) self->started_.store(true);
    const bool on = self->started_.load();
    if (on && self->on_period) self->on_period(self->played_);
    for (int ch = 0; ch < 2; ++ch) {
      float* out = static_cast<float*>(jack_port_get_buffer(self->out_[ch], n));
      for (jack_nframes_t i = 0; i < n; ++i) {
        const std::size_t idx = self->played_ + i;
        out[i] = on && idx < self->play_[ch].size() ? self->play_[ch][idx] : 0.0f;
      }
    }
    if (on) self->played_ += n;
    return 0;
  }
  static int record_cb(jack_nframes_t n, void* arg) {
    auto* self = static_cast<PlayRecord*>(arg);
    if (!self->started_.load() || self->done_.load()) return 0;
    const std::size_t first = self->recorded_;
    for (int ch = 0; ch < 2; ++ch) {
      const float* in = static_cast<const float*>(jack_port_get_buffer(self->in_[ch], n));
      for (jack_nframes_t i = 0; i < n; ++i)
        if (first + i < self->record_frames_) self->rec_[ch][first + i] = in[i];
    }
    self->recorded_ += n;
    if (self->recorded_ >= self->record_frames_) {
      self->done_.store(true);
      self->done_.notify_all();
    }
    return 0;
  }
  static void latency_cb(jack_latency_callback_mode_t, void* arg) {
    auto* self = static_cast<PlayRecord*>(arg);
    self->latency_rounds_.fetch_add(1);
    self->latency_rounds_.notify_all();
  }
  static int xrun_cb(void* arg) {
    static_cast<PlayRecord*>(arg)->xruns_.fetch_add(1);
    return 0;
  }

  std::size_t record_frames_;
  std::vector<float> play_[2], rec_[2];
  jack_client_t* player_ = nullptr;
  jack_client_t* recorder_ = nullptr;
  jack_port_t* out_[2] = {};
  jack_port_t* in_[2] = {};
  bool ok_ = false;
  std::atomic<bool> go_{false}, started_{false}, done_{false};
  std::size_t played_ = 0, recorded_ = 0;  // each client's own count
  std::atomic<uint64_t> xruns_{0};
  std::atomic<uint64_t> latency_rounds_{0};  // the recorder's latency callbacks so far
};

constexpr int kRate = 48000;
constexpr std::size_t kTailFrames = 16384;  // recorded past the programme: more than any latency

struct LiveCase {
  std::vector<std::string> settings;  // --preset/--set, the same for `master` and `live`
  double seconds = 2.0;
  std::string device = "model";
  bool freewheel = true;
  std::vector<std::string> wrapper;  // a program lathe runs under (the virtual board)
  std::vector<std::string> live_args;
  std::string wait_before_stop;  // a line lathe must have printed before the test stops it
  uint32_t seed = 1;             // of the music-like programme
  int stop_signal = SIGTERM;     // how the run ends lathe (SIGINT: Ctrl-C)
  bool expect_input = false;     // compare with the programme itself (bypass), not lathe master
};

struct Outcome {
  long reported = -1;   // capture latency of lathe:out_L/out_R (-1: they disagree)
  long measured = -1;   // first sound out minus first sound in
  long mismatches = -1; // samples of the aligned recording that differ from lathe master's
  bool recorded_whole = false;
  uint64_t xruns = 0;
  int lathe_exit = -1;
  std::string lathe_log;
  std::string error;  // why the run could not be made (no comparison then)
  std::vector<int32_t> recording, expected;  // interleaved: from the programme's first period; lathe master's
};

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& a : v) s += " '" + a + "'";
  return s;
}

inline long first_sound(const std::vector<int32_t>& interleaved) {
  for (std::size_t i = 0; i < interleaved.size(); ++i)
    if (interleaved[i] != 0) return static_cast<long>(i / 2);
  return -1;
}

// Plays the programme through `lathe live --jack` (as c says) and compares the recording
// with `lathe master --target-lufs off` of the same programme and settings.
inline Outcome run_live(const CliScratch& s, const JackServer& server, const LiveCase& c) {
  Outcome o;
  auto failed = [&](const std::string& why) {
    o.error = why + "\njackd's log:\n" + server.log_text();
    return o;
  };
  const std::vector<int32_t> programme = signals::music_like(c.seconds, kRate, c.seed);
  const std::string in = s.path("in.wav"), out = s.path("master.wav");
  if (write_audio(in, {kRate, 2, 24}, programme)) return failed("cannot write " + in);
  const Run master = s.lathe("master " + in + " " + out + " --device model --quiet --target-lufs off" + join(c.settings));
  if (master.exit_code != 0) return failed("lathe master failed: " + master.err);
  auto expected = read_audio(c.expect_input ? in : out);
  if (!expected || expected->samples.size() != programme.size()) return failed("cannot read " + out);

  // A name of its own per run: a previous run's client may still be leaving the server.
  static int runs = 0;
  const std::string name = "lathe-run" + std::to_string(++runs);
  std::vector<std::string> argv = c.wrapper;
  for (const std::string& a : {std::string(LATHE_CLI), std::string("live"), std::string("--jack"), std::string("--device"),
                               c.device, std::string("--name"), name})
    argv.push_back(a);
  argv.insert(argv.end(), c.settings.begin(), c.settings.end());
  argv.insert(argv.end(), c.live_args.begin(), c.live_args.end());
  Child lathe(argv, s.path(name + ".log"), server.env());  // a fresh log: no earlier run's lines
  if (!lathe.wait_for("live: running")) return failed("lathe live did not start: " + lathe.output());

  PlayRecord session(server.name(), programme, programme.size() / 2 + kTailFrames);
  if (!session.ok() || !session.connect(name)) return failed("cannot connect the player and recorder");
  o.reported = session.reported_latency(name);
  if (c.freewheel) {
    session.set_freewheel(true);
    // JACK tells lathe on another thread than the cycles': start once lathe says it knows.
    if (!lathe.wait_for("live: freewheel on")) return failed("lathe never saw freewheel: " + lathe.output());
  }
  session.start();
  if (!session.wait_done()) return failed("the recording never completed");
  if (c.freewheel) session.set_freewheel(false);
  o.xruns = session.xruns();

  std::vector<int32_t> rec;
  o.recorded_whole = session.recorded(rec);
  o.measured = first_sound(rec) - first_sound(expected->samples);
  if (o.measured >= 0 && o.recorded_whole && o.measured < static_cast<long>(kTailFrames)) {
    o.mismatches = 0;
    for (std::size_t i = 0; i < expected->samples.size(); ++i)
      if (rec[2 * static_cast<std::size_t>(o.measured) + i] != expected->samples[i]) ++o.mismatches;
  }
  if (!c.wait_before_stop.empty() && !lathe.wait_for(c.wait_before_stop))
    o.error = "lathe live never said '" + c.wait_before_stop + "'";
  o.lathe_exit = lathe.stop(c.stop_signal);
  o.lathe_log = lathe.output_to_end();  // lathe starts no processes that could hold its pipe
  o.recording = std::move(rec);
  o.expected = std::move(expected->samples);
  return o;
}

}  // namespace lathe::test
