#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace motcua {
namespace {

constexpr size_t kMaxBuffered = 8u << 20;

class Logger {
 public:
  Logger() : thread_([this] { Run(); }) {}
  ~Logger() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void Append(std::string_view line) {
    std::lock_guard lock(mu_);
    if (buffer_.size() + line.size() > kMaxBuffered) {
      ++dropped_;
      return;
    }
    buffer_.append(line);
    buffer_.push_back('\n');
  }
  void Flush() {
    std::string out;
    {
      std::lock_guard lock(mu_);
      out.swap(buffer_);
    }
    Write(out);
  }

 private:
  static void Write(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::write(STDERR_FILENO, s.data() + off, s.size() - off);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }
  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(50));
      std::string out;
      out.swap(buffer_);
      lock.unlock();
      Write(out);
      lock.lock();
    }
    Write(buffer_);
    buffer_.clear();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::string buffer_;
  size_t dropped_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

Logger& TheLogger() {
  static Logger logger;
  return logger;
}

std::string Now() {
  auto t = std::chrono::system_clock::now();
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

}  // namespace

void LogLine(std::string_view line) { TheLogger().Append(line); }
void FlushLog() { TheLogger().Flush(); }

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

void LogInfo(std::string_view msg) {
  LogLine("{\"ts_ms\":" + Now() + ",\"level\":\"info\",\"msg\":\"" + JsonEscape(msg) + "\"}");
}
void LogError(std::string_view msg) {
  LogLine("{\"ts_ms\":" + Now() + ",\"level\":\"error\",\"msg\":\"" + JsonEscape(msg) + "\"}");
}

}  // namespace motcua
