// A blocking TCP connection with a timeout on every step, for the outbox channels. Each call runs
// one Asio operation on a private io_context until it completes or its timeout closes the
// socket, so it is safe on the sender's own thread and never touches the HTTP I/O threads. Every
// step's timeout is also cut to what is left of an overall deadline for the whole exchange.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>

namespace motcua::notify {

class TcpSession {
 public:
  using Millis = std::chrono::milliseconds;

  // `step` bounds each operation; `total` bounds the whole session from now.
  TcpSession(Millis step, Millis total);
  TcpSession(const TcpSession&) = delete;
  TcpSession& operator=(const TcpSession&) = delete;

  // Resolves `host` (blocking: DNS is not under the timeout; use addresses or /etc/hosts on an
  // internal network) and connects to the first address that answers.
  boost::system::error_code Connect(const std::string& host, uint16_t port);
  // Writes all of `data`.
  boost::system::error_code Write(std::string_view data);
  // Reads one line ending in LF into `*line`, without the CR LF; fails with
  // asio::error::message_size past `max_bytes`.
  boost::system::error_code ReadLine(std::string* line, size_t max_bytes);
  // Runs `start(handler)`, an asynchronous operation on stream(), under the step timeout; the
  // handler is called as handler(error_code, ...). Returns the operation's error.
  template <typename Start>
  boost::system::error_code Run(Start start) {
    auto left = Left();
    if (left <= Millis(0)) return boost::beast::error::timeout;
    boost::system::error_code result = boost::asio::error::would_block;
    stream_.expires_after(left);
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  boost::beast::tcp_stream& stream() { return stream_; }
  // Closes the connection (idempotent).
  void Close();

 private:
  Millis Left() const;

  Millis step_;
  std::chrono::steady_clock::time_point deadline_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  std::string buffer_;  // bytes read past the last line
};

// A short description of a network failure for users (no addresses): "timed out",
// "connection refused", ...
std::string DescribeNetworkError(const boost::system::error_code& ec);

}  // namespace motcua::notify
