// SPDX-License-Identifier: MIT
// Atomic file writes, the signal handlers that clean up after an interrupted one, and
// the output-path checks jobs make before they start.
#include "lathe/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace lathe {
namespace {


// "dir/name.wav" -> {"dir/", "name.wav"}; "name.wav" -> {"", "name.wav"}.
struct PathParts {
  std::string dir;
  std::string base;
  std::string dir_for_people() const { return dir.empty() ? "." : dir; }
};
PathParts split_path(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash + 1), path.substr(slash + 1)};
}

// Temporary files of writes in progress, for the signal handler. A fixed table of
// plain char buffers and lock-free atomics is all a handler may safely touch. A write
// that finds every slot taken (many concurrent writes) runs without signal cleanup.
constexpr int kTempSlots = 16;
enum SlotState : int { kSlotFree = 0, kSlotClaimed = 1, kSlotActive = 2 };
struct TempSlot {
  std::atomic<int> state{kSlotFree};
  char path[PATH_MAX];
};
TempSlot g_temp_slots[kTempSlots];
static_assert(std::atomic<int>::is_always_lock_free, "signal handler needs lock-free atomics");

// Every signal whose default action ends the process and that can be caught. (SIGKILL
// cannot be caught; the stop signals and SIGCHLD, SIGCONT, SIGURG, SIGWINCH do not end it.)
sigset_t cleanup_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV, SIGUSR2,
                  SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSYS})
    sigaddset(&set, sig);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) sigaddset(&set, sig);
  return set;
}

void cleanup_and_reraise(int sig) {
  const int saved_errno = errno;
  for (TempSlot& slot : g_temp_slots) {
    if (slot.state.load() == kSlotActive) ::unlink(slot.path);
  }
  errno = saved_errno;
  // SA_RESETHAND restored the default action on entry and the signal is blocked while
  // this handler runs, so the raise takes effect on return: the process ends the way
  // it would have without us, and its parent sees "killed by signal".
  ::raise(sig);
}

// Blocks the cleanup signals for its lifetime, so that creating a temporary file and
// registering it for cleanup happen as one step as far as a handler can tell.
class SignalBlock {
 public:
  SignalBlock() {
    const sigset_t set = cleanup_signals();
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

int register_for_signals(const std::string& name) {
  if (name.size() >= sizeof(TempSlot::path)) return -1;
  for (int i = 0; i < kTempSlots; ++i) {
    TempSlot& slot = g_temp_slots[i];
    int expected = kSlotFree;
    if (slot.state.compare_exchange_strong(expected, kSlotClaimed)) {
      std::memcpy(slot.path, name.c_str(), name.size() + 1);
      slot.state.store(kSlotActive);
      return i;
    }
  }
  return -1;
}

std::string random_suffix() {
  static std::atomic<uint64_t> counter{0};
  // Uniqueness comes from O_EXCL and retrying; the mix only makes collisions rare.
  uint64_t x = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (static_cast<uint64_t>(::getpid()) << 32) ^ (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string suffix;
  for (int i = 0; i < 6; ++i) {
    suffix += kAlphabet[x % 62];
    x /= 62;
  }
  return suffix;
}

// The longest name the directory allows (NAME_MAX on Linux file systems).
std::size_t name_max_for(const std::string& dir) {
  const long n = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  return n > 0 ? static_cast<std::size_t>(n) : NAME_MAX;
}

}  // namespace

std::string temporary_name_for(const std::string& target) {
  const PathParts parts = split_path(target);
  const std::size_t name_max = name_max_for(parts.dir_for_people());
  // "." + base + "." + 6 characters; a base at the limit is cut, on a UTF-8 boundary.
  std::string base = parts.base;
  if (base.size() + 8 > name_max) {
    std::size_t keep = name_max > 8 ? name_max - 8 : 0;
    while (keep > 0 && (static_cast<unsigned char>(base[keep]) & 0xC0) == 0x80) --keep;
    base.resize(keep);
  }
  return parts.dir + "." + base + "." + random_suffix();
}

AtomicFile::AtomicFile(std::string target, std::string temp, int fd, int slot)
    : target_(std::move(target)), temp_(std::move(temp)), fd_(fd), slot_(slot) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::move(other.temp_)),
      fd_(other.fd_),
      slot_(other.slot_),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.slot_ = -1;
  other.temp_.clear();
  other.committed_ = true;  // the moved-from object owns nothing to remove
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty() && !committed_) ::unlink(temp_.c_str());
  // Unregister last: a signal in between only unlinks a name that is already gone.
  if (slot_ >= 0) g_temp_slots[slot_].state.store(kSlotFree);
}

Result<AtomicFile> AtomicFile::create(const std::string& target) {
  int err = EEXIST;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = temporary_name_for(target);
    SignalBlock block;
    // Not mkstemp: it creates mode 0600, and the output should get the usual
    // 0666 & ~umask like any file the user creates.
    const int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
      err = errno;
      if (err == EEXIST) continue;
      break;
    }
    const int slot = register_for_signals(name);
    return AtomicFile(target, std::move(name), fd, slot);
  }
  return failure(Errc::kWriteFailed, target + ": cannot create a temporary file in " +
                                         split_path(target).dir_for_people() + " (" + errno_text(err) + ")");
}

Error AtomicFile::failed(const std::string& why) const { return Error(Errc::kWriteFailed, target_ + ": " + why); }

Error AtomicFile::write_all(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed("write failed (" + errno_text(n < 0 ? errno : ENOSPC) + ")");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Error AtomicFile::finish() {
  // Data must be on disk before the rename publishes it, or a crash could leave a
  // complete-looking name pointing at missing blocks.
  if (::fsync(fd_) != 0) return failed("write failed (" + errno_text(errno) + ")");
  const int rc = ::close(fd_);  // where NFS and some other file systems report errors
  fd_ = -1;
  if (rc != 0) return failed("write failed (" + errno_text(errno) + ")");
  return {};
}

Error AtomicFile::commit() {
  if (fd_ >= 0) return failed("internal error: commit before finish");
  if (::rename(temp_.c_str(), target_.c_str()) != 0) return failed("cannot replace the file (" + errno_text(errno) + ")");
  committed_ = true;
  // Make the rename itself durable. The file is already complete at the target, so a
  // failure here is not worth reporting as a failed write.
  const int dir_fd = ::open(split_path(target_).dir_for_people().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

void install_cleanup_signal_handlers() {
  const sigset_t set = cleanup_signals();
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    if (sigismember(&set, sig) != 1) continue;
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0) continue;
    // An ignored signal was ignored on purpose (nohup, `cmd &` in a script).
    if (old.sa_handler == SIG_IGN) continue;
    struct sigaction action {};
    action.sa_handler = cleanup_and_reraise;
    // One handler at a time: a second signal waits, then ends the process by default.
    action.sa_mask = set;
    action.sa_flags = SA_RESETHAND;
    sigaction(sig, &action, nullptr);
  }
}

Error check_output_paths(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  namespace fs = std::filesystem;
  struct Id {
    bool exists = false;
    dev_t dev = 0;
    ino_t ino = 0;
    fs::path canonical;
  };
  auto identify = [](const std::string& p) {
    Id id;
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      id.exists = true;
      id.dev = st.st_dev;
      id.ino = st.st_ino;
    }
    std::error_code ec;
    id.canonical = fs::weakly_canonical(fs::absolute(p, ec), ec);
    if (ec) id.canonical = fs::absolute(p, ec).lexically_normal();
    return id;
  };
  auto same = [](const Id& a, const Id& b) {
    if (a.exists && b.exists) return a.dev == b.dev && a.ino == b.ino;
    return a.canonical == b.canonical;
  };
  std::vector<Id> in_ids, out_ids;
  for (const auto& p : inputs) in_ids.push_back(identify(p));
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Id id = identify(outputs[i]);
    for (std::size_t k = 0; k < inputs.size(); ++k)
      if (same(id, in_ids[k]))
        return Error(Errc::kSameFile, outputs[i] + ": would overwrite the input file " + inputs[k]);
    for (std::size_t k = 0; k < i; ++k)
      if (same(id, out_ids[k]))
        return Error(Errc::kSameFile, outputs[i] + ": is the same file as the output " + outputs[k]);
    out_ids.push_back(id);
    struct stat st {};
    if (::stat(outputs[i].c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return Error(Errc::kWriteFailed, outputs[i] + ": " + errno_text(EISDIR));
    // The real test of a writable directory is creating the file the write would; the
    // probe removes it again on the way out.
    auto probe = AtomicFile::create(outputs[i]);
    if (!probe) return probe.error();
  }
  return {};
}

}  // namespace lathe
