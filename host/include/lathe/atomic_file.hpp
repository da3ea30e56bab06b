// SPDX-License-Identifier: MIT
// Files that appear whole or not at all: written under a hidden temporary name next to
// the target and renamed over it only when complete and flushed. Until then a failure,
// an exception or a signal removes the temporary file and leaves the target untouched.
#pragma once
#include <string>
#include <vector>

#include "lathe/error.hpp"

namespace lathe {

class AtomicFile {
 public:
  // Creates the temporary file (mode 0666 less the umask, like any file the user makes)
  // in the target's directory; kWriteFailed names the directory and the reason.
  static Result<AtomicFile> create(const std::string& target);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();  // not committed: the temporary file is removed

  int fd() const { return fd_; }
  const std::string& target() const { return target_; }
  const std::string& temp_name() const { return temp_; }

  Error write_all(const std::string& bytes);
  // Flushes the data to disk and closes the file: after this, only commit() is left.
  Error finish();
  // Renames the finished file over the target (atomic within the file system) and makes
  // the rename durable. finish() must have succeeded.
  Error commit();

 private:
  AtomicFile(std::string target, std::string temp, int fd, int slot);
  Error failed(const std::string& why) const;

  std::string target_, temp_;
  int fd_ = -1;
  int slot_ = -1;  // in the signal handler's table, or -1
  bool committed_ = false;
};

// The temporary name AtomicFile uses for `target`: hidden, in the same directory, and
// never longer than the directory allows a name to be (a target whose name is at the
// limit gets a shortened temporary name).
std::string temporary_name_for(const std::string& target);

// Makes every signal that ends the process by default and can be caught (SIGINT,
// SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXFSZ, SIGUSR1, ..., SIGSEGV) remove the
// temporary files of writes in progress, then end the process as the signal would have.
// A signal the process ignores (nohup, background jobs) stays ignored. Call once at
// program start, before installing other handlers for these signals (it replaces them).
void install_cleanup_signal_handlers();

// Checks before any work that the paths a job writes can be written and name neither an
// input nor each other, through any alias (symlinks, hard links, /dev/fd/N, "./x"):
// kSameFile names the pair. Outputs must not be directories; their directories must let
// a temporary file be created (kWriteFailed). Nothing is left behind.
Error check_output_paths(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs);

}  // namespace lathe
