// SPDX-License-Identifier: MIT
// A scratch directory for tests that run the lathe CLI (or a wrapper around it) as a user
// would: inputs and outputs live in it, stdout and stderr are captured into it, and it
// is removed afterwards.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace lathe::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

struct Run {
  int exit_code = -1;  // -1: killed by a signal
  std::string out, err;
  double seconds = 0;
};

class CliScratch {
 public:
  explicit CliScratch(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() / ("lathe-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~CliScratch() { std::filesystem::remove_all(dir_); }
  CliScratch(const CliScratch&) = delete;
  CliScratch& operator=(const CliScratch&) = delete;

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Runs a shell command with stdin closed and its output captured.
  Run shell(const std::string& command) const {
    const std::string cmd = command + " >" + path("stdout") + " 2>" + path("stderr") + " </dev/null";
    const auto t0 = std::chrono::steady_clock::now();
    const int status = std::system(cmd.c_str());
    Run r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(path("stdout"));
    r.err = slurp(path("stderr"));
    return r;
  }
  Run lathe(const std::string& args) const { return shell(std::string(LATHE_CLI) + " " + args); }

  // The names in the directory, e.g. to show that a failed job left nothing behind.
  std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) names.insert(e.path().filename().string());
    return names;
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace lathe::test
