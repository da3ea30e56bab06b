// SPDX-License-Identifier: MIT
// What the JACK tests share: a dummy jackd of their own (a unique server name, killed at
// the end whatever happens), `lathe live --jack` as a child process, and a player and a
// recorder client around it (two clients, so that the graph player -> lathe -> recorder
// has no cycle and all three run in the same period).
#pragma once
#include <jack/jack.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "cli_scratch.hpp"

namespace lathe::test {

inline void jack_silent(const char*) {}

// Waits for `ready` to hold, polling; false if `alive` stops holding first. The bound is
// a hang guard far above any need (ctest's TIMEOUT is the real one).
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
inline pid_t spawn(const std::vector<std::string>& argv, const std::string& log, const std::string& env = "",
                   int parent_death_signal = SIGKILL) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, parent_death_signal);
  if (!env.empty()) ::putenv(const_cast<char*>(env.c_str()));
  std::FILE* f = std::fopen(log.c_str(), "w");
  if (f) {
    ::dup2(fileno(f), 1);
    ::dup2(fileno(f), 2);
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
  JackServer(const CliScratch& dir, int period) {
    static int count = 0;
    name_ = "lathe-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count);
    pid_ = spawn({"jackd", "-n", name_, "--no-realtime", "-d", "dummy", "-r", "48000", "-p", std::to_string(period)},
                 dir.path("jackd-" + name_ + ".log"));
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
  std::string env() const { return "JACK_DEFAULT_SERVER=" + name_; }

 private:
  std::string name_;
  pid_t pid_ = -1;
  bool up_ = false;
};

// A program run under the test's server (lathe live, or the virtual board around it).
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log, const std::string& env)
      : log_(log), pid_(spawn(argv, log, env, SIGTERM)) {}
  ~Child() {
    if (running(pid_)) {
      ::kill(pid_, SIGKILL);
      int status;
      ::waitpid(pid_, &status, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  std::string output() const { return slurp(log_); }
  // Waits for a line the program prints; false if it ended first.
  bool wait_for(const std::string& text) {
    return poll_until([&] { return output().find(text) != std::string::npos; }, [&] { return running(pid_); });
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
  std::string log_;
  pid_t pid_;
};

// player (out_L, out_R) -> CLIENT:in_L/in_R, CLIENT:out_L/out_R -> recorder (in_L, in_R).
// The player starts the programme at the first period after start(); the recorder keeps
// every frame from that period on, indexed by JACK frame time from the programme's first
// frame, so the recorded shift is the round trip through CLIENT.
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

  bool connect(const std::string& client) {
    const char* ch[2] = {"L", "R"};
    for (int i = 0; i < 2; ++i) {
      if (jack_connect(player_, (std::string("player:out_") + ch[i]).c_str(), (client + ":in_" + ch[i]).c_str())) return false;
      if (jack_connect(recorder_, (client + ":out_" + ch[i]).c_str(), (std::string("recorder:in_") + ch[i]).c_str()))
        return false;
    }
    return true;
  }

  // The capture latency CLIENT's out ports report (both channels, min and max), once the
  // client has set it after the connections: -1 when they disagree.
  long reported_latency(const std::string& client) {
    jack_recompute_total_latencies(recorder_);
    long value = -1;
    poll_until(
        [&] {
          long v = -2;
          for (const char* p : {":out_L", ":out_R"}) {
            jack_port_t* port = jack_port_by_name(recorder_, (client + p).c_str());
            if (!port) return false;
            jack_latency_range_t r;
            jack_port_get_latency_range(port, JackCaptureLatency, &r);
            if (r.min == 0) return false;  // not set yet (a chain never has 0)
            const long here = r.min == r.max ? static_cast<long>(r.min) : -1;
            v = v == -2 ? here : (v == here ? v : -1);
          }
          value = v;
          return true;
        },
        [] { return true; }, std::chrono::seconds(60));
    return value;
  }

  void set_freewheel(bool on) { jack_set_freewheel(player_, on ? 1 : 0); }
  void start() { go_.store(true); }
  // Until every frame to record has come (a hang guard bounds it).
  bool wait_done() {
    return poll_until([&] { return done_.load(); }, [] { return true; }, std::chrono::seconds(500));
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
  static int play_cb(jack_nframes_t n, void* arg) {
    auto* self = static_cast<PlayRecord*>(arg);
    const jack_nframes_t now = jack_last_frame_time(self->player_);
    if (self->go_.load() && self->t0_.load() < 0) self->t0_.store(now);
    const int64_t t0 = self->t0_.load();
    for (int ch = 0; ch < 2; ++ch) {
      float* out = static_cast<float*>(jack_port_get_buffer(self->out_[ch], n));
      for (jack_nframes_t i = 0; i < n; ++i) {
        const std::size_t idx = static_cast<uint32_t>(now + i - static_cast<jack_nframes_t>(t0));
        out[i] = t0 >= 0 && idx < self->play_[ch].size() ? self->play_[ch][idx] : 0.0f;
      }
    }
    return 0;
  }
  static int record_cb(jack_nframes_t n, void* arg) {
    auto* self = static_cast<PlayRecord*>(arg);
    const int64_t t0 = self->t0_.load();
    if (t0 < 0 || self->done_.load()) return 0;
    const jack_nframes_t now = jack_last_frame_time(self->recorder_);
    const std::size_t first = static_cast<uint32_t>(now - static_cast<jack_nframes_t>(t0));
    for (int ch = 0; ch < 2; ++ch) {
      const float* in = static_cast<const float*>(jack_port_get_buffer(self->in_[ch], n));
      for (jack_nframes_t i = 0; i < n; ++i)
        if (first + i < self->record_frames_) self->rec_[ch][first + i] = in[i];
    }
    if (first + n >= self->record_frames_) self->done_.store(true);
    return 0;
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
  std::atomic<bool> go_{false}, done_{false};
  std::atomic<int64_t> t0_{-1};
  std::atomic<uint64_t> xruns_{0};
};

}  // namespace lathe::test
