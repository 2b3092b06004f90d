#include "notify/tcp_session.h"

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace motcua::notify {

namespace asio = boost::asio;
using boost::system::error_code;

TcpSession::TcpSession(Millis step, Millis total)
    : step_(step), deadline_(std::chrono::steady_clock::now() + total), stream_(io_) {}

TcpSession::Millis TcpSession::Left() const {
  auto left = std::chrono::duration_cast<Millis>(deadline_ - std::chrono::steady_clock::now());
  return std::min(step_, left);
}

error_code TcpSession::Connect(const std::string& host, uint16_t port) {
  asio::ip::tcp::resolver resolver(io_);
  error_code ec;
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return ec;
  return Run([&](auto handler) { stream_.async_connect(endpoints, std::move(handler)); });
}

error_code TcpSession::Write(std::string_view data) {
  return Run([&](auto handler) {
    asio::async_write(stream_, asio::buffer(data.data(), data.size()), std::move(handler));
  });
}

error_code TcpSession::ReadLine(std::string* line, size_t max_bytes) {
  size_t end = buffer_.find('\n');
  if (end == std::string::npos) {
    if (buffer_.size() >= max_bytes) return asio::error::message_size;
    error_code ec = Run([&](auto handler) {
      asio::async_read_until(stream_, asio::dynamic_buffer(buffer_, max_bytes), '\n',
                             std::move(handler));
    });
    if (ec == asio::error::not_found) return asio::error::message_size;
    if (ec) return ec;
    end = buffer_.find('\n');
    if (end == std::string::npos) return asio::error::message_size;
  }
  line->assign(buffer_, 0, end);
  buffer_.erase(0, end + 1);
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return {};
}

void TcpSession::Close() {
  error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

std::string DescribeNetworkError(const error_code& ec) {
  if (ec == boost::beast::error::timeout) return "timed out";
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again) {
    return "host name not found";
  }
  if (ec == asio::error::eof) return "connection closed by the server";
  if (ec == asio::error::connection_reset) return "connection reset by the server";
  if (ec == asio::error::network_unreachable || ec == asio::error::host_unreachable) {
    return "network unreachable";
  }
  if (ec == asio::error::message_size) return "answer too long";
  return ec.message();
}

}  // namespace motcua::notify
